"""Each cross-field rule: a clear error naming the settings, exit 2, nothing written; the
rules judge the final values, however a setting arrived."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nixgen.cli import cli


def run_config(tmp_path: Path, config: dict[str, Any], *extra: str) -> tuple[int, str, str, Path]:
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    target = tmp_path / "cilium.nix"
    target.write_text("previous\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["module", "--format", "never", "--config", str(path),
                                      "-o", str(target), *extra])  # fmt: skip
    return result.exit_code, result.stdout, result.stderr, target


ERRORS = {
    "native-routing-needs-cidr": (
        {"settings": {"routingMode": "native"}}, [],
        ("routingMode = native with IPv4 masquerading (enableIPv4Masquerade, on by default) "
        "needs ipv4NativeRoutingCIDR")),
    "auto-direct-routes-with-tunnel": (
        {"settings": {"autoDirectNodeRoutes": True}}, [],
        "autoDirectNodeRoutes needs routingMode = native"),
    "bpf-masquerade-needs-kpr": (
        {"settings": {"kubeProxyReplacement": False, "bpf": {"masquerade": True}}}, [],
        "bpf.masquerade needs kubeProxyReplacement = true: kubeProxyReplacement = false (config "
        "settings.kubeProxyReplacement); bpf.masquerade = true (config settings.bpf.masquerade)"),
    "gateway-api-needs-kpr": (
        {"settings": {"kubeProxyReplacement": False, "gatewayAPI": {"enabled": True}}}, [],
        "gatewayAPI.enabled needs kubeProxyReplacement = true"),
    "ingress-controller-needs-kpr": (
        {"settings": {"kubeProxyReplacement": False, "bpf": {"masquerade": False},
                      "gatewayAPI": {"enabled": False}, "ingressController": {"enabled": True}}},
        [], "ingressController.enabled needs kubeProxyReplacement = true"),
    "l2-announcements-need-kpr": (
        {"settings": {"kubeProxyReplacement": False, "bpf": {"masquerade": False},
                      "gatewayAPI": {"enabled": False}}, "production": {"l2announcements": True}},
        [], "l2announcements.enabled needs kubeProxyReplacement = true (in the production profile)"),
    "kpr-needs-api-host": (
        # The typed setting's own constraint refuses the value before the rule sees it.
        {}, ["--set", 'k8sServiceHost=""'], "k8sServiceHost = \"\": neither an IP address"),
    "kpr-needs-api-port": (
        {"settings": {"kubeProxyReplacement": True}}, ["--set", "k8sServicePort=null"],
        "kubeProxyReplacement needs k8sServicePort (in Nix: cilium.settings.k8sServicePort): "
        "without kube-proxy the agents reach the API "
        "server only through it: kubeProxyReplacement = true (config settings.kubeProxyReplacement); "
        "k8sServicePort = null (--set k8sServicePort=null)"),
    "typed-port": (
        {}, ["--set", "k8sServicePort=0"], "k8sServicePort = 0: must be a port, 1 to 65535"),
    "ui-needs-relay": (
        {"settings": {"hubble": {"relay": {"enabled": False}, "ui": {"enabled": True}}}}, [],
        ("hubble.ui.enabled needs hubble.relay.enabled (the chart refuses it otherwise): "
         "hubble.ui.enabled = true (config settings.hubble.ui.enabled); hubble.ui.standalone.enabled "
         "= false (the chart's default); hubble.relay.enabled = false (config "
         "settings.hubble.relay.enabled)")),
    "relay-needs-hubble": (
        {"settings": {"hubble": {"enabled": False, "relay": {"enabled": True}}}},
        ["--set", "hubble.ui.enabled=false"],
        ("hubble.relay.enabled needs hubble.enabled (the chart refuses it otherwise): "
         "hubble.relay.enabled = true (config settings.hubble.relay.enabled); hubble.enabled = "
         "false (config settings.hubble.enabled)")),
    "cluster-pool-needs-a-cidr": (
        {"settings": {"ipam": {"mode": "cluster-pool",
                               "operator": {"clusterPoolIPv4PodCIDRList": []}}}}, [],
        ("ipam.mode = cluster-pool needs at least one pod CIDR in "
        "ipam.operator.clusterPoolIPv4PodCIDRList")),
    "cluster-pool-cidrs-overlap": (
        {"settings": {"ipam": {"mode": "cluster-pool", "operator": {
            "clusterPoolIPv4PodCIDRList": ["10.42.0.0/16", "10.42.128.0/17"]}}}}, [],
        "ipam.operator.clusterPoolIPv4PodCIDRList: 10.42.0.0/16"),
    "ipsec-with-host-firewall": (
        {"settings": {"encryption": {"enabled": True, "type": "ipsec"}},
         "production": {"hostFirewall": True}}, [],
        "encryption.type = ipsec cannot be combined with hostFirewall.enabled"),
    "pools-overlap": (
        {"production": {"loadBalancerIPPools": {"a": ["192.0.2.0/24"], "b": ["192.0.2.128/25"]}}},
        [], "production.loadBalancerIPPools: 192.0.2.0/24 (a) overlaps 192.0.2.128/25 (b)"),
    "no-ip-family": (
        {}, ["--set", "ipv4.enabled=false"], "ipv4.enabled and ipv6.enabled are both off"),
    "cluster-name": (
        {}, ["--set", "cluster.name=Prod_EU"], 'cluster.name "Prod_EU" must be at most 32'),
    "cluster-id-without-name": (
        {}, ["--set", "cluster.id=3"], "cluster.id is set but cluster.name is still \"default\""),
    "rule-judges-values-from-set": (
        {}, ["--set", "kubeProxyReplacement=false", "--set", "bpf.masquerade=true"],
        "needs kubeProxyReplacement = true: kubeProxyReplacement = false (--set "
        "kubeProxyReplacement=false); bpf.masquerade = true (--set bpf.masquerade=true)"),
    "rule-judges-values-table": (
        {"values": {"routingMode": "native"}}, [], "needs ipv4NativeRoutingCIDR"),
}  # fmt: skip


@pytest.mark.parametrize("case", ERRORS)
def test_rule_error_is_exit_2_with_the_message_and_nothing_written(case: str, tmp_path: Path) -> None:
    config, extra, message = ERRORS[case]
    code, out, err, target = run_config(tmp_path, config, *extra)
    assert code == 2 and out == ""
    assert err.startswith("nixgen: error: ") and err.count("\n") == 1
    assert message in err
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cilium.nix", "nixgen.json"]


def test_native_routing_with_its_cidr_passes(tmp_path: Path) -> None:
    code, _, err, _target = run_config(tmp_path, {"settings": {
        "routingMode": "native", "ipv4NativeRoutingCIDR": "10.0.0.0/8",
        "autoDirectNodeRoutes": True}})  # fmt: skip
    # nixgen's tunnelProtocol default, which native routing leaves without effect, yields.
    assert code == 0
    assert err == ('nixgen: note: nixgen\'s default tunnelProtocol = "geneve" yields: it has no '
                   'effect with routingMode = "native" (config settings.routingMode): Cilium builds '
                   "tunnels only with routingMode = tunnel (the chart's default)\n")
    values = _values(tmp_path)
    assert values["routingMode"] == "native" and "tunnelProtocol" not in values


def test_tunnel_protocol_with_native_routing_is_a_warning(tmp_path: Path) -> None:
    code, _, err, _target = run_config(tmp_path, {"settings": {
        "routingMode": "native", "ipv4NativeRoutingCIDR": "10.0.0.0/8",
        "tunnelProtocol": "vxlan"}})  # fmt: skip
    assert code == 0
    assert err == ('nixgen: warning: tunnelProtocol = "vxlan" (config settings.tunnelProtocol) has '
                   "no effect: Cilium builds tunnels only with routingMode = tunnel (the chart's "
                   'default); routingMode = "native" (config settings.routingMode)\n')
    assert _values(tmp_path)["tunnelProtocol"] == "vxlan"


def _values(tmp_path: Path) -> Any:
    """The production values of the config run_config wrote."""
    result = CliRunner().invoke(cli, ["values", "--config", str(tmp_path / "nixgen.json"),
                                      "--profile", "production", "--output", "json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_values_overriding_the_configs_settings_is_a_warning(tmp_path: Path) -> None:
    code, _, err, _ = run_config(tmp_path, {"settings": {"hubble": {"relay": {"enabled": False}},
                                                         "operator": {"replicas": 1}},
                                            "values": {"hubble": {"relay": {"enabled": True}}}},
                                 "--set", "operator={\"replicas\": 5}")  # fmt: skip
    assert code == 0
    assert err.splitlines() == [
        ("nixgen: warning: config values.hubble.relay.enabled overrides config "
         "settings.hubble.relay.enabled"),
        ('nixgen: warning: --set operator={"replicas": 5} overrides config '
         "settings.operator.replicas"),
    ]


def test_values_overriding_nixgens_defaults_give_no_warning(tmp_path: Path) -> None:
    code, _, err, _ = run_config(tmp_path, {"values": {"hubble": {"relay": {"enabled": True}}}},
                                 "--set", "operator={\"replicas\": 5}")  # fmt: skip
    assert (code, err) == (0, "")


def test_values_that_add_new_keys_give_no_warning(tmp_path: Path) -> None:
    code, _, err, _ = run_config(tmp_path, {"values": {"hubble": {"tls": {"auto": {"enabled": True}}}}})
    assert (code, err) == (0, "")


def test_a_user_policy_may_not_take_a_generated_objects_name(tmp_path: Path) -> None:
    policy = {"kind": "CiliumClusterwideNetworkPolicy", "name": "ep-default",
              "spec": {"endpointSelector": {}, "egress": [{"toEntities": ["all"]}]}}
    code, out, err, target = run_config(tmp_path, {"policies": {"extra": [policy]}})
    assert code == 2 and out == ""
    assert "policies.extra: CiliumClusterwideNetworkPolicy 'ep-default' is one nixgen generates" in err
    assert target.read_text(encoding="utf-8") == "previous\n"
    config = {"policies": {"defaultPolicy": False, "extra": [policy]}}
    assert run_config(tmp_path, config)[0] == 0


def test_relay_policy_without_the_default_policy_is_a_warning(tmp_path: Path) -> None:
    code, _, err, _ = run_config(tmp_path, {"policies": {"defaultPolicy": False}})
    assert code == 0
    assert err.startswith("nixgen: warning: the hubble-relay policy allows only 4244/TCP")
    config = {"policies": {"defaultPolicy": False, "hubbleRelayPolicy": False}}
    assert run_config(tmp_path, config)[2] == ""


def test_the_shipped_rules_text_is_the_tables() -> None:
    """nixgen ships the rules as modules write them (nixgen/data/rules.nix, laid out once):
    rewrite it with `python -m nixgen.nix.rules` after a change to the table."""
    from nixgen.nix import rules as nix_rules

    assert nix_rules.text() == nix_rules.render(), (
        "nixgen/data/rules.nix is stale: rewrite it with `python -m nixgen.nix.rules`")
