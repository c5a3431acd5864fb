"""The module stands on its own: typed `cilium.settings.*` options (and hetzkube's own options)
that a Nix user sets like any module's, judged in Nix by their types and by nixgen's rules; and
a real production module, hetzkube's, reproduced by a config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from goldens import path_of
from nixharness import CLUSTER_HOST, NixEvalError, evaluate, strictly_equal

from nixgen import tree
from nixgen.cli import cli
from nixgen.input.choices import PROFILES
from nixgen.input.config import from_command_line
from nixgen.pipeline import planned

FLAVORS = {"hetzkube": "hetzkube-1.18.4", "nixidy": "nixidy-1.18.4"}
HOST = "10.0.0.9"


def _eval(flavor: str, options: dict[str, Any], fake_trees: dict[str, Path], lib_path: str,
          part: str = "values", local: bool = False, module: Path | None = None) -> Any:
    """The module's `part` with `options` set (nixidy's production API server host too, which
    has no default)."""
    if flavor == "nixidy" and not local:
        options = tree.deep_merge({"settings": {"k8sServiceHost": HOST}}, options)
    return evaluate(module or path_of(FLAVORS[flavor]), flavor, local, fake_trees["1.18.4"],
                    lib_path, options, part=part)  # fmt: skip


def _generated(flavor: str, profile: str) -> Any:
    return planned(from_command_line(flavor=flavor)).values_for(
        profile, {"cfg.settings.k8sServiceHost": HOST, "config.clusterHost": CLUSTER_HOST})


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize(("setting", "bad"), [
    ({"routingMode": "bogus"}, "cilium.settings.routingMode"),
    ({"k8sServicePort": 70000}, "cilium.settings.k8sServicePort"),
    ({"operator": {"replicas": -1}}, "cilium.settings.operator.replicas"),
    ({"hubble": {"relay": {"enabled": "true"}}}, "cilium.settings.hubble.relay.enabled"),
])  # fmt: skip
def test_a_bad_value_through_the_settings_options_fails_naming_the_option(
    flavor: str, setting: dict[str, Any], bad: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    with pytest.raises(NixEvalError) as err:
        _eval(flavor, {"settings": setting}, fake_trees, lib_path)
    assert bad in str(err.value) and "is not of type" in str(err.value)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_good_override_through_the_settings_options_reaches_the_helm_values(
    flavor: str, profile: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    override = {"operator": {"replicas": 5}, "tunnelProtocol": "vxlan",
                "ingressController": {"enabled": True, "loadbalancerMode": "shared"}}  # fmt: skip
    got = _eval(flavor, {"settings": override}, fake_trees, lib_path, local=profile == "local")
    assert strictly_equal(got, tree.deep_merge(_generated(flavor, profile), override))


@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_setting_the_config_leaves_unset_is_null_and_left_to_the_chart(
    flavor: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """ipv4NativeRoutingCIDR: nullOr, null by default, absent from the values until set; a
    null over one of nixgen's defaults leaves that setting to the chart too, as Helm reads a
    null."""
    assert "ipv4NativeRoutingCIDR" not in _eval(flavor, {}, fake_trees, lib_path)
    assert _eval(flavor, {}, fake_trees, lib_path)["bpf"] == {"masquerade": True}
    nulled = _eval(flavor, {"settings": {"bpf": {"masquerade": None}}}, fake_trees, lib_path)
    assert "bpf" not in nulled
    got = _eval(flavor, {"settings": {"ipv4NativeRoutingCIDR": "10.0.0.0/8"}}, fake_trees,
                lib_path)  # fmt: skip
    assert got["ipv4NativeRoutingCIDR"] == "10.0.0.0/8"


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize(("setting", "message"), [
    ({"routingMode": "native"}, "routingMode = native with IPv4 masquerading"),
    ({"hubble": {"relay": {"enabled": False}}},
     "hubble.ui.enabled needs hubble.relay.enabled"),
    ({"kubeProxyReplacement": False}, "bpf.masquerade needs kubeProxyReplacement = true"),
])  # fmt: skip
def test_a_setting_option_that_breaks_a_rule_fails_with_nixgens_message(
    flavor: str, setting: dict[str, Any], message: str, fake_trees: dict[str, Path],
    lib_path: str,
) -> None:
    with pytest.raises(NixEvalError) as err:
        _eval(flavor, {"settings": setting}, fake_trees, lib_path)
    assert f"nixgen: {message}" in str(err.value)


def test_hetzkubes_policy_audit_mode_option_sets_the_setting(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = _eval("hetzkube", {"policyAuditMode": True}, fake_trees, lib_path)
    assert got["policyAuditMode"] is True
    assert _eval("hetzkube", {}, fake_trees, lib_path)["policyAuditMode"] is False


def test_hetzkubes_gateway_api_option_turns_gateway_api_off(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = _eval("hetzkube", {"gatewayAPI": False}, fake_trees, lib_path, part="all")
    assert got["values"]["gatewayAPI"]["enabled"] is False
    assert got["gatewayApi"]["enable"] is False


def test_hetzkubes_options_follow_the_config(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[settings]\npolicyAuditMode = { local = true, production = false }\n'
                      'gatewayAPI.enabled = false\n')  # fmt: skip
    module = tmp_path / "cilium.nix"
    result = CliRunner().invoke(cli, ["module", "--config", str(config), "-o", str(module),
                                      "--format", "never"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = module.read_text(encoding="utf-8")
    assert ('(lib.mkAliasOptionModule [ "cilium" "policyAuditMode" ] '
            '[ "cilium" "settings" "policyAuditMode" ])') in text
    for local in (True, False):
        got = _eval("hetzkube", {}, fake_trees, lib_path, local=local, module=module)
        assert got["policyAuditMode"] is local and got["gatewayAPI"]["enabled"] is False


def test_nixidy_has_no_hetzkube_options(fake_trees: dict[str, Path], lib_path: str) -> None:
    with pytest.raises(NixEvalError) as err:
        _eval("nixidy", {"policyAuditMode": True}, fake_trees, lib_path)
    assert "cilium.policyAuditMode' does not exist" in str(err.value)


# ---------------------------------------------------------------- a real production module

# hetzkube's kubenix/modules/cilium.nix, production: its Helm values and its policies, as a
# nixgen config.
HETZKUBE = """
flavor = "hetzkube"
ciliumVersion = "1.18.4"

