"""`nixgen node`: cilium-node.nix, evaluated by Nix as NixOS would (tests/nix/nixos-harness.nix),
must give the k3s flags, kernel modules, firewall ports and CNI directories the cluster module's
values call for."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from goldens import NODE_CASES, PROD, ROOT, path_of
from nixharness import NixEvalError, run_nix

from nixgen.input.config import parse_header
from nixgen import pipeline
from nixgen.cli import cli
from nixgen.facts import chart, k3s
from nixgen.input.choices import PROFILES
from nixgen.input.config import from_command_line as build_spec
from nixgen.input.spec import validate
from nixgen.pipeline import planned
from nixgen.plan import node

HARNESS = Path(__file__).parent / "nix" / "nixos-harness.nix"
SERVER = {"services": {"k3s": {"role": "server"}}}
AGENT = {"services": {"k3s": {"role": "agent"}}}
BASE = ["ip_tables", "xt_socket", "ip_set"]
# kube-proxy replacement off takes the features that need it along.
NO_KPR = {"kubeProxyReplacement": False, "bpf": {"masquerade": False},
          "gatewayAPI": {"enabled": False}}  # fmt: skip


def k3s_flags(got: dict[str, Any]) -> list[str]:
    """The flags k3s runs with on a host whose config drop-ins and extraFlags `got` holds: its
    config files in name order, a key repeated replacing the value before unless it ends in
    `+` (then a list adds to it), each list item a flag of its own; then the command line's
    own flags (k3s's pkg/configfilearg, readConfigFile). A boolean flag set to true is written
    without a value here, as the plan writes it."""
    values: dict[str, Any] = {}
    for name in sorted(got["k3sConfig"]):
        for key, value in got["k3sConfig"][name].items():
            append = key.endswith("+")
            key = key.removesuffix("+")
            if append and key in values:
                old = values[key] if isinstance(values[key], list) else [values[key]]
                values[key] = old + (value if isinstance(value, list) else [value])
            else:
                values[key] = value
    flags = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            flags.append(f"--{key}" if item is True else f"--{key}={item}")
    extra = got["extraFlags"]
    return flags + (extra.split() if isinstance(extra, str) else list(extra))


def evaluate(module: Path, lib_path: str = "", host: dict[str, Any] | None = None,
             settings: dict[str, Any] | None = None) -> Any:  # fmt: skip
    args = [
        "--eval", "--strict", "--json", str(HARNESS),
        "--argstr", "modulePath", str(module.resolve()),
        "--argstr", "libPath", lib_path,
        "--argstr", "hostJSON", json.dumps(host or {}),
        "--argstr", "nodeJSON", json.dumps(settings or {}),
    ]  # fmt: skip
    got = json.loads(run_nix(args))
    got["flags"] = k3s_flags(got)
    return got


def module_for(tmp_path: Path, settings: dict[str, Any] | None = None,
               values: dict[str, Any] | None = None, profile: str = "production") -> Path:  # fmt: skip
    spec = validate({"settings": settings or {}, "values": values or {}})
    target = tmp_path / f"node-{len(list(tmp_path.iterdir()))}.nix"
    target.write_text(pipeline.node(spec, profile).text, encoding="utf-8")
    return target


def plan_of_case(name: str) -> node.NodePlan:
    args = NODE_CASES[name]
    config = args[args.index("--config") + 1] if "--config" in args else None
    spec = build_spec(config_path=ROOT / config if config else None)
    profile = args[args.index("--profile") + 1] if "--profile" in args else "production"
    return node.plan_for(planned(spec), profile)


def run(*args: str) -> tuple[int, str, str]:
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("role", ["server", "agent"])
@pytest.mark.parametrize("name", NODE_CASES)
def test_node_golden_evaluates_to_what_the_plan_says(name: str, role: str, lib_path: str) -> None:
    want = plan_of_case(name)
    got = evaluate(path_of(name), lib_path, {"services": {"k3s": {"role": role}}})
    assert sorted(got["flags"]) == sorted(want.flags_for(role))
    assert got["extraFlags"] == []  # the module leaves services.k3s.extraFlags to the host
    assert got["kernelModules"] == want.module_names
    assert got["tcp"] == want.ports_of("tcp") and got["udp"] == want.ports_of("udp")
    assert got["checkReversePath"] == "loose"
    assert got["cni"] == {"binPath": want.cni_bin_dir, "confPath": want.cni_conf_dir}
    assert got["failedAssertions"] == [] and got["warnings"] == []


@pytest.mark.nix
def test_default_golden_server_flags_modules_and_ports() -> None:
    got = evaluate(path_of("node-default"), host=SERVER)
    assert sorted(got["flags"]) == sorted([k3s.FLANNEL_NONE, k3s.DISABLE_NETWORK_POLICY,
                                           k3s.DISABLE_KUBE_PROXY])  # fmt: skip
    assert got["kernelModules"] == [*BASE, "geneve"]
    assert (got["tcp"], got["udp"]) == ([4240, 4244], [6081])


@pytest.mark.nix
def test_production_golden_follows_native_routing_wireguard_bgp_lb_and_ingress() -> None:
    got = evaluate(path_of("node-production"), host=SERVER)
    assert sorted(got["flags"]) == sorted([k3s.FLANNEL_NONE, k3s.DISABLE_NETWORK_POLICY,
                                           k3s.DISABLE_KUBE_PROXY, k3s.DISABLE_SERVICELB,
                                           k3s.DISABLE_TRAEFIK])  # fmt: skip
    assert got["kernelModules"] == [*BASE, "wireguard"]  # native routing: no tunnel module
    assert (got["tcp"], got["udp"]) == ([179, 4240, 4244], [51871])
    assert got["switches"]["disableServiceLB"] is True and got["switches"]["disableTraefik"]


def test_local_profile_of_production_config_keeps_servicelb() -> None:
    """L2, BGP and the pools are production-only in production.toml."""
    code, out, err = run("node", *PROD, "--profile", "local", "--format", "never")
    assert code == 0, err
    assert "default = false;" in out.split("disableServiceLB = lib.mkOption")[1].split("};")[0]
    assert "179" not in out.split("allowedTCPPorts")[1].split("];")[0]


# ---------------------------------------------------------------- features


@pytest.mark.nix
def test_agent_gets_no_server_flags_even_with_switches_on(tmp_path: Path) -> None:
    module = module_for(tmp_path)
    got = evaluate(module, host=AGENT, settings={"disableServiceLB": True, "disableTraefik": True})
    assert got["flags"] == []
    server = evaluate(module, host=SERVER, settings={"disableServiceLB": True})
    assert k3s.DISABLE_SERVICELB in server["flags"]


@pytest.mark.nix
@pytest.mark.parametrize(("settings", "module", "udp"), [
    ({"routingMode": "tunnel", "tunnelProtocol": "geneve"}, ["geneve"], [6081]),
    ({"routingMode": "tunnel", "tunnelProtocol": "vxlan"}, ["vxlan"], [8472]),
    ({"routingMode": "native", "ipv4NativeRoutingCIDR": "10.0.0.0/8"}, [], []),
])  # fmt: skip
def test_tunnel_protocol_decides_module_and_port(
    tmp_path: Path, settings: dict[str, Any], module: list[str], udp: list[int]
) -> None:
    got = evaluate(module_for(tmp_path, settings))
    assert got["kernelModules"] == BASE + module
    assert got["udp"] == udp


@pytest.mark.nix
def test_tunnel_port_value_is_the_port_opened(tmp_path: Path) -> None:
    got = evaluate(module_for(tmp_path, values={"tunnelPort": 8473}))
    assert got["udp"] == [8473]


@pytest.mark.nix
@pytest.mark.parametrize("kpr", [True, False])
def test_disable_kube_proxy_exactly_with_kube_proxy_replacement(tmp_path: Path, kpr: bool) -> None:
    got = evaluate(module_for(tmp_path, {} if kpr else NO_KPR), host=SERVER)
    assert (k3s.DISABLE_KUBE_PROXY in got["flags"]) is kpr
    assert {k3s.FLANNEL_NONE, k3s.DISABLE_NETWORK_POLICY} <= set(got["flags"])


@pytest.mark.nix
def test_wireguard_adds_module_and_port(tmp_path: Path) -> None:
    got = evaluate(module_for(tmp_path, {"encryption": {"enabled": True, "type": "wireguard"}}))
    assert got["kernelModules"] == [*BASE, "geneve", "wireguard"]
    assert got["udp"] == [6081, 51871]
    ipsec = evaluate(module_for(tmp_path, {"encryption": {"enabled": True, "type": "ipsec"}}))
    assert "wireguard" not in ipsec["kernelModules"] and 51871 not in ipsec["udp"]


@pytest.mark.nix
def test_hubble_off_closes_its_port(tmp_path: Path) -> None:
    off = {"hubble": {"enabled": False, "relay": {"enabled": False}, "ui": {"enabled": False}}}
    assert evaluate(module_for(tmp_path, off))["tcp"] == [4240]
    assert evaluate(module_for(tmp_path))["tcp"] == [4240, 4244]


@pytest.mark.nix
def test_bgp_opens_179_and_disables_servicelb(tmp_path: Path) -> None:
    got = evaluate(module_for(tmp_path, values={"bgpControlPlane": {"enabled": True}}), host=SERVER)
    assert 179 in got["tcp"] and k3s.DISABLE_SERVICELB in got["flags"]


@pytest.mark.nix
def test_switches_turn_off_firewall_and_reverse_path(tmp_path: Path) -> None:
    got = evaluate(module_for(tmp_path), settings={"openFirewall": False,
                                                   "looseReversePath": False})  # fmt: skip
    assert (got["tcp"], got["udp"], got["checkReversePath"]) == ([], [], True)


@pytest.mark.nix
def test_host_settings_win_or_merge_as_on_nixos(tmp_path: Path) -> None:
    host = {"services": {"k3s": {"role": "server", "extraFlags": ["--node-ip=10.0.0.2"]}},
            "networking": {"firewall": {"checkReversePath": False, "allowedTCPPorts": [22]}}}  # fmt: skip
    got = evaluate(module_for(tmp_path), host=host)
    assert "--node-ip=10.0.0.2" in got["flags"] and k3s.FLANNEL_NONE in got["flags"]
    assert sorted(got["tcp"]) == [22, 4240, 4244]
    assert got["checkReversePath"] is False  # lib.mkDefault: the host's own setting stands


@pytest.mark.nix
def test_module_requires_services_k3s(tmp_path: Path) -> None:
    got = evaluate(module_for(tmp_path), host={"services": {"k3s": {"enable": False}}})
    assert got["failedAssertions"] == ["cilium.node needs services.k3s on this host"]


# ---------------------------------------------------------------- the chart's defaults

# The values node planning reads, and what each means to a node when a config leaves it unset.
READ_DEFAULTS = {
    "kubeProxyReplacement": "no --disable-kube-proxy",
    "routingMode": "tunnel routing",
    "tunnelProtocol": "a VXLAN tunnel",
    "tunnelPort": "the tunnel's own port",
    "hubble.enabled": "Hubble on, its port open",
    "hubble.listenAddress": "Hubble on 4244",
    "healthChecking": "cilium-health on, its port open",
    "encryption.enabled": "no encryption",
    "encryption.type": "IPsec when encryption is on",
    "bgpControlPlane.enabled": "no BGP",
    "l2announcements.enabled": "no L2 announcements",
    "ingressController.enabled": "no ingress controller",
    "ingressController.default": "not the default ingress controller",
    "cni.binPath": "containerd's CNI bin directory",
    "cni.confPath": "containerd's CNI conf directory",
}  # fmt: skip


@pytest.mark.parametrize("version", chart.versions())
def test_node_defaults_are_the_chart_facts_of_every_release(version: str) -> None:
    """Node planning takes a value the config leaves unset from the release's chart facts (the
    agent's default only where the chart leaves it empty): every such value is one the chart
    sets, and at those defaults a node gets what the README's table says."""
    facts = chart.load(version)
    for path in READ_DEFAULTS:
        info = facts.info(path)
        assert info is not None, (version, path)
        # Only the templates read it (kubeProxyReplacement up to 1.17): the agent decides.
        assert info.source == "values" or path in node.AGENT_DEFAULTS, (version, path)
    for path, agents in node.AGENT_DEFAULTS.items():  # used where the chart leaves it empty
        default = facts.info(path).default
        assert default in ("", None) or str(default).lower() == str(agents).lower(), path
    got = node.node_plan({}, facts)
    assert got.flags_for("server") == [k3s.FLANNEL_NONE, k3s.DISABLE_NETWORK_POLICY]
    assert got.module_names == ["ip_tables", "xt_socket", "ip_set", "vxlan"]
    assert (got.ports_of("tcp"), got.ports_of("udp")) == ([4240, 4244], [8472])
    assert (got.cni_bin_dir, got.cni_conf_dir) == (k3s.CNI_BIN_DIR, k3s.CNI_CONF_DIR)
    wireguard = node.node_plan({"encryption": {"enabled": True}}, facts)
    assert "wireguard" not in wireguard.module_names  # the chart's type is IPsec


# ---------------------------------------------------------------- CNI directories


@pytest.mark.parametrize("profile", PROFILES)
def test_cni_dirs_are_containerds_defaults_in_both_modules(profile: str) -> None:
    assert (k3s.CNI_BIN_DIR, k3s.CNI_CONF_DIR) == ("/opt/cni/bin", "/etc/cni/net.d")
    cluster = planned(build_spec()).values_for(profile)["cni"]
    assert cluster == {"binPath": k3s.CNI_BIN_DIR, "confPath": k3s.CNI_CONF_DIR}
    chart = (ROOT / "golden" / "hetzkube-1.18.4.nix").read_text(encoding="utf-8")
    assert ('    cni = {\n      binPath = lib.mkOption {\n        type = lib.types.nullOr absolutePath;\n'
            '        default = "/opt/cni/bin";') in chart
    got = node.plan_for(planned(build_spec()), profile)
    assert (got.cni_bin_dir, got.cni_conf_dir) == (cluster["binPath"], cluster["confPath"])
    assert got.cni_bin_dir not in k3s.K3S_CNI_BIN_DIRS


@pytest.mark.nix
def test_cni_values_move_the_node_module_with_them(tmp_path: Path) -> None:
    values = {"cni": {"binPath": "/var/lib/rancher/k3s/data/cni",
                      "confPath": k3s.K3S_CNI_CONF_DIR}}  # fmt: skip
    module = module_for(tmp_path, values=values)
    got = evaluate(module)
    assert got["cni"] == values["cni"]
    assert len(got["failedAssertions"]) == 1 and "containerdConfigTemplate" in got["failedAssertions"][0]
    templated = evaluate(module, host={"services": {"k3s": {"containerdConfigTemplate": "x"}}})
    assert templated["failedAssertions"] == []


@pytest.mark.nix
def test_a_containerd_template_draws_a_warning(tmp_path: Path) -> None:
    got = evaluate(module_for(tmp_path), host={"services": {"k3s": {"containerdConfigTemplate": "x"}}})
    assert len(got["warnings"]) == 1 and k3s.CNI_BIN_DIR in got["warnings"][0]


# ---------------------------------------------------------------- NixOS option types


@pytest.mark.parametrize(("old", "new"), [
    ("networking.firewall = {", "networking.firewal = {"),  # misspelt
    ("boot.kernelModules = [", "boot.kernelModule = ["),
    ("          allowedUDPPorts = [ 6081 ];", '          allowedUDPPorts = [ "6081" ];'),  # retyped
    ("          allowedUDPPorts = [ 6081 ];", "          allowedUDPPorts = [ 70000 ];"),
    ('checkReversePath = lib.mkDefault "loose";', 'checkReversePath = lib.mkDefault "lax";'),
    ("systemd.services.k3s.restartTriggers", "systemd.services.k3s.restartTrigger"),
    ("environment.etc.", "environment.ect."),
])  # fmt: skip
def test_misspelt_or_retyped_nixos_options_fail(
    tmp_path: Path, lib_path: str, old: str, new: str
) -> None:
    text = path_of("node-default").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.nix"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(NixEvalError):
        evaluate(broken, lib_path, SERVER)


@pytest.mark.parametrize("flags", ["--node-ip=10.0.0.2 --node-name=a", ["--node-ip=10.0.0.2"]])
def test_the_hosts_extra_flags_stay_the_hosts_string_or_list(
    flags: str | list[str], lib_path: str
) -> None:
    """services.k3s.extraFlags is `either str (listOf str)`, which takes a string only alone:
    the module writes Cilium's server flags into a k3s config drop-in instead, so a host's
    string is no conflict, and k3s runs with both."""
    got = evaluate(path_of("node-default"), lib_path,
                   {"services": {"k3s": {"role": "server", "extraFlags": flags}}})  # fmt: skip
    assert got["extraFlags"] == flags
    assert "--node-ip=10.0.0.2" in got["flags"] and k3s.FLANNEL_NONE in got["flags"]


def test_server_flags_are_a_k3s_config_drop_in_that_restarts_k3s(lib_path: str) -> None:
    got = evaluate(path_of("node-production"), lib_path, SERVER)
    assert got["k3sConfig"] == {"rancher/k3s/config.yaml.d/50-cilium.yaml": {
        "flannel-backend": "none", "disable-network-policy": True, "disable-kube-proxy": True,
        "disable+": ["servicelb", "traefik"]}}  # fmt: skip
    assert len(got["restartTriggers"]) == 1 and '"flannel-backend":"none"' in got["restartTriggers"][0]
    agent = evaluate(path_of("node-production"), lib_path, AGENT)
    assert agent["k3sConfig"] == {} and agent["flags"] == []  # `k3s agent` refuses server flags
    off = evaluate(path_of("node-production"), lib_path, SERVER,
                   {"disableServiceLB": False, "disableTraefik": False})  # fmt: skip
    assert "disable+" not in off["k3sConfig"]["rancher/k3s/config.yaml.d/50-cilium.yaml"]


def test_a_k3s_config_path_of_the_hosts_is_refused(lib_path: str) -> None:
    """With services.k3s.configPath, k3s reads the drop-ins beside that file: the module's
    would be ignored, so it says so."""
    host = {"services": {"k3s": {"role": "server", "configPath": "/run/k3s/config.yaml"}}}
    got = evaluate(path_of("node-default"), lib_path, host)
    assert len(got["failedAssertions"]) == 1 and "configPath" in got["failedAssertions"][0]


# ---------------------------------------------------------------- the command


def test_node_and_module_plan_from_the_same_values() -> None:
    """`nixgen values` (what the cluster module deploys) gives the node module its model."""
    for profile in PROFILES:
        code, out, err = run("values", *PROD, "--profile", profile, "--output", "json")
        assert code == 0, err
        values = json.loads(out)
        built = planned(build_spec(config_path=ROOT / PROD[1]))
        pools = profile == "production"
        facts = chart.load(built.release.version)
        assert node.node_plan(values, facts, lb_pools=pools) == node.plan_for(built, profile)


def test_header_records_the_node_output_and_regen_rewrites_it(tmp_path: Path) -> None:
    target = tmp_path / "cilium-node.nix"
    assert run("node", *PROD, "--profile", "local", "-o", str(target), "--format", "never")[0] == 0
    data, _ = parse_header(target.read_text(encoding="utf-8"))
    assert (data["output"], data["profile"], data["flavor"]) == ("node", "local", "hetzkube")
    assert run("regen", str(target), "--check", "--format", "never")[0] == 0
    current = target.read_text(encoding="utf-8")
    target.write_text(current.replace("4240", "4241"), encoding="utf-8")
    assert run("regen", str(target), "--format", "never")[0] == 0
    assert target.read_text(encoding="utf-8") == current


def test_regen_refuses_an_unknown_output(tmp_path: Path) -> None:
    target = tmp_path / "x.nix"
    target.write_text('# nixgen-spec: {"output":"toaster","flavor":"hetzkube"}\n', encoding="utf-8")
    code, _, err = run("regen", str(target), "--format", "never")
    assert code == 2 and "toaster" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [
    ["--set", "cni.binPath=relative/bin"],
    ["--set", "tunnelPort=99999"],
    ["--set", "hubble.listenAddress=nowhere"],
    ["--set", "healthChecking=perhaps"],
])  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "cilium-node.nix"
    code, out, err = run("node", *args, "-o", str(target), "--format", "never")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    # The node module's own check, or before it the check of the final values (chart, typed
    # settings): either names the path.
    assert err.startswith("nixgen: error: ") and args[1].split("=")[0] in err
    assert not target.exists()
    target.write_text("mine\n", encoding="utf-8")
    assert run("node", *args, "-o", str(target), "--format", "never")[0] == 2
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_check_reports_a_stale_node_module(tmp_path: Path) -> None:
    target = tmp_path / "cilium-node.nix"
    assert run("node", "-o", str(target), "--check", "--format", "never")[0] == 1
    assert run("node", "-o", str(target), "--format", "never")[0] == 0
    assert run("node", "-o", str(target), "--check", "--format", "never")[0] == 0
    assert run("node", "--profile", "local", "-o", str(target), "--check",
               "--format", "never")[0] == 1  # fmt: skip
