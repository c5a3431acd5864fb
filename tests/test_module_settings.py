"""`cilium.settings` as a nixpkgs reviewer would have it (RFC 42): the Helm values are one
option, a submodule whose free-form type is JSON, with typed options for what nixgen models;
definitions merge by priority; the typed options refuse what `nixgen module` refuses; aliases
instead of duplicate options; a Nix expression a rule reads is judged by Nix. Evaluated in both
flavours, with the project's small lib and with nixpkgs' own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from goldens import path_of
from nixharness import NixEvalError, evaluate

from nixgen import pipeline, tree
from nixgen.cli import cli
from nixgen.errors import NixgenError

FLAVORS = {"hetzkube": "hetzkube-1.18.4", "nixidy": "nixidy-1.18.4"}
HOST = "10.0.0.9"


def _eval(flavor: str, options: dict[str, Any], fake_trees: dict[str, Path], lib_path: str,
          local: bool = False, module: Path | None = None, part: str = "values",
          batch: list[dict[str, Any]] | None = None) -> Any:  # fmt: skip
    """The module's `part` with `options` (cilium.*) set; nixidy's production API server host
    too, which has no default."""
    if flavor == "nixidy" and not local:
        options = tree.deep_merge({"settings": {"k8sServiceHost": HOST}}, options)
        batch = [tree.deep_merge({"settings": {"k8sServiceHost": HOST}}, b) for b in batch or []]
    return evaluate(module or path_of(FLAVORS[flavor]), flavor, local, fake_trees["1.18.4"],
                    lib_path, options, part=part, batch=batch)  # fmt: skip


@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_free_form_key_under_settings_reaches_the_values(
    flavor: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """Beside the typed options, any key: at the top and in a typed section alike. A typed
    setting left at null is left out (the chart's default applies); a null among the free-form
    values reaches Helm, which drops that chart default."""
    settings = {"bandwidthManager": {"enabled": True}, "hubble": {"metrics": {"enabled": ["dns"]},
                "peerService": None}, "ipv4NativeRoutingCIDR": None}  # fmt: skip
    got = _eval(flavor, {"settings": settings}, fake_trees, lib_path)
    assert got["bandwidthManager"] == {"enabled": True}
    assert got["hubble"]["metrics"] == {"enabled": ["dns"]}
    assert got["hubble"]["relay"] == {"enabled": True}  # the typed sibling, at nixgen's default
    assert "peerService" in got["hubble"] and got["hubble"]["peerService"] is None
    assert "ipv4NativeRoutingCIDR" not in got


@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_plain_definition_overrides_nixgens_defaults_and_the_configs_values(
    flavor: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """nixgen's defaults are the options' defaults and the generating config's values are
    lib.mkDefault: a plain definition in the user's module wins over both."""
    got = _eval(flavor, {"settings": {"tunnelProtocol": "vxlan", "operator": {"replicas": 5}}},
                fake_trees, lib_path)  # fmt: skip
    assert got["tunnelProtocol"] == "vxlan" and got["operator"]["replicas"] == 5
    # These goldens were generated with --set cluster.name=prod-eu --set hubble.relay.enabled=true.
    module = path_of({"hetzkube": "hetzkube-1.18.4-values", "nixidy": "nixidy-1.19.6-values"}[flavor])
    tree_version = "1.18.4" if flavor == "hetzkube" else "1.19.6"
    options = {"settings": {"cluster": {"name": "mine"}, "hubble": {"relay": {"enabled": False},
                                                                   "ui": {"enabled": False}}}}
    if flavor == "nixidy":
        options["settings"]["k8sServiceHost"] = HOST
    got = evaluate(module, flavor, False, fake_trees[tree_version], lib_path, options,
                   part="values")  # fmt: skip
    assert got["cluster"]["name"] == "mine" and got["hubble"]["relay"]["enabled"] is False


@pytest.mark.parametrize("flavor", FLAVORS)
def test_two_broken_rules_are_both_named(
    flavor: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    settings = {"kubeProxyReplacement": False, "hubble": {"relay": {"enabled": False}}}
    with pytest.raises(NixEvalError) as err:
        _eval(flavor, {"settings": settings}, fake_trees, lib_path)
    message = str(err.value)
    assert "nixgen: bpf.masquerade needs kubeProxyReplacement = true" in message
    assert "nixgen: hubble.ui.enabled needs hubble.relay.enabled" in message
    assert "nixgen: gatewayAPI.enabled needs kubeProxyReplacement = true" in message


# What `nixgen module` refuses for a typed setting, and the option type refuses in Nix.
REFUSED = [
    {"ipv4NativeRoutingCIDR": "garbage"},
    {"ipv4NativeRoutingCIDR": "10.0.0.1/8"},  # host bits set
    {"ipv6NativeRoutingCIDR": "fd00::1/104"},
    {"ipv6NativeRoutingCIDR": "fd00:::/104"},
    {"k8sServiceHost": "not a host!"},
    {"cni": {"binPath": "relative"}},
    {"ipam": {"operator": {"clusterPoolIPv4PodCIDRList": ["garbage"]}}},
    {"k8sServicePort": 0},
    {"k8sServicePort": 70000},
    {"operator": {"replicas": -1}},
    {"routingMode": "bogus"},
    {"hubble": {"relay": {"enabled": "true"}}},  # the chart takes a boolean only here
]
# The chart's other forms for a setting (the pinned release's values.schema.json), taken.
WIDE = [
    {"kubeProxyReplacement": "true"},
    {"autoDirectNodeRoutes": "false", "routingMode": "native", "ipv4NativeRoutingCIDR": "10.0.0.0/8"},
    {"k8sServicePort": "6443"},
    {"ipam": {"mode": "cluster-pool",
              "operator": {"clusterPoolIPv4PodCIDRList": "10.42.0.0/16, 10.43.0.0/16"}}},
    {"k8sServiceHost": "fd00::1"},
    {"k8sServiceHost": "api.example.com"},
    {"ipv6NativeRoutingCIDR": "2001:db8::/32"},
    {"ipv4NativeRoutingCIDR": "192.168.1.128/25"},
]  # fmt: skip


def test_the_cli_refuses_each_refused_setting() -> None:
    for settings in REFUSED:
        with pytest.raises(NixgenError):
            pipeline.checked_plan({"settings": settings} if "relay" not in str(settings)
                                  else {"values": settings})  # fmt: skip


@pytest.mark.parametrize("flavor", FLAVORS)
def test_each_cli_constraint_is_an_option_type_and_the_charts_other_forms_are_taken(
    flavor: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = _eval(flavor, {}, fake_trees, lib_path, part="accepted",
                batch=[{"settings": s} for s in REFUSED + WIDE])  # fmt: skip
    assert got == [False] * len(REFUSED) + [True] * len(WIDE), list(zip(REFUSED + WIDE, got))
    # A refusal says which option and why.
    with pytest.raises(NixEvalError) as err:
        _eval(flavor, {"settings": {"ipv4NativeRoutingCIDR": "garbage"}}, fake_trees, lib_path)
    assert ("cilium.settings.ipv4NativeRoutingCIDR' is not of type `null or IPv4 CIDR (no host "
            "bits set)'") in str(err.value).replace("(IPv4", "IPv4").replace("set))'", "set)'")
    wide = _eval(flavor, {"settings": WIDE[3]}, fake_trees, lib_path)
    assert wide["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"] == "10.42.0.0/16, 10.43.0.0/16"


def test_an_alias_and_its_target_set_to_different_values_is_an_error(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    """hetzkube's own options are aliases of the settings they set (mkAliasOptionModule):
    reading one reads the setting, and the two defined apart conflict as one option would."""
    got = _eval("hetzkube", {}, fake_trees, lib_path, part="accepted", batch=[
        {"gatewayAPI": False, "settings": {"gatewayAPI": {"enabled": True}}},
        {"policyAuditMode": True, "settings": {"policyAuditMode": False}},
        {"helmValues": {"routingMode": "tunnel"}, "settings": {"routingMode": "native"}},
        {"gatewayAPI": False, "settings": {"gatewayAPI": {"enabled": False}}},
        {"policyAuditMode": True},
        {"k8sServiceHost": "10.1.2.3"},
    ])  # fmt: skip
    assert got == [False, False, False, True, True, True]
    values = _eval("hetzkube", {"policyAuditMode": True, "k8sServiceHost": "10.1.2.3"},
                   fake_trees, lib_path)  # fmt: skip
    assert values["policyAuditMode"] is True and values["k8sServiceHost"] == "10.1.2.3"


@pytest.fixture(scope="module")
def nix_kpr(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Modules whose kubeProxyReplacement is a Nix expression, and what `nixgen` said."""
    root = tmp_path_factory.mktemp("nix-kpr")
    config = root / "nixgen.toml"
    config.write_text('[settings]\nkubeProxyReplacement = { nix = "config.cilium.isLocal" }\n',
                      encoding="utf-8")  # fmt: skip
    out = {}
    for flavor in FLAVORS:
        module = root / f"{flavor}.nix"
        result = CliRunner().invoke(cli, ["module", "--config", str(config), "--flavor", flavor,
                                          "-o", str(module), "--format", "never"])  # fmt: skip
        assert result.exit_code == 0, result.stderr
        out[flavor] = (module, result.stderr)
    return out


@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_nix_boolean_a_rule_reads_is_accepted_by_the_cli_and_judged_in_nix(
    flavor: str, nix_kpr: dict[str, tuple[Path, str]], fake_trees: dict[str, Path],
    lib_path: str,
) -> None:
    """kubeProxyReplacement = config.cilium.isLocal: the rules that read it are undecided
    before Nix evaluates the module (a note says so); then local passes and production, where
    it is false beside bpf.masquerade, fails with the rule's message."""
    module, stderr = nix_kpr[flavor]
    assert stderr.startswith("nixgen: note: kubeProxyReplacement = config.cilium.isLocal is a Nix "
                             "expression")  # fmt: skip
    assert "bpf.masquerade-needs-kpr" in stderr and "error" not in stderr
    local = _eval(flavor, {}, fake_trees, lib_path, local=True, module=module)
    assert local["kubeProxyReplacement"] is True
    with pytest.raises(NixEvalError) as err:
        _eval(flavor, {}, fake_trees, lib_path, module=module)
    assert "nixgen: bpf.masquerade needs kubeProxyReplacement = true" in str(err.value)
