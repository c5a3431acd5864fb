"""`nixgen import FILE`: a values file as a nixgen config that deploys what the file did, and
the TOML writer it is written with (tomllib reads back exactly what was written)."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st
from strategies import TEXT
from valuescorpus import CORPUS, FILES, REFUSED, file_values, release_of

from nixgen import tomlwriter, tree
from nixgen.cli import cli
from nixgen.input.choices import PROFILES

# ------------------------------------------------------------------ the TOML writer

KEYS = st.one_of(TEXT, st.sampled_from(["a", "a.b", "", " ", "-", "_x", "1", "true", "é", '"',
                                        "[x]", "#", "=", "a b"]))  # fmt: skip
FLOATS = st.floats(allow_nan=True)
SCALARS = st.one_of(st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), FLOATS,
                    TEXT)  # fmt: skip
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=6)


def _same(a: Any, b: Any) -> bool:
    """Equality in which nan equals nan, -0.0 is not 0.0, a float is never an int, true never 1
    (and, as for any TOML table, the order of keys does not count)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                     math.copysign(1, b))  # fmt: skip
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@given(data=DOCUMENTS, depth=st.integers(0, 3))
def test_toml_reads_back_exactly_what_was_written(data: dict[str, Any], depth: int) -> None:
    text = tomlwriter.dumps(data, header_depth=depth)
    assert _same(tomllib.loads(text), data), text


def test_toml_has_no_null_and_says_where() -> None:
    with pytest.raises(tomlwriter.TomlError, match=r'^a\."b c"\[1\]: TOML has no null$'):
        tomlwriter.dumps({"a": {"b c": [1, None]}})


# ------------------------------------------------------------------ the importer


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _json(args: list[str]) -> Any:
    code, out, err = run(*args)
    assert code == 0, err
    return json.loads(out)


IMPORTABLE = [n for n in FILES if n not in REFUSED or n.startswith(("28-", "29-", "30-"))]


@pytest.mark.parametrize("name", IMPORTABLE)
def test_an_imported_config_deploys_what_the_file_did(name: str, tmp_path: Path) -> None:
    """import → module → final values: the file's values, but for what Helm ignores in it."""
    target = tmp_path / "nixgen.toml"
    code, out, err = run("import", str(CORPUS / name), "--cilium-version", release_of(name),
                         "-o", str(target))  # fmt: skip
    if "null" in json.dumps(file_values(name)):  # TOML has none: JSON holds it
        assert code == 2 and not target.exists() and "import to a JSON config" in err
        target = tmp_path / "nixgen.json"
        code, out, err = run("import", str(CORPUS / name), "--cilium-version",
                             release_of(name), "-o", str(target))  # fmt: skip
    assert code == 0 and out == "", err
    config = (tomllib.loads if target.suffix == ".toml" else json.loads)(
        target.read_text(encoding="utf-8"))
    assert config["defaults"] == "chart" and config["ciliumVersion"] == release_of(name)
    want = file_values(name)
    for catch in ("cgroup", "automount"), ("global",), ("hubble", "metrics.enabled"):
        want = tree.without(want, [catch])
    assert run("module", "--config", str(target), "--format", "never")[0] == 0
    for profile in PROFILES:
        got = _json(["values", "--config", str(target), "--profile", profile, "--output", "json"])
        assert got == want, profile


def test_the_import_reports_what_helm_would_ignore_and_leaves_it_out(tmp_path: Path) -> None:
    code, out, err = run("import", str(CORPUS / "28-catch-cgroup-automount-typo.yaml"),
                         "--cilium-version", "1.18.4")  # fmt: skip
    assert code == 0
    assert (f"nixgen: warning: values file {CORPUS}/28-catch-cgroup-automount-typo.yaml: "
            "cgroup.automount: Cilium 1.18.4's chart has no such value (did you mean "
            "cgroup.autoMount?): left out of the config") in err.splitlines()
    assert ("# - cgroup.automount: Cilium 1.18.4's chart has no such value (did you mean "
            "cgroup.autoMount?)\n#   cgroup.automount.enabled = false\n") in out
    config = tomllib.loads(out)
    assert config["settings"] == {"kubeProxyReplacement": True, "ipam": {"mode": "kubernetes"},
                                  "k8sServiceHost": "localhost", "k8sServicePort": 7445}
    assert config["values"]["cgroup"] == {"hostRoot": "/sys/fs/cgroup"}

    _, _, err = run("import", str(CORPUS / "29-catch-global-block.yaml"))
    assert "global: Cilium's templates never read .Values.global" in err
    _, _, err = run("import", str(CORPUS / "30-catch-dotted-key.yaml"))
    assert ('"metrics.enabled" is one key with dots in it, which Helm never splits: the chart '
            "reads hubble.metrics.enabled, nested") in err


def test_a_wrapper_gives_its_release_and_a_plain_file_says_it_has_none() -> None:
    code, out, err = run("import", str(CORPUS / "31-flux-helmrelease.yaml"))
    assert code == 0 and err == "" and tomllib.loads(out)["ciliumVersion"] == "1.18.12"
    code, out, err = run("import", str(CORPUS / "01-k3s-kube-proxy-replacement.yaml"))
    assert code == 0 and "names no Cilium release: the config pins 1.18.4" in err


@pytest.mark.parametrize("name", ["21-removed-tunnel-vxlan.yaml",
                                  "38-narrow-gatewayclass-create-bool.yaml"])
def test_what_the_chart_refuses_is_not_imported(name: str, tmp_path: Path) -> None:
    target = tmp_path / "nixgen.toml"
    code, out, err = run("import", str(CORPUS / name), "--cilium-version", release_of(name),
                         "-o", str(target))  # fmt: skip
    assert code == 2 and out == "" and err.count("\n") == 1 and not target.exists()
    assert REFUSED[name] in err
