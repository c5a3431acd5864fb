"""Chart facts: every stored release knows its values' paths, types, defaults and docs; a final
values tree is checked against them; removed keys are explained with what replaces them."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, strategies as st

from nixgen.checks.values import Problem, against_chart as check
from nixgen.facts import changes, chart, chartread, locations
from nixgen.facts.changes import removed_in
from nixgen.facts.chart import load
from nixgen.facts.valuepath import dotted, split_dotted
from nixgen.nixatoms import Raw
from nixgen.plan.model import Split

RELEASES = ["1.16.19", "1.17.18", "1.18.4", "1.18.12", "1.19.6", "1.20.0"]
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def tree(*pairs: tuple[str, Any]) -> dict[str, Any]:
    """A values tree from dotted paths and values."""
    out: dict[str, Any] = {}
    for text, value in pairs:
        *parents, last = split_dotted(text)
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def test_every_catalog_release_has_chart_facts() -> None:
    assert chart.versions() == RELEASES
    for version in RELEASES:
        assert load(version).version == version
        assert len(load(version).paths()) > 1000


@pytest.mark.parametrize("version", RELEASES)
def test_the_charts_own_defaults_pass(version: str) -> None:
    facts = load(version)
    defaults = facts.defaults()
    assert defaults["hubble"]["relay"]["enabled"] is False
    assert defaults["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert check(defaults, facts) == []


@pytest.mark.parametrize("version", ["1.18.4", "1.20.0"])
def test_real_paths_at_their_defaults_pass_one_by_one(version: str) -> None:
    facts = load(version)
    leaves = [p for p in facts.paths() if facts.info(p).source == "values"]
    sample = leaves[:: len(leaves) // 60]
    assert len(sample) >= 60
    for path in sample:
        values = tree((dotted(path), facts.info(path).default))
        assert check(values, facts) == [], dotted(path)


def _one_slip(a: str, b: str) -> bool:
    """Damerau–Levenshtein distance 1, computed the slow obvious way."""
    if a == b:
        return False
    letters = set(a + b)
    edits = {a[:i] + a[i + 1 :] for i in range(len(a))}
    edits |= {a[:i] + c + a[i + 1 :] for i in range(len(a)) for c in letters}
    edits |= {a[:i] + c + a[i:] for i in range(len(a) + 1) for c in letters}
    edits |= {a[:i] + a[i + 1] + a[i] + a[i + 2 :] for i in range(len(a) - 1)}
    return b in edits


def _typos(key: str) -> list[str]:
    middle = len(key) // 2
    return [key[:middle] + key[middle + 1 :],  # a letter left out
            key[:middle] + key[middle] + key[middle:],  # a letter typed twice
            key[:middle] + ("q" if key[middle] != "q" else "z") + key[middle + 1 :],  # wrong
            key[: middle - 1] + key[middle] + key[middle - 1] + key[middle + 1 :]]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("version", ["1.18.4", "1.20.0"])
def test_one_letter_typos_are_refused_with_the_path_meant(version: str) -> None:
    facts = load(version)
    checked = 0
    for path in facts.paths()[::9]:
        if len(path[-1]) < 4 or not _PLAIN.fullmatch(path[-1]):
            continue
        siblings = [p[-1] for p in facts.paths() if p[:-1] == path[:-1]]
        for typo in _typos(path[-1]):
            wrong = (*path[:-1], typo)
            if facts.known(wrong) or [s for s in siblings if _one_slip(typo, s)] != [path[-1]]:
                continue  # a real path, or as close to another sibling
            value = facts.info(path).default
            problems = check(tree((dotted(wrong), value)), facts)
            message = (f"{dotted(wrong)}: Cilium {version}'s chart has no such value "
                       f"(did you mean {dotted(path)}?)")  # fmt: skip
            assert problems == [Problem(dotted(wrong), message)]
            checked += 1
    assert checked > 200


def test_a_typo_in_an_inner_key_and_a_path_far_from_any() -> None:
    facts = load("1.18.4")
    assert facts.nearest("hubbel.relay.enabled") == "hubble.relay.enabled"
    assert facts.nearest("hubble.rellay.enabled") == "hubble.relay.enabled"
    assert facts.nearest("completely.different") is None
    (problem,) = check({"completely": {"different": 1}}, facts)
    assert problem.message == "completely: Cilium 1.18.4's chart has no such value"


@pytest.mark.parametrize("version", RELEASES)
def test_keys_values_yaml_only_shows_as_comments_are_known(version: str) -> None:
    facts = load(version)
    for text in ("policyAuditMode", "devices", "k8s.serviceProxyName",
                 "hubble.eventBufferCapacity"):  # fmt: skip
        assert facts.known(text), text
    values = tree(("policyAuditMode", True), ("devices", "eth+"), ("k8s.serviceProxyName", "x"),
                  ("hubble.eventBufferCapacity", "65535"))  # fmt: skip
    assert check(values, facts) == []
    assert facts.info("policyAuditMode").source == "template"
    assert facts.info("policyAuditMode").default is None


def test_a_commented_key_keeps_its_doc() -> None:
    facts = load("1.18.4")
    assert facts.info("devices").source == "template"
    assert facts.doc("devices").startswith("Specify which network interfaces can run the eBPF")
    assert facts.doc("hubble.eventBufferCapacity").startswith("Number of recent flows")
    assert facts.doc("hubble.relay.enabled") == "Enable Hubble Relay (requires hubble.enabled=true)"
    assert load("1.20.0").info("devices").source == "values"  # a real key from 1.20 on
    assert facts.doc("no.such.path") is None


@pytest.mark.parametrize("version", ["1.16.19", "1.18.4", "1.20.0"])
def test_open_maps_take_any_key(version: str) -> None:
    facts = load(version)
    values = tree(('nodeSelector."kubernetes.io/os"', "linux"),
                  ('nodeSelector."node-role.kubernetes.io/worker"', ""),
                  ("podAnnotations.x", "y"), ("podAnnotations.deep", {"nested": [1]}),
                  ('extraConfig."bpf-lb-sock"', "true"),
                  ("operator.nodeSelector.zone", "a"),
                  ("resources.limits.memory", "1Gi"),
                  ("securityContext.runAsUser", 0))  # fmt: skip
    assert check(values, facts) == []
    assert facts.info("podAnnotations.x").source == "free"
    assert facts.info("nodeSelector") == chart.PathInfo(
        ("nodeSelector",), ("object",), {"kubernetes.io/os": "linux"}, "map", open=True)
    # A key the chart lists below an open map keeps its type.
    key = 'nodeSelector."kubernetes.io/os"'
    assert check(tree((key, 3)), facts) == [
        Problem(key, f"{key}: the chart expects string, got integer")]  # fmt: skip


def _messages(values: dict[str, Any], version: str = "1.18.4") -> list[str]:
    return [p.message for p in check(values, load(version))]


def test_wrong_types_are_refused() -> None:
    assert _messages(tree(("hubble.relay.enabled", "true"))) == [
        "hubble.relay.enabled: the chart expects boolean, got string"]  # fmt: skip
    assert _messages(tree(("operator.replicas", "2"))) == [
        "operator.replicas: the chart expects integer, got string"]  # fmt: skip
    assert _messages(tree(("operator.replicas", True))) == [
        "operator.replicas: the chart expects integer, got boolean"]  # fmt: skip
    assert _messages(tree(("hubble.relay.enabled", {"x": 1}))) == [
        "hubble.relay.enabled: the chart expects boolean, got object"]  # fmt: skip
    assert _messages(tree(("cluster.name", ["a"]))) == [
        "cluster.name: the chart expects string, got array"]  # fmt: skip
    assert _messages(tree(("hubble.metrics.enabled", "dns"))) == [
        "hubble.metrics.enabled: the chart expects null or array, got string"]  # fmt: skip


def test_the_schema_decides_where_a_default_would_mislead() -> None:
    # k8sServicePort defaults to "" and kubeProxyReplacement to "false", but the schema takes
    # both a string and a number or a boolean.
    assert load("1.18.4").info("k8sServicePort").types == ("string", "integer")
    ok = tree(("k8sServicePort", 6443), ("kubeProxyReplacement", True), ("MTU", 1450))
    assert _messages(ok) == []
    assert _messages(tree(("k8sServicePort", "6443"), ("kubeProxyReplacement", "true"))) == []
    assert _messages(tree(("k8sServicePort", True))) == [
        "k8sServicePort: the chart expects string or integer, got boolean"]  # fmt: skip
    assert _messages(tree(("kubeProxyReplacement", True)), "1.16.19") == []  # read, not listed


def test_null_removes_a_default_and_is_always_taken() -> None:
    nulls = tree(('nodeSelector."kubernetes.io/os"', None), ("operator.replicas", None))
    assert _messages(nulls) == []
    assert _messages(tree(("no.such", None))) == ["no: Cilium 1.18.4's chart has no such value"]


def test_nix_expressions_and_profile_splits() -> None:
    assert _messages(tree(("hubble.relay.enabled", Raw("cfg.relay")),
                          ("operator", Raw("cfg.operator")))) == []  # fmt: skip
    assert _messages(tree(("operator.replicas", Split(1, "three")))) == [
        "operator.replicas: the chart expects integer, got string"]  # fmt: skip
    assert _messages(tree(("operator.replicas", Split(1, 3)))) == []
    assert _messages(tree(("operator.replicsa", Raw("x")))) == [
        ("operator.replicsa: Cilium 1.18.4's chart has no such value "
         "(did you mean operator.replicas?)")]  # fmt: skip


# A key the charts refuse, a value each chart fails on, and one it lets by.
REFUSED = [
    ("tunnel", "vxlan", False),
    ("encryption.keyFile", "keys", ""),
    ("proxy.prometheus.enabled", False, ""),  # tested through toString: false fails too
    ("endpointStatus", {"enabled": True}, {}),
    ("clustermesh.apiserver.tls.ca.cert", "Y2VydA==", ""),
]  # fmt: skip


@pytest.mark.parametrize(("key", "bad", "fine"), REFUSED)
@pytest.mark.parametrize("version", RELEASES)
def test_a_key_the_chart_refuses_is_refused_unchecked_or_not(key: str, bad: Any, fine: Any,
                                                             version: str) -> None:  # fmt: skip
    facts = load(version)
    refusal = facts.refusal(key)
    path = split_dotted(key)
    message = (f"{key}: Cilium {version}'s chart refuses it: {refusal.message} "
               f"({changes.instead(key)})")  # fmt: skip
    expected = [Problem(key, message, refused=True)]
    assert check(tree((key, bad)), facts) == expected
    # An entry of uncheckedValues at it, above it or below it passes nothing.
    for i in range(1, len(path) + 1):
        assert check(tree((key, bad)), facts, unchecked=[path[:i]]) == expected
    if isinstance(bad, dict):
        assert check(tree((key, bad)), facts, unchecked=[(*path, *bad)]) == expected
    # Whatever set it: a Nix expression (its value unknown), either side of a profile split.
    assert check(tree((key, Raw("config.x"))), facts) == expected
    assert check(tree((key, Split(fine, bad))), facts) == expected
    # A value the chart lets by is an unknown key that says why, and an entry passes it.
    (problem,) = check(tree((key, fine)), facts)
    assert problem.removed and not problem.refused and refusal.message in problem.message
    assert f"'s chart has no such value ({'' if problem.path == key else key + ': '}" in (
        problem.message)
    assert check(tree((key, fine)), facts, unchecked=[path]) == []


def test_when_a_chart_fails_on_a_refused_key() -> None:
    truthy = chart.Refusal(("k",), "truthy", "m")
    fails = (True, 1, -1, 0.5, "x", "false", [0], {"a": None})
    assert [v for v in fails if not truthy.refuses(v)] == []
    assert [v for v in (False, 0, 0.0, "", [], {}, None) if truthy.refuses(v)] == []
    nonempty = chart.Refusal(("k",), "nonempty", "m")
    assert [v for v in (False, 0, [], {}, "x") if not nonempty.refuses(v)] == []
    assert [v for v in ("", None) if nonempty.refuses(v)] == []


BUMPS = [
    ("nodePort.enabled", "1.18.12", "1.19.6",
     "removed in Cilium 1.19: set kubeProxyReplacement=true instead"),
    ("enableCiliumEndpointSlice", "1.17.18", "1.18.4",
     "removed in Cilium 1.18: use ciliumEndpointSlice.enabled"),
    ("l2podAnnouncements.interface", "1.18.4", "1.19.6",
     "removed in Cilium 1.19: use l2podAnnouncements.interfacePattern"),
    ("encryption.strictMode.enabled", "1.19.6", "1.20.0",
     "removed in Cilium 1.20: use encryption.strictMode.egress.enabled"),
    ("encryption.strictMode.cidr", "1.19.6", "1.20.0",
     "removed in Cilium 1.20: use encryption.strictMode.egress.cidr"),
    ("encryption.strictMode.allowRemoteNodeIdentities", "1.19.6", "1.20.0",
     "removed in Cilium 1.20: use encryption.strictMode.egress.allowRemoteNodeIdentities"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "source", "target", "why"), BUMPS)
def test_removed_keys_are_explained_on_their_step(path: str, source: str, target: str,
                                                  why: str) -> None:  # fmt: skip
    assert removed_in(path, source, target).startswith(why)
    assert removed_in(path, "1.16.19", "1.20.0").startswith(why)  # over several steps
    before = RELEASES[RELEASES.index(source) - 1] if source != "1.16.19" else source
    assert removed_in(path, before, source) is None  # still there one step earlier
    values = tree((path, load(source).info(path).default))
    (problem,) = check(values, load(target), since=source)
    assert problem.path == path
    assert problem.message.startswith(f"{path}: Cilium {target}'s chart has no such value ({why}")
    assert problem.message.endswith(")")


def test_removed_in_without_a_curated_note_and_backwards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changes, "_changes", dict)
    assert removed_in("nodePort.enabled", "1.16.19", "1.20.0") == "removed in Cilium 1.19"
    assert removed_in("preferIpv6", "1.20.0", "1.19.6") == "added after Cilium 1.19"
    assert removed_in("hubble.relay.enabled", "1.18.4", "1.19.6") is None  # still known
    assert removed_in("no.such", "1.18.4", "1.19.6") is None  # never known


def test_a_release_without_facts_gives_no_history() -> None:
    values = tree(("nodePort.enabled", True))
    (problem,) = check(values, load("1.19.6"), since="1.15.0")
    assert problem.message == "nodePort.enabled: Cilium 1.19.6's chart has no such value"


def test_every_curated_removal_names_a_key_an_older_release_had() -> None:
    notes = json.loads((Path(locations.CHANGES_FILE)).read_text(encoding="utf-8"))["removed"]
    assert {"1.15", "1.16", "1.17", "1.18", "1.19", "1.20"} <= set(notes)
    for minor, entries in notes.items():
        older = [v for v in RELEASES if tuple(map(int, v.split(".")))[:2]
                 < tuple(map(int, minor.split(".")))]  # fmt: skip
        for path in entries:
            if not older:  # removed before every release nixgen knows: each chart refuses it
                assert all(load(v).refusal(path) for v in RELEASES), (minor, path)
                continue
            assert any(load(v).info(path) and load(v).info(path).source == "values"
                       for v in older), (minor, path)  # fmt: skip


def test_every_refused_key_says_what_to_set_instead() -> None:
    for version in RELEASES:
        for refusal in load(version).refusals():
            assert changes.instead(refusal.path), (version, dotted(refusal.path))


def test_an_unknown_release_is_refused() -> None:
    with pytest.raises(chart.UnknownChart, match=r"no chart facts for Cilium 1\.21\.0 .*1\.20\.0"):
        load("1.21.0")
    with pytest.raises(chart.UnknownChart):
        load("../catalog")


def test_a_check_reads_one_release_and_no_docs_nor_yaml() -> None:
    code = ("import sys, nixgen.facts.chart as c, nixgen.checks.values as v; "
            "v.against_chart({'x': 1}, c.load('1.18.4')); "
            "print(sorted(m for m in sys.modules if m == 'yaml' or m.endswith('chartread')), "
            "c._docs.cache_info().currsize, c._load.cache_info().currsize)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert out.split() == ["[]", "0", "1"]


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4))
def test_dotted_paths_read_back(path: list[str]) -> None:
    assert split_dotted(dotted(path)) == tuple(path)


# ------------------------------------------------------------------ reading a chart

VALUES_YAML = """\
# -- (string) The cluster's name.
# Second line of the same doc.
clusterName: ""
hubble:
  relay:
    # @schema
    # type: [null, boolean]
    # @schema
    # -- Enable relay.
    enabled: false
  # -- Flows kept.
  # eventBufferCapacity: "4095"

  metrics:
    # -- Metrics to collect. If empty, metrics are off.
    # Example:
    #
    #   enabled:
    #   - dns
    #
    # From the helm CLI:
    #
    #   --set hubble.metrics.enabled="{dns}"
    #
    enabled: []
    # --- Port of the metrics server.
    # --set hubble.metrics.port=1
    port: 9965
  # -- Examples.
  # ref: https://example.org/
  list:
    - name: a
      # -- not a value path
      inner: 1
