"""The rules are one table, judged by Python before anything is written and by the module in
Nix on the values Nix computes: the chart's own refusals, checked with `helm template`, are
refused by the rule they belong to, and Python and Nix agree on every rule and on random values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from goldens import path_of
from hypothesis import given, settings, strategies as st
from nixharness import ENV, NixEvalError, api_host, evaluate, strictly_equal

from nixgen import pipeline, tree
from nixgen.checks import extra, lang, rules, verdicts
from nixgen.checks.values import ValuesError
from nixgen.errors import NixgenError
from nixgen.facts import catalog, chart, versions
from nixgen.input.choices import PROFILES
from nixgen.input.config import from_command_line
from nixgen.pipeline import planned
from nixgen.plan.model import without_nulls

CASES = json.loads((Path(__file__).parent / "fixtures" / "chart-refusals.json").read_text())["cases"]
# nixgen's own rules: what the agent refuses at run time (the chart renders these).
OWN = {
    "auto-direct-routes-need-native": {"autoDirectNodeRoutes": True, "routingMode": "tunnel"},
    "bpf.masquerade-needs-kpr": {"kubeProxyReplacement": False, "bpf": {"masquerade": True}},
    "gatewayAPI.enabled-needs-kpr": {"kubeProxyReplacement": False, "bpf": {"masquerade": False},
                                     "gatewayAPI": {"enabled": True}},
    "ingressController.enabled-needs-kpr": {
        "kubeProxyReplacement": False, "bpf": {"masquerade": False},
        "gatewayAPI": {"enabled": False}, "ingressController": {"enabled": True}},
    "l2announcements.enabled-needs-kpr": {
        "kubeProxyReplacement": False, "bpf": {"masquerade": False},
        "gatewayAPI": {"enabled": False}, "l2announcements": {"enabled": True}},
    "kpr-needs-k8sServiceHost": {"kubeProxyReplacement": True, "k8sServiceHost": ""},
    "kpr-needs-k8sServicePort": {"kubeProxyReplacement": True, "k8sServicePort": None},
    "cluster-pool-needs-a-cidr": {"ipam": {"mode": "cluster-pool",
                                           "operator": {"clusterPoolIPv4PodCIDRList": []}}},
    "ipsec-with-host-firewall": {"encryption": {"enabled": True, "type": "ipsec"},
                                 "hostFirewall": {"enabled": True}},
    "no-ip-family": {"ipv4": {"enabled": False}, "ipv6": {"enabled": False}},
}  # fmt: skip


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries]


RULE_CASES = [c for c in CASES if c["rule"] in {r.id for r in rules.RULES}]
EXTRAS = {f.__name__: f for f in extra.EXTRA}


@pytest.mark.parametrize("case", RULE_CASES, ids=lambda c: c["chart"])
def test_each_chart_refusal_is_the_rule_it_belongs_to_in_every_release_it_exists_in(
    case: dict[str, Any],
) -> None:
    for version in case["releases"]:
        table = rules.table()
        minor = versions.minor(version)
        assert case["rule"] in _ids(verdicts.broken(table, minor, case["trigger"])), version
        if "passes" in case:
            assert case["rule"] not in _ids(verdicts.broken(table, minor, case["passes"])), version


@pytest.mark.parametrize("case", [c for c in CASES if c["rule"].startswith("python:")],
                         ids=lambda c: c["chart"])  # fmt: skip
def test_a_refusal_the_rules_cannot_say_is_a_python_check(case: dict[str, Any]) -> None:
    check = EXTRAS[case["rule"].removeprefix("python:")]
    for version in case["releases"]:
        minor = versions.minor(version)
        assert check(case["trigger"], minor) is not None, version
        assert check(case["passes"], minor) is None, version


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["chart"])
def test_nixgen_refuses_every_value_the_chart_refuses(case: dict[str, Any]) -> None:
    """Through the whole pipeline, at every release the chart refuses it in: whatever stops
    it (the rule named, the chart check for a removed or mistyped key), it does not pass."""
    values = tree.deep_merge(case.get("with", {}), case["trigger"])
    for version in case["releases"]:
        with pytest.raises(NixgenError):
            pipeline.checked_plan({"ciliumVersion": version, "values": values})


@pytest.mark.parametrize("version", list(catalog.load().releases))
def test_no_rule_breaks_on_the_defaults_alone(version: str) -> None:
    minor = versions.minor(version)
    for entry in rules.table():
        assert not lang.holds(entry["when"], {}), entry["id"]
    assert verdicts.broken(rules.table(), minor, {}) == []


@pytest.mark.parametrize("entry", rules.table(), ids=lambda e: e["id"])
def test_a_rule_needs_each_value_it_is_skipped_without(entry: dict[str, Any]) -> None:
    """A rule is judged only where its `needs` are set: with any one of them absent, its
    condition cannot hold, whatever else is set (each needed path is read by a conjunct of
    the condition that is false at its default)."""
    triggers = [c["trigger"] for c in CASES if c["rule"] == entry["id"]] + (
        [OWN[entry["id"]]] if entry["id"] in OWN else [])
    trigger = next(t for t in triggers if lang.holds(entry["when"], t))
    for path in entry["needs"]:
        without = tree.deep_merge(trigger, tree.nest(path, None))
        assert not lang.holds(entry["when"], without), path


def test_every_rule_has_a_case() -> None:
    assert {r.id for r in rules.RULES} == {c["rule"] for c in RULE_CASES} | set(OWN)
    assert set(EXTRAS) - {"pod_cidrs_overlap"} == {
        c["rule"].removeprefix("python:") for c in CASES if c["rule"].startswith("python:")}


@pytest.mark.parametrize("version", chart.versions())
def test_a_rules_default_judges_as_the_charts_own_default(version: str) -> None:
    """A rule reads an absent value as its default: where the chart has one (not null), the
    rule must judge the same with it, in every release the rule applies to."""
    defaults = chart.load(version).defaults()
    minor = versions.minor(version)
    for entry in rules.table():
        if not verdicts.broken([{**entry, "when": ["all"]}], minor, {}):
            continue  # the rule does not apply to this release
        for leaf in lang.leaves(entry["when"]):
            own = tree.lookup(defaults, tuple(leaf[1]))
            if own is not None:
                present = tree.nest(leaf[1], own)
                assert lang.holds(leaf, present) == lang.holds(leaf, {}), (entry["id"], leaf)


UNIQUE = [r for r in rules.RULES if r.since and sum(o.id == r.id for o in rules.RULES) == 1
          and any(c["rule"] == r.id for c in RULE_CASES)]


@pytest.mark.parametrize("rule", UNIQUE, ids=lambda r: r.id)
def test_a_rule_of_later_releases_lets_earlier_ones_pass(rule: rules.Rule) -> None:
    trigger = next(c["trigger"] for c in RULE_CASES if c["rule"] == rule.id)
    for version in catalog.load().releases:
        minor = versions.minor(version)
        fires = rule.id in _ids(verdicts.broken(rules.table(), minor, trigger))
        assert fires == (versions.numbers(minor) >= versions.numbers(rule.since)), version


def _trigger(rule_id: str) -> tuple[dict[str, Any], str]:
    if rule_id in OWN:
        return OWN[rule_id], "1.18.4"
    case = next(c for c in RULE_CASES if c["rule"] == rule_id)
    return tree.deep_merge(case.get("with", {}), case["trigger"]), case["releases"][-1]


def _first_broken(name: str, version: str, profile: str, helm_values: dict[str, Any]) -> str | None:
    """What Python says the module's values break first (the message the module throws)."""
    spec = from_command_line(cilium_version=version, flavor="nixidy" if "nixidy" in name else None)
    built = planned(spec)
    values = tree.deep_merge(built.values_for(profile, ENV), helm_values)
    hits = verdicts.broken(rules.table(), built.release.minor, values)
    return verdicts.message(hits[0], values) if hits else None


