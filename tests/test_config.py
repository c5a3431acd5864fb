"""The config file, its schema, and `nixgen values`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from goldens import ROOT

from nixgen.input.config import parse_header
from nixgen.cli import cli
from nixgen.input.choices import FLAVORS
from nixgen.nix.flavors import registry

PRODUCTION = ROOT / "golden" / "configs" / "production.toml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_toml_and_json_configs_give_the_same_module(tmp_path: Path) -> None:
    import tomllib

    as_json = tmp_path / "production.json"
    as_json.write_text(json.dumps(tomllib.loads(PRODUCTION.read_text())), encoding="utf-8")
    a = run("module", "--format", "never", "--config", str(PRODUCTION))
    b = run("module", "--format", "never", "--config", str(as_json))
    body = lambda text: text.split("\n", 2)[2]
    assert a[0] == b[0] == 0 and body(a[1]) == body(b[1])


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('flavor = "hetzkube"\nciliumVersion = "1.17.18"\nuncheckedValues = ["a"]\n'
                      '[values]\na = 1\nb = 1\n')
    code, out, _ = run("module", "--format", "never", "--config", str(config), "--flavor", "nixidy",
                       "--set", "b=2", "--unchecked", "b")  # fmt: skip
    assert code == 0
    assert "applications.cilium" in out and 'default = "1.17.18";' in out
    assert "          a = lib.mkDefault 1;\n          b = lib.mkDefault 2;\n" in out
    assert parse_header(out) == ({
        "flavor": "nixidy", "ciliumVersion": "1.17.18", "values": {"a": 1, "b": 2},
        "uncheckedValues": ["a", "b"]}, False)


CONFIG_ERRORS = [
    ("routing = 1", "routing: not a key nixgen knows here"),
    ("[settings]\nroutingMode = 'direct'", """settings.routingMode = "direct": Input should be 'tunnel' or 'native'"""),
    ("[settings]\nk8sServicePort = 70000", "settings.k8sServicePort = 70000: Input should be less than or equal to 65535"),
    ("[settings]\nk8sServicePort = '65536'", 'settings.k8sServicePort = "65536": must be a port, 1 to 65535'),
    ("[settings]\nk8sServicePort = 'https'", 'settings.k8sServicePort = "https": must be a port, 1 to 65535'),
    ("[settings]\nkubeProxyReplacement = 'strict'", "settings.kubeProxyReplacement"),
    ("[settings]\nk8sServiceHost = { nix = 'cfg.k8sServiceHost' }", "starts from 'cfg': a Nix expression starts from one of config, lib, options, pkgs"),
    ("[values]\nx = { '$nix' = 'merged' }", "values.x.\"$nix\": 'merged' starts from 'merged'"),
    ("[values]\nx = { '$nix' = 'config.a', y = 1 }", "values.x: a table with \"$nix\" is a Nix expression and holds nothing else"),
    ("[values]\n'$nix' = 'config.x'", "values: the Helm values as a whole cannot be a Nix expression"),
    ("defaults = 'helm'", """defaults = "helm": Input should be 'nixgen' or 'chart'"""),
    ("valuesFiles = ['missing.yaml']", "missing.yaml: No such file or directory"),
    ("[settings]\nk8sServiceHost = 'not a host!'", 'settings.k8sServiceHost = "not a host!": neither an IP address nor a DNS name'),
    ("[settings]\nk8sServiceHost = { nix = 'builtins.readFile /etc/passwd' }", "is not a Nix attribute path"),
    ("[settings]\nipv4NativeRoutingCIDR = '10.0.0.1/8'", "not an IPv4 CIDR"),
    ("[settings.hubble]\nrelay.enabled = { local = true }", "settings.hubble.relay.enabled"),
    ("[[policies.extra]]\nkind = 'CiliumNetworkPolicy'\nname = 'x'\nspec = {}", "is namespaced: give it a namespace"),
    ("[[policies.extra]]\nkind = 'CiliumClusterwideNetworkPolicy'\nname = 'x'\nnamespace = 'a'\nspec = {}", "is cluster-wide: it takes no namespace"),
    ("[[policies.extra]]\nkind = 'NetworkPolicy'\nname = 'Bad_Name'\nnamespace = 'a'\nspec = {}", 'policies.extra[0].name: "Bad_Name" is not a valid NetworkPolicy name'),
    ("[production]\nloadBalancerIPPools = { a = [] }", "production.loadBalancerIPPools.a = []: List should have at least 1 item"),
    ("ciliumVersion = '1.30.0'", "ciliumVersion 1.30.0: nixgen has no facts for Cilium 1.30"),
    ("values = 3", "values: must be a table of Helm values"),
    ("this is = = not toml", "invalid TOML"),
    ("[values]\nwhen = 1979-05-27T07:32:00Z", "values.when: cannot write a datetime as Nix"),
    ("[values]\nc = inf", "values.c: inf is not a finite number"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), CONFIG_ERRORS)
def test_bad_config_is_one_line_naming_the_field(text: str, message: str, tmp_path: Path) -> None:
    config = tmp_path / "nixgen.toml"
    config.write_text(text + "\n", encoding="utf-8")
    target = tmp_path / "cilium.nix"
    code, out, err = run("module", "--config", str(config), "-o", str(target))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert message in err
    assert not target.exists()


def test_missing_config_file(tmp_path: Path) -> None:
    code, _, err = run("module", "--config", str(tmp_path / "none.toml"))
    assert code == 2 and "none.toml: No such file or directory" in err


def test_schema_is_the_config_files_json_schema() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "Config"
    assert set(schema["properties"]) == {"flavor", "ciliumVersion", "easykubenix",
                                         "gatewayApiVersion", "source", "settings", "policies",
                                         "production", "objects", "values",
                                         "uncheckedValues", "defaults", "valuesFiles"}  # fmt: skip
    settings = schema["$defs"]["Settings"]["properties"]
    assert {"enum": ["tunnel", "native"], "type": "string"} in settings["routingMode"]["anyOf"]
    assert settings["routingMode"]["description"] == (
        "How pod traffic crosses between nodes: encapsulated in a tunnel, or routed natively by "
        "the network.")
    relay = schema["$defs"]["HubbleRelay"]["properties"]["enabled"]
    assert relay["description"] == "Enable Hubble Relay (requires hubble.enabled=true)."
    assert relay["default"] == {"local": False, "production": True}
    assert schema["$defs"]["Settings"]["additionalProperties"] is False


def test_values_prints_each_profile_as_nix_and_json() -> None:
    code, out, _ = run("values", "--profile", "local", "--output", "json")
    local = json.loads(out)
    assert code == 0 and local["hubble"]["relay"]["enabled"] is False
    assert local["k8sServiceHost"] == "127.0.0.1" and local["operator"]["replicas"] == 1
    code, out, _ = run("values", "--profile", "production", "--output", "json")
    production = json.loads(out)
    assert production["k8sServiceHost"] == {"$nix": "config.clusterHost"}  # hetzkube's
    assert production["operator"]["replicas"] == 2
    code, out, _ = run("values", "--profile", "production")
    assert code == 0 and "  k8sServiceHost = config.clusterHost;\n" in out
    # nixidy has no clusterHost: production's is the option to set in Nix.
    code, out, _ = run("values", "--flavor", "nixidy", "--profile", "production")
    assert code == 0 and "  k8sServiceHost = cfg.settings.k8sServiceHost;\n" in out


def test_values_objects_follow_the_profile() -> None:
    local = json.loads(run("values", "--config", str(PRODUCTION), "--profile", "local",
                           "--objects", "--output", "json")[1])  # fmt: skip
    production = json.loads(run("values", "--config", str(PRODUCTION), "--profile", "production",
                                "--objects", "--output", "json")[1])  # fmt: skip
    kinds = lambda objs: sorted(o["kind"] + "/" + o["metadata"]["name"] for o in objs)
    assert "CiliumLoadBalancerIPPool/public" not in kinds(local)
    assert "CiliumLoadBalancerIPPool/public" in kinds(production)
    assert "CiliumNetworkPolicy/allow-hubble-relay-server-egress" in kinds(production)
    assert "CiliumNetworkPolicy/allow-hubble-relay-server-egress" not in kinds(local)


def test_values_rejects_what_module_rejects() -> None:
    code, out, err = run("values", "--profile", "local", "--set", "autoDirectNodeRoutes=true")
    assert code == 2 and out == "" and "autoDirectNodeRoutes needs routingMode = native" in err


def test_every_flavour_the_config_names_is_one_nixgen_writes() -> None:
    assert tuple(registry.FLAVORS) == FLAVORS
    assert all(registry.of(name).name == name for name in FLAVORS)


def test_a_header_line_over_200_columns_continues_on_the_next(tmp_path: Path) -> None:
    """The header spec is a block of pretty JSON; a line that would pass 200 columns goes on
    in `#+ ` lines, and the spec reads back whole."""
    long = "x" * 450
    config = tmp_path / "c.toml"
    config.write_text(f'ciliumVersion = "1.18.4"\nuncheckedValues = ["note"]\n[values]\nnote = "{long}"\n')
    code, out, _ = run("module", "--format", "never", "--config", str(config))
    assert code == 0
    head = out[: out.index("{ config, lib")].splitlines()
    assert max(map(len, head)) <= 200
    assert sum(line.startswith("#+ ") for line in head) == 2
    assert parse_header(out)[0]["values"] == {"note": long}