[settings]
kubeProxyReplacement = true
routingMode = "tunnel"
tunnelProtocol = "geneve"
autoDirectNodeRoutes = false
ipam.mode = "kubernetes"
bpf.masquerade = true
k8sServiceHost = { nix = "config.clusterHost" }
k8sServicePort = 6443
policyEnforcementMode = "default"
gatewayAPI.enabled = true
ingressController = { enabled = true, default = true, loadbalancerMode = "shared" }
hubble = { enabled = true, relay.enabled = true, ui.enabled = true }
operator.replicas = 2
rollOutCiliumPods = true

[policies]
defaultPolicy = false          # hetzkube's own ep-default, with ICMP, is below
hubbleRelayPolicy = false

[[policies.extra]]
kind = "CiliumClusterwideNetworkPolicy"
name = "node-default"
[policies.extra.spec]
nodeSelector = {}
egress = [ { toEntities = ["all"] } ]
ingress = [
  { fromEntities = ["all"], toPorts = [ { ports = [
      { port = "22", protocol = "TCP" }, { port = "2379", protocol = "TCP" },
      { port = "2380", protocol = "TCP" }, { port = "6443", protocol = "TCP" } ] } ] },
  { fromEntities = ["cluster"] },
  { fromEntities = ["all"], icmps = [ { fields = [
      { type = "EchoRequest", family = "IPv4" }, { type = "EchoRequest", family = "IPv6" } ] } ] },
]

[[policies.extra]]
kind = "CiliumClusterwideNetworkPolicy"
name = "ep-ingress-reserved"
spec = { endpointSelector.matchLabels."reserved:ingress" = "", ingress = [ { fromEntities = ["all"] } ] }

[[policies.extra]]
kind = "CiliumClusterwideNetworkPolicy"
name = "ep-ingress-label"
spec = { endpointSelector.matchLabels."cilium.io/ingress" = "true", ingress = [ { fromEntities = ["all"] } ] }

[[policies.extra]]
kind = "CiliumClusterwideNetworkPolicy"
name = "ep-default"
[policies.extra.spec]
endpointSelector = {}
egress = [ { toEntities = ["all"] } ]
ingress = [
  { fromEntities = ["cluster", "ingress"] },
  { fromEntities = ["all"], icmps = [ { fields = [
      { type = "EchoRequest", family = "IPv4" }, { type = "EchoRequest", family = "IPv6" } ] } ] },
]

[[objects]]
patch = true
kind = "Secret"
metadata = { name = "cilium-ca", namespace = "kube-system", annotations."kluctl.io/ignore-diff" = "true" }

[production]
ipv6 = true
hostFirewall = true