# -- Node selector.
nodeSelector:
  kubernetes.io/os: linux
podAnnotations: {}
operator:
  replicas: 2
  image: |
    not: a key
  notes: null
extra:
  scalar: 3
  unset: null
ranged:
  a: 1
"""
SCHEMA = {"properties": {
    "hubble": {"properties": {"relay": {"properties": {"enabled": {"type": ["null", "boolean"]}}}}},
    "operator": {"properties": {"notes": {"type": ["null", "object"]},
                                "replicas": {"enum": [1, 2, 3]}}},
    "clusterName": {"type": "string"}}}  # fmt: skip
TEMPLATES = {
    "templates/configmap.yaml": (
        '{{ .Values.hubble.relay.enabled }} {{ $.Values.policyAuditMode }}\n'
        '{{- if hasKey .Values.hubble "eventBufferCapacity" }}{{ end }}\n'
        '{{ index .Values "k8s" "serviceProxyName" }} {{ $root.Values.devices }}\n'
        '{{ dig "old" "key" (list) .Values.legacy }} {{ .Values.extra.scalar.nonsense }}\n'
        '{{ .Values.podAnnotations.x }} {{ .Values.AsMap }}\n'
        '{{- $r := coalesce .Values.hubble.relay .Values.oldRelay -}}\n'
        '{{- if hasKey $r "tracing" }}{{ $r.tracing }}{{ end }}\n'
        '{{- range $k, $v := .Values.ranged }}{{ $v.notAPath }}{{ end }}\n'),
    "templates/validate.yaml": ('{{ if .Values.removedThing }}{{ fail "removedThing is gone" }}'
                                '{{ end }}\n{{ if .Values.quietThing }}{{ fail }}{{ end }}\n'),
}


def _write_chart(root: Path) -> None:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("name: cilium\nversion: 9.8.7\n", encoding="utf-8")
    (root / "values.yaml").write_text(VALUES_YAML, encoding="utf-8")
    (root / "values.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    for name, text in TEMPLATES.items():
        (root / name).write_text(text, encoding="utf-8")


EXPECTED_PATHS = {
    "clusterName": {"types": ["string"], "default": "", "source": "values", "open": False},
    "devices": {"types": ["any"], "default": None, "source": "template", "open": False},
    "extra.scalar": {"types": ["integer"], "default": 3, "source": "values", "open": False},
    # A null default the schema does not type: any value.
    "extra.unset": {"types": ["any"], "default": None, "source": "values", "open": False},
    "hubble.eventBufferCapacity": {"types": ["any"], "default": None, "source": "template",
                                   "open": False},
    "hubble.list": {"types": ["array"], "default": [{"name": "a", "inner": 1}],
                    "source": "values", "open": False},
    "hubble.metrics.enabled": {"types": ["array"], "default": [], "source": "values",
                               "open": False},
    "hubble.metrics.port": {"types": ["integer"], "default": 9965, "source": "values",
                            "open": False},
    "hubble.relay.enabled": {"types": ["null", "boolean"], "default": False, "source": "values",
                             "open": False},
    # Read through a template variable.
    "hubble.relay.tracing": {"types": ["any"], "default": None, "source": "template",
                             "open": False},
    "k8s.serviceProxyName": {"types": ["any"], "default": None, "source": "template",
                             "open": False},
    # Read whole (dig's map argument) and below: a map or anything else.
    "legacy": {"types": ["any"], "default": None, "source": "template", "open": False},
    "legacy.old.key": {"types": ["any"], "default": None, "source": "template", "open": False},
    "nodeSelector": {"types": ["object"], "default": None, "source": "map", "open": True},
    "oldRelay": {"types": ["any"], "default": None, "source": "template", "open": False},
    "oldRelay.tracing": {"types": ["any"], "default": None, "source": "template", "open": False},
    'nodeSelector."kubernetes.io/os"': {"types": ["string"], "default": "linux",
                                        "source": "values", "open": False},
    "operator.image": {"types": ["string"], "default": "not: a key\n", "source": "values",
                       "open": False},
    "operator.notes": {"types": ["null", "object"], "default": None, "source": "values",
                       "open": True},
    "operator.replicas": {"types": ["integer"], "default": 2, "source": "values", "open": False},
    "podAnnotations": {"types": ["object"], "default": {}, "source": "values", "open": True},
    "policyAuditMode": {"types": ["any"], "default": None, "source": "template", "open": False},
    # A map of known keys a template ranges over: it passes any key on.
    "ranged": {"types": ["object"], "default": None, "source": "map", "open": True},
    "ranged.a": {"types": ["integer"], "default": 1, "source": "values", "open": False},
}  # fmt: skip
EXPECTED_REFUSED = {"removedThing": {"when": "truthy", "message": "removedThing is gone"}}
EXPECTED_DOCS = {
    "clusterName": "The cluster's name. Second line of the same doc.",
    "hubble.eventBufferCapacity": "Flows kept.",
    "hubble.list": "Examples.",
    # The description, not the examples after it (`--set ...` is no doc of its own).
    "hubble.metrics.enabled": "Metrics to collect. If empty, metrics are off.",
    "hubble.metrics.port": "Port of the metrics server.",
    "hubble.relay.enabled": "Enable relay.",
    "nodeSelector": "Node selector.",
}


def test_read_chart_from_a_folder(tmp_path: Path) -> None:
    _write_chart(tmp_path / "cilium")
    facts = chartread.read_chart(tmp_path / "cilium")
    assert facts == {"version": "9.8.7", "paths": EXPECTED_PATHS, "refused": EXPECTED_REFUSED,
                     "docs": EXPECTED_DOCS}  # fmt: skip


def test_read_chart_from_a_tgz_and_store_it(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _write_chart(tmp_path / "cilium")
    tgz = tmp_path / "cilium-9.8.7.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(tmp_path / "cilium", arcname="cilium")
        payload = b"version: 0.0.1\n"  # a subchart's files are not the chart's
        info = tarfile.TarInfo("cilium/charts/sub/Chart.yaml")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    facts = chartread.read_chart(tgz)
    assert facts == chartread.read_chart(tmp_path / "cilium")

    store = tmp_path / "store"
    assert chartread.main(["--out", str(store), str(tgz)]) == 0
    monkeypatch.setattr(locations, "CHART_STORE", str(store))
    chart.forget()
    try:
        facts = load("9.8.7")
        assert check(tree(("operator.replicas", "2"), ("podAnnotations.a", 1),
                          ("hubble.relay.enabled", True), ("operator.notes.x", 1)), facts) == [
            Problem("operator.replicas",
                    "operator.replicas: the chart expects integer, got string")]  # fmt: skip
        assert facts.doc("clusterName") == EXPECTED_DOCS["clusterName"]
        assert facts.info("extra.scalar.nonsense") is None
        assert facts.info("ranged.anything").source == "free"
        assert facts.info("removedThing") is None and facts.info("quietThing") is None
        assert facts.refusals() == [chart.Refusal(("removedThing",), "truthy",
                                                  "removedThing is gone")]  # fmt: skip
        assert check(tree(("removedThing", True)), facts) == [Problem(
            "removedThing", "removedThing: Cilium 9.8.7's chart refuses it: removedThing is gone",
            refused=True)]
    finally:
        chart.forget()


def test_a_chart_without_values_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Chart.yaml").write_text("version: 1.0.0\n", encoding="utf-8")
    with pytest.raises(chartread.ChartError, match="no values.yaml"):
        chartread.read_chart(tmp_path)
    assert chartread.main([str(tmp_path / "missing.tgz")]) == 2
