"""For generated configs, the module evaluates, in both profiles, to exactly what
`nixgen values` prints; arbitrary keys and strings in the config's `values` table come out of
Nix exactly as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_values import values_output
from hypothesis import given, settings, strategies as st
from nixharness import ENV, api_host, evaluate, strictly_equal
from strategies import TEXT

from nixgen import tree
from nixgen.facts.chart import dotted
from nixgen.input.choices import PROFILES
from nixgen.input.spec import Spec, validate
from nixgen.pipeline import planned
from nixgen.plan import model

POD_CIDRS = ["10.42.0.0/16", "10.43.0.0/16", "10.44.0.0/16", "172.16.0.0/20"]
POOL_CIDRS = ["192.0.2.0/28", "192.0.2.16/28", "198.51.100.0/24", "2001:db8::/120"]


LABEL_VALUE = st.from_regex(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?", fullmatch=True)


def profiled(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, st.fixed_dictionaries({"local": strategy, "production": strategy}))


@st.composite
def hubble(draw: st.DrawFn) -> dict[str, Any]:
    """ui needs relay needs hubble, in each profile."""
    per = {}
    for profile in PROFILES:
        on = draw(st.booleans())
        relay = on and draw(st.booleans())
        per[profile] = (on, relay, relay and draw(st.booleans()))

    def field(i: int) -> Any:
        local, production = per["local"][i], per["production"][i]
        return local if local == production else {"local": local, "production": production}

    return {"enabled": field(0), "relay": {"enabled": field(1)}, "ui": {"enabled": field(2)}}


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    kpr = draw(st.booleans())
    native = draw(st.booleans())
    flavor = draw(st.sampled_from(["hetzkube", "nixidy"]))
    # hetzkube's clusterHost, where there is one (nixidy has none)
    expression = ([{"nix": "config.clusterHost"}, {"$nix": "config.clusterHost"}]
                  if flavor == "hetzkube" else [])  # fmt: skip
    s: dict[str, Any] = {
        "kubeProxyReplacement": kpr,
        "routingMode": "native" if native else "tunnel",
        "k8sServiceHost": draw(profiled(st.sampled_from(
            ["127.0.0.1", "api.example.com", "fd00::1", *expression]))),
        "k8sServicePort": draw(st.integers(1, 65535)),
        "policyEnforcementMode": draw(st.sampled_from(["default", "always", "never"])),
        "policyAuditMode": draw(profiled(st.booleans())),
        "hubble": draw(hubble()),
        "operator": {"replicas": draw(profiled(st.integers(0, 5)))},
        "rollOutCiliumPods": draw(st.booleans()),
        "bpf": {"masquerade": kpr and draw(st.booleans())},
        "gatewayAPI": {"enabled": kpr and draw(st.booleans())},
        "ingressController": {"enabled": kpr and draw(st.booleans()),
                              "default": draw(st.booleans()),
                              "loadbalancerMode": draw(st.sampled_from(["shared", "dedicated"]))},
    }  # fmt: skip
    if native:
        s["ipv4NativeRoutingCIDR"] = "10.0.0.0/8"
        s["ipv6NativeRoutingCIDR"] = "fd00::/104"
        s["autoDirectNodeRoutes"] = draw(st.booleans())
    else:
        s["tunnelProtocol"] = draw(st.sampled_from(["geneve", "vxlan"]))
    if draw(st.booleans()):
        cidrs = draw(st.lists(st.sampled_from(POD_CIDRS), min_size=1, max_size=3, unique=True))
        s["ipam"] = {"mode": "cluster-pool", "operator": {"clusterPoolIPv4PodCIDRList": cidrs}}
    ipsec = draw(st.booleans())
    s["encryption"] = {"enabled": draw(st.booleans()), "type": "ipsec" if ipsec else "wireguard"}
    production = {
        "ipv6": draw(st.booleans()),
        "bgpControlPlane": draw(st.booleans()),
        "hostFirewall": not ipsec and draw(st.booleans()),
        "l2announcements": kpr and draw(st.booleans()),
        "loadBalancerIPPools": draw(st.dictionaries(
            st.sampled_from(["public", "internal", "edge"]),
            st.lists(st.sampled_from(POOL_CIDRS), min_size=1, max_size=1), max_size=2,
        ).filter(lambda pools: len({c for cs in pools.values() for c in cs})
                 == sum(len(cs) for cs in pools.values()))),
    }  # fmt: skip
    policies = {
        "defaultPolicy": draw(st.booleans()),
        "hubbleRelayPolicy": draw(st.booleans()),
        "extra": [{"kind": "CiliumNetworkPolicy", "name": "mine", "namespace": "apps",
                   # a label value as Kubernetes takes it (nixgen.checks.k8s)
                   "labels": {"team": draw(LABEL_VALUE)},
                   # Free text where the CRD takes any string (label values have a pattern).
                   "spec": {"description": draw(TEXT), "endpointSelector": {},
                            "egress": [{"toEntities": ["all"]}]}}]
        if draw(st.booleans()) else [],
    }  # fmt: skip
    return {
        "flavor": flavor,
        "ciliumVersion": draw(st.sampled_from(["1.16.19", "1.17.18", "1.18.4", "1.19.6", "1.20.0"])),
        "settings": s,
        "production": production,
        "policies": policies,
    }


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


def check_config(config: dict[str, Any], folder: Path, fake_trees: dict[str, Path]) -> None:
    from click.testing import CliRunner

    from nixgen.cli import cli

    path = folder / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    args = ["module", "--config", str(path)]
    result = CliRunner().invoke(cli, [*args, "--format", "never"])
    assert result.exit_code == 0, result.stderr
    module = folder / "cilium.nix"
    module.write_text(result.stdout, encoding="utf-8")
    spec = validate(config)
    src = fake_trees[planned(spec).release.version]
    plan = planned(spec)
    for profile in PROFILES:
        got = evaluate(module, spec.flavor, profile == "local", src,
                       settings={**api_host(plan.values_for(profile)),
                                 "version": spec.ciliumVersion})  # fmt: skip
        assert strictly_equal(got["values"], values_output(args, profile, False, ENV))
        want_objects = sorted(values_output(args, profile, True, ENV), key=_key)
        assert strictly_equal(sorted(got["objects"], key=_key), want_objects)


@pytest.mark.slow
@pytest.mark.nix
@settings(max_examples=30)
@given(config=configs())
def test_generated_configs_evaluate_to_what_nixgen_values_prints(
    config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, fake_trees: dict[str, Path]
) -> None:
    check_config(config, tmp_path_factory.mktemp("config"), fake_trees)


VALUES = st.recursive(
    st.one_of(TEXT, st.booleans(), st.integers(-(2**63), 2**63 - 1), st.none()),
    # (any key but `$nix`, which marks a Nix expression: a table of `nix` is data)
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.one_of(TEXT, st.just("nix")).filter(lambda k: k != "$nix"), children,
                      max_size=3),
    max_leaves=10,
)


@pytest.mark.slow
@pytest.mark.nix
@settings(max_examples=25)
@given(values=st.dictionaries(TEXT.map(lambda k: "x-" + k), VALUES, min_size=1, max_size=5),
       flavor=st.sampled_from(["hetzkube", "nixidy"]))  # fmt: skip
def test_values_table_keys_and_strings_come_out_of_nix_exactly(
    values: dict[str, Any], flavor: str, tmp_path_factory: pytest.TempPathFactory,
    fake_trees: dict[str, Path],
) -> None:  # fmt: skip
    # Keys no chart knows: passed by name past the chart check.
    config = {"flavor": flavor, "values": values, "uncheckedValues": [dotted((k,)) for k in values]}
    check_config(config, tmp_path_factory.mktemp("values"), fake_trees)
    # and, independently of `nixgen values`, each given value is there as given
    folder = tmp_path_factory.mktemp("direct")
    plan = planned(Spec(flavor=flavor))
    base = model.resolve(plan.values, "production", ENV)
    want = tree.deep_merge(base, values)
    from click.testing import CliRunner

    from nixgen.cli import cli

    path = folder / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    module = folder / "cilium.nix"
    assert CliRunner().invoke(cli, ["module", "--config", str(path), "-o", str(module)]).exit_code == 0
    got = evaluate(module, flavor, False, fake_trees["1.18.4"],
                   settings=api_host(plan.values_for("production")), part="values")  # fmt: skip
    assert strictly_equal(got, want)