[values]
cluster.name = { "$nix" = "config.clusterName" }
enableIPv6Masquerade = false
enableLBIPAM = true
pmtuDiscovery.enabled = true
nodeSelectorLabels = true
localRedirectPolicy = true    # hetzkube writes enableLocalRedirectPolicy, which 1.18 ignores
envoy.rollOutPods = true
operator.rollOutPods = true
hubble.relay.rollOutPods = true
hubble.ui.rollOutPods = true
ingressController.service.labels.ingress = "all"
ingressController.service.annotations."metallb.io/allow-shared-ip" = "true"
ingressController.service.annotations."lbipam.cilium.io/sharing-key" = "*"
ingressController.service.annotations."lbipam.cilium.io/sharing-cross-namespace" = "*"
"""

# What hetzkube's module writes, by hand; nixgen adds policyAuditMode (hetzkube's option, which
# hetzkube itself writes into the agents' ConfigMap) and k3s's CNI directories.
HETZKUBE_VALUES = {
    "policyEnforcementMode": "default", "policyAuditMode": False,
    "hubble": {"enabled": True, "relay": {"enabled": True, "rollOutPods": True},
               "ui": {"enabled": True, "rollOutPods": True}},
    "cluster": {"name": "hetzkube-test"}, "enableIPv6Masquerade": False, "enableLBIPAM": True,
    "ipam": {"mode": "kubernetes"}, "ipv6": {"enabled": True}, "bpf": {"masquerade": True},
    "pmtuDiscovery": {"enabled": True}, "hostFirewall": {"enabled": True},
    "nodeSelectorLabels": True, "rollOutCiliumPods": True, "envoy": {"rollOutPods": True},
    "operator": {"replicas": 2, "rollOutPods": True}, "k8sServiceHost": CLUSTER_HOST,
    "k8sServicePort": 6443, "kubeProxyReplacement": True, "autoDirectNodeRoutes": False,
    "routingMode": "tunnel", "tunnelProtocol": "geneve", "localRedirectPolicy": True,
    "ingressController": {
        "enabled": True, "default": True, "loadbalancerMode": "shared",
        "service": {"annotations": {"metallb.io/allow-shared-ip": "true",
                                    "lbipam.cilium.io/sharing-key": "*",
                                    "lbipam.cilium.io/sharing-cross-namespace": "*"},
                    "labels": {"ingress": "all"}}},
    "gatewayAPI": {"enabled": True},
    "cni": {"binPath": "/opt/cni/bin", "confPath": "/etc/cni/net.d"},
}  # fmt: skip
ICMP = {"fromEntities": ["all"], "icmps": [{"fields": [{"type": "EchoRequest", "family": "IPv4"},
                                                       {"type": "EchoRequest", "family": "IPv6"}]}]}
HETZKUBE_POLICIES = {
    "node-default": {"nodeSelector": {}, "egress": [{"toEntities": ["all"]}], "ingress": [
        {"fromEntities": ["all"], "toPorts": [{"ports": [
            {"port": p, "protocol": "TCP"} for p in ("22", "2379", "2380", "6443")]}]},
        {"fromEntities": ["cluster"]}, ICMP]},
    "ep-ingress-reserved": {"endpointSelector": {"matchLabels": {"reserved:ingress": ""}},
                            "ingress": [{"fromEntities": ["all"]}]},
    "ep-ingress-label": {"endpointSelector": {"matchLabels": {"cilium.io/ingress": "true"}},
                         "ingress": [{"fromEntities": ["all"]}]},
    "ep-default": {"endpointSelector": {}, "egress": [{"toEntities": ["all"]}],
                   "ingress": [{"fromEntities": ["cluster", "ingress"]}, ICMP]},
}  # fmt: skip


def test_a_config_reproduces_hetzkubes_production_module(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    config = tmp_path / "hetzkube.toml"
    config.write_text(HETZKUBE, encoding="utf-8")
    module = tmp_path / "cilium.nix"
    result = CliRunner().invoke(cli, ["module", "--config", str(config), "-o", str(module),
                                      "--format", "never"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    got = evaluate(module, "hetzkube", False, fake_trees["1.18.4"], lib_path)
    assert strictly_equal(got["values"], HETZKUBE_VALUES)
    policies = {o["metadata"]["name"]: o for o in got["objects"]
                if o["kind"] == "CiliumClusterwideNetworkPolicy"}  # fmt: skip
    assert {name: o["spec"] for name, o in policies.items()} == HETZKUBE_POLICIES
    assert {o["apiVersion"] for o in policies.values()} == {"cilium.io/v2"}
    secret = next(o for o in got["objects"] if o["kind"] == "Secret")
    assert secret["metadata"]["annotations"] == {"kluctl.io/ignore-diff": "true"}


def test_a_nix_expression_through_set_and_in_an_object_spec_is_nix(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[[policies.extra]]\nkind = "CiliumNetworkPolicy"\nname = "named"\nnamespace = "apps"\n'
        'spec = { endpointSelector.matchLabels.cluster = { "$nix" = "config.clusterName" }, '
        'egress = [ { toEntities = ["cluster"] } ] }\n')  # fmt: skip
    module = tmp_path / "cilium.nix"
    result = CliRunner().invoke(cli, ["module", "--config", str(config), "-o", str(module),
                                      "--format", "never",
                                      "--set", 'cluster.name={"$nix":"config.clusterName"}'])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = module.read_text(encoding="utf-8")
    assert "cluster.name = lib.mkDefault config.clusterName;" in text
    got = evaluate(module, "hetzkube", False, fake_trees["1.18.4"], lib_path)
    assert got["values"]["cluster"]["name"] == "hetzkube-test"
    policy = next(o for o in got["objects"] if o["metadata"]["name"] == "named")
    assert policy["spec"]["endpointSelector"]["matchLabels"]["cluster"] == "hetzkube-test"