def _nix(name: str, version: str, profile: str, helm_values: dict[str, Any],
         fake_trees: dict[str, Path], lib_path: str) -> Any:
    flavor = "nixidy" if "nixidy" in name else "hetzkube"
    src = fake_trees[catalog.load().release_for(version).version]
    built = planned(from_command_line(cilium_version=version, flavor=flavor))
    # The API server host where the module leaves it to Nix, unless the rule's values set it.
    host = api_host(built.values_for(profile)).get("settings", {})
    settings = {"version": version, "helmValues": tree.deep_merge(host, helm_values)}
    return evaluate(path_of(name), flavor, profile == "local", src, lib_path, settings,
                    part="values")  # fmt: skip


def _typed_refusal(name: str, version: str, helm_values: dict[str, Any]) -> str | None:
    """The typed setting whose constraint `nixgen module` refuses `helm_values` at (the module's
    option type refuses them too, before any rule), else None."""
    flavor = "nixidy" if "nixidy" in name else "hetzkube"
    try:
        pipeline.checked_plan({"ciliumVersion": version, "flavor": flavor, "values": helm_values})
    except ValuesError as err:
        found = re.search(r"typed setting settings\.([A-Za-z0-9.]+) holds", str(err))
        return found.group(1) if found else None
    except NixgenError:
        return None
    return None


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hetzkube-1.18.4", "nixidy-1.18.4"])
@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.id)
def test_each_rule_fails_the_module_through_helm_values_with_nixgens_message(
    rule: rules.Rule, name: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """The rule's case fails the module with the rule's message, or, where `nixgen module`
    refuses it at a typed setting first (`k8sServiceHost = ""`, `ipam.mode = eni`), with that
    option's type, as the command line does."""
    helm_values, version = _trigger(rule.id)
    message = _first_broken(name, version, "production", helm_values)
    assert message is not None
    typed = _typed_refusal(name, version, helm_values)
    with pytest.raises(NixEvalError) as err:
        _nix(name, version, "production", helm_values, fake_trees, lib_path)
    if typed is None:
        assert f"nixgen: {message}" in str(err.value)
    else:
        assert f"cilium.settings.{typed}' is not of type" in str(err.value)


LEAF_PATHS = sorted({tuple(p) for r in rules.table() for p in lang.paths(r["when"])})
LEAF_VALUES = st.one_of(st.booleans(), st.none(), st.sampled_from(
    ["", "true", "false", "native", "tunnel", "ipsec", "cluster-pool", "eni", "default", "prod-1",
     "Local", "Cluster", "auto", "certmanager", "netkit", "10.0.0.0/8", "Bad_Name"]),
    st.sampled_from([0, 1, 255, 511, -1, 2**32]), st.just([]), st.just(["x"]))  # fmt: skip


@pytest.mark.slow
@pytest.mark.nix
@settings(max_examples=30)
@given(picked=st.dictionaries(st.sampled_from(LEAF_PATHS), LEAF_VALUES, max_size=6),
       profile=st.sampled_from(PROFILES),
       version=st.sampled_from(["1.16.19", "1.18.4", "1.19.6", "1.20.0"]))  # fmt: skip
def test_python_and_nix_agree_on_random_values(
    picked: dict[tuple[str, ...], Any], profile: str, version: str,
    fake_trees: dict[str, Path],
) -> None:
    """What `nixgen module` refuses at a typed setting, the module's option type refuses; what
    it refuses by a rule, the module refuses naming the rule; what it takes, the module
    evaluates to."""
    helm_values: dict[str, Any] = {}
    for path, value in sorted(picked.items()):
        helm_values = tree.deep_merge(helm_values, tree.nest(list(path), value))
    name = "hetzkube-1.18.4"
    typed = _typed_refusal(name, version, helm_values)
    message = _first_broken(name, version, profile, helm_values)
    if typed is not None:
        with pytest.raises(NixEvalError) as err:
            _nix(name, version, profile, helm_values, fake_trees, "")
        # (with several settings refused, Nix may name another of them first)
        assert re.search(r"option `cilium\.settings\.[A-Za-z0-9.]+' is not of type", str(err.value))
    elif message is None:
        got = _nix(name, version, profile, helm_values, fake_trees, "")
        built = planned(from_command_line(cilium_version=version))
        want = tree.deep_merge(built.values_for(profile, ENV), helm_values)
        assert strictly_equal(got, without_nulls(want, built.nullable))
    else:
        with pytest.raises(NixEvalError) as err:
            _nix(name, version, profile, helm_values, fake_trees, "")
        assert f"nixgen: {message}" in str(err.value)
