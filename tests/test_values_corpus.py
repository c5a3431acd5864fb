"""Real values files in, the same cluster out: the corpus of tests/fixtures/values (one file per
feature area, the chart's narrow types, a key read through a template variable, keys removed
before 1.16, each collision with nixgen's defaults, the catches Helm drops without a word, the
HelmRelease and Application forms), each judged with the released chart of the release it
targets.

With `--defaults chart`, nixgen takes exactly the files the chart renders, but for those where
the chart silently drops part of the file (a key it has no such value for, a key given twice),
which nixgen refuses naming the key; and the objects helm renders from nixgen's final values
are the ones it renders from the file. With nixgen's defaults, every value of the file survives
unchanged, and every refusal names where the values it speaks of come from.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from valuescorpus import (CHARTS, CORPUS, FILES, LET_THROUGH, MANIFEST, REFUSED, RENDERS,
                         file_values, release_of)  # fmt: skip

from nixgen import tree
from nixgen.cli import cli
from nixgen.input.choices import PROFILES

def nixgen(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def final_values(name: str, profile: str, *extra: str) -> tuple[int, str, str]:
    return nixgen("values", "-f", str(CORPUS / name), "--cilium-version", release_of(name),
                  "--profile", profile, "--output", "json", *extra)  # fmt: skip


def test_the_corpus_covers_what_it_must() -> None:
    areas = {a for entry in MANIFEST.values() for a in entry["areas"]}
    assert len(FILES) >= 20 and len(areas) >= 20
    assert {e["form"] for e in MANIFEST.values()} == {"values", "helmrelease", "application"}
    narrow = ("18-narrow-cidrlist-string.yaml", "19-narrow-k8sserviceport-string.yaml",
              "20-narrow-kpr-string.yaml", "17-socket-lb.yaml", "21-removed-tunnel-vxlan.yaml")
    assert set(narrow) <= set(FILES)
    assert set(RENDERS) == set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_with_the_charts_defaults_nixgen_takes_what_the_chart_renders(name: str) -> None:
    """Accepted: the final values of both profiles are the file's, exactly. Refused: one line,
    naming the key; where the chart renders the file all the same, the key is one Helm drops
    without a word."""
    for profile in PROFILES:
        code, out, err = final_values(name, profile, "--defaults", "chart")
        if name in REFUSED:
            assert code == 2 and out == "" and err.count("\n") == 1, err
            assert REFUSED[name] in err
            continue
        assert code == 0, err
        assert json.loads(out) == file_values(name), profile
        assert RENDERS[name], f"{name}: the chart refuses it, nixgen took it"


@pytest.mark.parametrize("name", [n for n in FILES if n not in REFUSED or n in LET_THROUGH])
def test_with_nixgens_defaults_every_value_of_the_file_survives(name: str) -> None:
    given = file_values(name)
    for profile in PROFILES:
        code, out, err = final_values(name, profile, *LET_THROUGH.get(name, ()))
        assert code == 0, err
        final = json.loads(out)
        for path, value in tree.leaves(given, nix=False):
            assert tree.lookup(final, path, "<absent>") == value, (profile, path)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_every_refusal_names_where_its_values_come_from(name: str) -> None:
    code, _, err = final_values(name, "production")
    assert code == 2 and err.count("\n") == 1
    assert f"values file {CORPUS / name}" in err, err


COLLISIONS = {
    # file: (profiles in which nixgen's default yields, the default, why)
    "23-collide-hubble-disabled.yaml": ("production", "hubble.relay.enabled = true",
                                        "hubble.relay.enabled needs hubble.enabled"),
    "24-collide-l7proxy-false.yaml": (None, "gatewayAPI.enabled = true", "need l7Proxy = true"),
    "25b-collide-kpr-false-merged.yaml": (None, "bpf.masquerade = true",
                                          "bpf.masquerade needs kubeProxyReplacement = true"),
    "26-collide-cidrlist-without-ipam-mode.yaml": (None, 'ipam.mode = "kubernetes"',
                                                   "ipam.operator.clusterPoolIPv4PodCIDRList"),
    "27-collide-routing-native.yaml": (None, 'tunnelProtocol = "geneve"', "no effect with "
                                       'routingMode = "native"'),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COLLISIONS))
def test_nixgens_default_yields_where_it_collides_with_the_file(name: str) -> None:
    only, default, why = COLLISIONS[name]
    code, _, err = final_values(name, "production")
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("nixgen: note: ")]
    scope = f" in the {only} profile" if only else ""
    assert any(line.startswith(f"nixgen: note: nixgen's default {default} yields{scope}: ")
               and why in line for line in notes), err  # fmt: skip


# ------------------------------------------------------------------ the chart's judgement


_GENERATED = (".crt", ".key", ".pem")


def _objects(rendered: str) -> dict[tuple[str, str, str], Any]:
    """Rendered objects by kind, namespace and name, without what Helm makes afresh on every
    render: generated certificates and keys, checksum annotations."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: ({a: b for a, b in v.items() if "checksum" not in a}
                        if k == "annotations" and isinstance(v, dict) else strip(v))
                    for k, v in node.items()}  # fmt: skip
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    out = {}
    for doc in yaml.safe_load_all(rendered):
        if not isinstance(doc, dict) or "kind" not in doc:
            continue
        doc = strip(doc)
        if doc["kind"] == "Secret":
            doc["data"] = {k: "<generated>" if k.endswith(_GENERATED) else v
                           for k, v in (doc.get("data") or {}).items()}  # fmt: skip
        meta = doc.get("metadata") or {}
        out[(doc["kind"], meta.get("namespace", ""), meta.get("name", ""))] = doc
    return out


def _render(helm: str, release: str, values: Path,
            flags: list[str]) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([helm, "template", "cilium", str(CHARTS / f"cilium-{release}.tgz"),
                           "-n", "kube-system", "-f", str(values), *flags], capture_output=True,
                          text=True, timeout=180, check=False)  # fmt: skip


@pytest.mark.parametrize("name", FILES)
def test_the_chart_renders_from_nixgens_values_what_it_renders_from_the_file(
    name: str, helm: str, tmp_path: Path
) -> None:
    """The chart's own verdict on the file (helm 3 and helm 4) is the manifest's; where nixgen
    takes the file, the objects rendered from `nixgen values --defaults chart` are the file's,
    compared within one helm major (helm 3.18.0 renders a chart's own 0 as true)."""
    release = release_of(name)
    flags = MANIFEST.get(name, {}).get("flags", [])
    source = CORPUS / name
    if MANIFEST.get(name, {}).get("form", "values") != "values":
        source = tmp_path / "file-values.json"  # a wrapper's values, as the corpus renders them
        source.write_text(json.dumps(file_values(name)), encoding="utf-8")
    from_file = _render(helm, release, source, flags)
    assert (from_file.returncode == 0) == RENDERS[name], from_file.stderr
    if name in REFUSED and name not in LET_THROUGH:
        return
    code, out, err = final_values(name, "production", "--defaults", "chart",
                                  *LET_THROUGH.get(name, ()))  # fmt: skip
    assert code == 0, err
    given = tmp_path / "nixgen-values.json"
    given.write_text(out, encoding="utf-8")
    from_nixgen = _render(helm, release, given, flags)
    assert from_nixgen.returncode == 0, from_nixgen.stderr
    assert _objects(from_nixgen.stdout) == _objects(from_file.stdout)
