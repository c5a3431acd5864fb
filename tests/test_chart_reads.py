"""The chart facts read from the six released charts (tests/fixtures/charts): the shipped store is
what the importer reads from them, the keys the templates read through variables are known (and
do what the chart says under helm), and no path the reader adds is bogus."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nixgen.cli import cli
from nixgen.facts import chart, chartread, locations
from nixgen.facts.valuepath import dotted

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ROOT / "tests" / "fixtures" / "charts"
RELEASES = ["1.16.19", "1.17.18", "1.18.4", "1.18.12", "1.19.6", "1.20.0"]
# Keys the agent's ConfigMap takes from `$socketLB := coalesce .Values.socketLB
# .Values.hostServices` (`hasKey $socketLB "hostNamespaceOnly"`, `$socketLB.hostNamespaceOnly`).
SOCKET_LB = {"hostNamespaceOnly": "bpf-lb-sock-hostns-only",
             "terminatePodConnections": "bpf-lb-sock-terminate-pod-connections",
             "tracing": "trace-sock"}  # fmt: skip


def test_the_shipped_chart_facts_are_what_the_importer_reads(tmp_path: Path) -> None:
    read = [chartread.read_chart(CHARTS / f"cilium-{v}.tgz") for v in RELEASES]
    written = chartread.write_store(read, str(tmp_path))
    chart.forget()
    assert sorted(written) == sorted([f"{v}.json" for v in RELEASES] + ["docs.json"])
    for name in written:
        shipped = Path(locations.CHART_STORE, name).read_bytes()
        assert (tmp_path / name).read_bytes() == shipped, name


@pytest.mark.parametrize("version", RELEASES)
def test_keys_read_through_a_template_variable_are_known(version: str) -> None:
    facts = chart.load(version)
    for key in SOCKET_LB:
        info = facts.info(("socketLB", key))
        assert info is not None and info.source == "template", key
        assert facts.doc(("socketLB", key)), key  # values.yaml shows them as commented keys
        # The other side of the coalesce is read too, below a key read whole.
        assert facts.info(("hostServices", key)).source == "template", key


def _values_maps(facts: chart.Chart) -> set[tuple[str, ...]]:
    """The maps values.yaml itself has: the parents of its leaves."""
    leaves = [p for p in facts.paths() if facts.info(p).source in ("values", "map")]
    return {p[:i] for p in leaves for i in range(1, len(p))}


# Template paths below a map values.yaml no longer has: 1.20 reads the keys it moved to
# clustermesh.apiserver.tls.auto.server as a fallback (`dig "server" "extraDnsNames" (list)
# .Values.clustermesh.apiserver.tls`).
FALLBACKS = {"1.20.0": {"clustermesh.apiserver.tls.server.extraDnsNames",
                        "clustermesh.apiserver.tls.server.extraIpAddresses"}}  # fmt: skip


@pytest.mark.parametrize("version", RELEASES)
def test_every_template_path_hangs_below_a_map_the_chart_has(version: str) -> None:
    """A template-only path is a key of the root, of a map values.yaml has, or of a value a
    template reads whole: never below a key the chart does not know (a typo or a misread)."""
    facts = chart.load(version)
    maps = _values_maps(facts)
    rows = set(facts.paths())
    found = [p for p in facts.paths() if facts.info(p).source == "template"]
    assert len(found) > 50
    below_nothing = set()
    for path in found:
        parent = path[:-1]
        if parent and parent not in maps and parent not in rows:
            below_nothing.add(dotted(path))
        assert "Values" not in path and "AsMap" not in path, dotted(path)
        above = [parent[:i] for i in range(1, len(parent) + 1)]
        assert not any(facts.info(p).source == "values" and "object" not in facts.info(p).types
                       and not facts.info(p).open for p in above), dotted(path)  # fmt: skip
    assert below_nothing == FALLBACKS.get(version, set())


@pytest.mark.parametrize("version", RELEASES)
def test_socket_lb_keys_pass_the_command_line_in_every_release(version: str) -> None:
    for key in SOCKET_LB:
        result = CliRunner().invoke(cli, ["module", "--cilium-version", version, "--format",
                                          "never", "--set", f"socketLB.{key}=true"])  # fmt: skip
        assert result.exit_code == 0, (key, result.stderr)


def _render(helm: str, version: str, values: dict[str, Any], folder: Path) -> str:
    file = folder / "values.json"
    file.write_text(json.dumps(values), encoding="utf-8")
    done = subprocess.run([helm, "template", "cilium", str(CHARTS / f"cilium-{version}.tgz"),
                           "-n", "kube-system", "-f", str(file)], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("version", RELEASES)
def test_socket_lb_keys_reach_the_agents_config_map_under_helm(version: str, tmp_path: Path,
                                                               helm: str) -> None:  # fmt: skip
    def settings(text: str) -> dict[str, str]:
        return dict(re.findall(r"^  (bpf-lb-sock[-a-z]*|trace-sock): \"(\w+)\"$", text, re.M))

    plain = settings(_render(helm, version, {}, tmp_path))
    assert plain == {"bpf-lb-sock": "false"}
    given = settings(_render(helm, version, {"socketLB": {k: True for k in SOCKET_LB}}, tmp_path))
    assert given == {"bpf-lb-sock": "false", **{entry: "true" for entry in SOCKET_LB.values()}}
