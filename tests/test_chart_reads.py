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

from nixgen.checks.values import against_chart
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


@pytest.mark.slow
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


def _refusal_cases() -> list[tuple[str, str]]:
    """(release, key): each key the charts refuse, once, in one of the releases that refuse it,
    the releases taken in turn so that every one is rendered."""
    out: list[tuple[str, str]] = []
    keys = sorted({dotted(r.path) for v in RELEASES for r in chart.load(v).refusals()})
    for i, key in enumerate(keys):
        refusing = [v for v in RELEASES if chart.load(v).refusal(key)]
        out.append((refusing[i % len(refusing)], key))
    assert {v for v, _ in out} == set(RELEASES)
    return out


def _nested(key: str, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(key.split(".")):
        out = {part: out}
    return out


@pytest.mark.parametrize(("version", "key"), _refusal_cases())
def test_each_refused_key_fails_the_real_chart_with_its_message(version: str, key: str,
                                                                tmp_path: Path,
                                                                helm: str) -> None:  # fmt: skip
    refusal = chart.load(version).refusal(key)
    file = tmp_path / "values.json"
    # A value the chart fails on whichever way it tests the key: false for a `toString` test.
    file.write_text(json.dumps(_nested(key, False if refusal.when == "nonempty" else "x")),
                    encoding="utf-8")  # fmt: skip
    done = subprocess.run([helm, "template", "cilium", str(CHARTS / f"cilium-{version}.tgz"),
                           "-n", "kube-system", "-f", str(file)], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode != 0
    assert refusal.message in " ".join(done.stderr.split()), done.stderr


@pytest.mark.parametrize("version", ["1.16.19", "1.18.4", "1.20.0"])
def test_values_the_chart_lets_by_at_its_refused_keys_render(version: str, tmp_path: Path,
                                                            helm: str) -> None:  # fmt: skip
    values: dict[str, Any] = {}
    for refusal in chart.load(version).refusals():
        fine = "" if refusal.when == "nonempty" else False
        assert not refusal.refuses(fine)
        node = values
        for part in refusal.path[:-1]:
            node = node.setdefault(part, {})
        node[refusal.path[-1]] = fine
    assert len(values) >= 10
    _render(helm, version, values, tmp_path)


CHART_CHECK = [c for c in json.loads((ROOT / "tests" / "fixtures" / "chart-refusals.json")
                                     .read_text(encoding="utf-8"))["cases"]
               if c["rule"] == "chart-check" and c["chart"].startswith("removed-")]  # fmt: skip


@pytest.mark.parametrize("case", CHART_CHECK, ids=lambda c: c["chart"])
def test_the_removed_keys_the_chart_refuses_are_the_facts_refusals(case: dict[str, Any]) -> None:
    """The refusals of removed keys recorded with helm (tests/fixtures/chart-refusals.json) are
    refusals of the facts, with the chart's message, in every release the case names and no
    other."""
    for version in RELEASES:
        problems = against_chart(case["trigger"], chart.load(version))
        if version in case["releases"]:
            assert [p.refused for p in problems] == [True], version
            assert case["message"] in problems[0].message, version
        else:
            assert not any(p.refused for p in problems), version


# ------------------------------------------------------------------ docs


def _docs(version: str) -> dict[str, str]:
    """Path → doc of every path of the release, maps included."""
    facts = chart.load(version)
    every = {p[:i] for p in facts.paths() for i in range(1, len(p) + 1)}
    docs = {dotted(p): facts.doc(p) for p in every}
    return {p: d for p, d in docs.items() if d}


# An example where a description belongs: `set a.b="..."` (the tail of `--set`), `--set ...`,
# `key: value`, a YAML list item.
_EXAMPLE_DOC = re.compile(r"-*\s*set\s+\S+=|.*--set\s|[\w.\"-]+:\s*\S*$|-\s")


@pytest.mark.parametrize("version", RELEASES)
def test_no_doc_is_an_example(version: str) -> None:
    docs = _docs(version)
    assert len(docs) > 800
    assert {p: d for p, d in docs.items() if _EXAMPLE_DOC.match(d)} == {}


def _readme_rows(version: str) -> dict[str, str]:
    """Key → description of the chart's README.md, which helm-docs writes from values.yaml."""
    import tarfile

    with tarfile.open(CHARTS / f"cilium-{version}.tgz") as tar:
        handle = tar.extractfile("cilium/README.md")
        assert handle is not None
        text = handle.read().decode("utf-8")
    rows = re.findall(r"^\| (\S+) \| \S+ \| (?:`[^`]*`|[^|]*?) \| (.*) \|$", text, re.M)
    return {key: desc for key, desc in rows if key != "Key"}


@pytest.mark.parametrize("version", RELEASES)
def test_each_doc_is_the_start_of_the_helm_docs_description(version: str) -> None:
    """helm-docs' description of a key runs on through the examples after it; nixgen's doc is
    its description up to them."""
    readme = _readme_rows(version)
    assert len(readme) > 700
    docs = _docs(version)
    for key, desc in readme.items():
        helm_docs = " ".join(desc.lstrip("- ").split())
        if not helm_docs:
            continue
        assert key in docs, key
        assert helm_docs.startswith(" ".join(docs[key].split())), (key, docs[key], helm_docs)


KNOWN_DOCS = {
    "hubble.metrics.enabled": ("Configures the list of metrics to collect. If empty or null, "
                               "metrics are disabled."),
    "hubble.redact.http.urlQuery": "Enables redacting URL query (GET) parameters.",
    "hubble.redact.http.headers.allow": (
        "List of HTTP headers to allow: headers not matching will be redacted. Note: `allow` and "
        "`deny` lists cannot be used both at the same time, only one can be present."),
    "hubble.ui.service.type": ("The type of service used for Hubble UI access, either ClusterIP "
                               "or NodePort."),
    "envoy.debug.admin.port": ("Port number (bound to loopback interface). kubectl port-forward "
                               "can be used to access the admin interface."),
    "hubble.relay.enabled": "Enable Hubble Relay (requires hubble.enabled=true)",
}  # fmt: skip


@pytest.mark.parametrize("version", RELEASES)
def test_docs_that_examples_used_to_replace(version: str) -> None:
    docs = _docs(version)
    assert {k: docs.get(k) for k in KNOWN_DOCS} == KNOWN_DOCS


def test_explain_prints_the_description_not_an_example() -> None:
    for version in RELEASES:
        result = CliRunner().invoke(cli, ["explain", "hubble.metrics.enabled",
                                          "--cilium-version", version])  # fmt: skip
        assert result.exit_code == 0
        assert result.stdout.splitlines()[1] == "  " + KNOWN_DOCS["hubble.metrics.enabled"]


# ------------------------------------------------------------------ real values files

CORPUS = ROOT / "tests" / "fixtures" / "values"


def _corpus_config(name: str, folder: Path, **extra: Any) -> tuple[Path, str]:
    """A config whose `values` are the corpus file's, pinned to the release it targets."""
    import yaml

    text = (CORPUS / name).read_text(encoding="utf-8")
    match = re.search(r"^# Target: cilium (\S+)$", text, re.M)
    assert match is not None
    config = folder / f"{name}.json"
    config.write_text(json.dumps({"ciliumVersion": match.group(1), "values": yaml.safe_load(text),
                                  **extra}), encoding="utf-8")  # fmt: skip
    return config, match.group(1)


def test_a_values_file_with_socket_lb_keys_is_taken(tmp_path: Path, helm: str) -> None:
    config, version = _corpus_config("17-socket-lb.yaml", tmp_path)
    module = CliRunner().invoke(cli, ["module", "--config", str(config), "--format", "never"])
    assert module.exit_code == 0, module.stderr
    values = CliRunner().invoke(cli, ["values", "--config", str(config), "--profile",
                                      "production", "--output", "json"])  # fmt: skip
    assert values.exit_code == 0, values.stderr
    rendered = _render(helm, version, json.loads(values.stdout), tmp_path)
    for entry in ("bpf-lb-sock", "bpf-lb-sock-hostns-only",
                  "bpf-lb-sock-terminate-pod-connections"):  # fmt: skip
        assert f'  {entry}: "true"\n' in rendered, entry


@pytest.mark.parametrize(("name", "key", "instead"), [
    ("21-removed-tunnel-vxlan.yaml", "tunnel", "use routingMode and tunnelProtocol"),
    ("22-removed-containerruntime-integration.yaml", "containerRuntime.integration",
     "use bpf.autoMount.enabled"),
])  # fmt: skip
def test_a_values_file_with_a_key_the_chart_refuses_is_refused_unchecked_or_not(
    name: str, key: str, instead: str, tmp_path: Path
) -> None:
    for unchecked in ([], [key], [key.split(".")[0]]):
        config, version = _corpus_config(name, tmp_path, uncheckedValues=unchecked)
        result = CliRunner().invoke(cli, ["module", "--config", str(config), "--format",
                                          "never"])  # fmt: skip
        assert result.exit_code == 2 and result.stdout == ""
        (line,) = [l for l in result.stderr.splitlines() if l.startswith("nixgen: error: ")]
        message = chart.load(version).refusal(key).message
        assert line.startswith(f"nixgen: error: {key}: Cilium {version}'s chart refuses it: "
                               f"{message} ({instead})"), line  # fmt: skip
        assert "--unchecked" not in line
