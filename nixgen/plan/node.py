"""One profile's final Helm values → what the k3s nodes need: cilium-node.nix, a NixOS module.

The node module is planned from the same values the cluster module deploys (`Plan.values_for`),
so the two cannot disagree: k3s flags, kernel modules and firewall ports follow the features
those values turn on, and the CNI directories come from nixgen.facts.k3s, like the chart's `cni`
values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nixgen import __version__
from nixgen.facts import k3s
from nixgen.input import sets
from nixgen.nixatoms import Call, Raw
from nixgen.errors import NixgenError

NODE_OUTPUT = "node"  # the header spec's "output" for this module
FILENAME = "cilium-node.nix"
ABOUT = (
    "A NixOS module for the k3s nodes that run Cilium: k3s flags, kernel modules, firewall",
    "ports and reverse-path filtering, from the {profile} profile's values of the spec below.",
)
SEED_MODULES = ("ip_tables", "xt_socket", "ip_set")
TUNNEL_PORTS = {"geneve": 6081, "vxlan": 8472}
HEALTH_PORT = 4240
HUBBLE_PORT = 4244
WIREGUARD_PORT = 51871
BGP_PORT = 179


class NodeError(NixgenError):
    """Values the node module cannot be planned from (one line, naming the value)."""


@dataclass(frozen=True)
class Flag:
    """A k3s flag. `switch` names the `cilium.node.*` option that turns it off and on (None:
    always given); `server_only`: `k3s agent` does not define it, agents learn it from the
    servers."""

    flag: str
    reason: str
    server_only: bool = True
    switch: str | None = None
    default: bool = True


@dataclass(frozen=True)
class Port:
    port: int
    protocol: str  # "tcp" | "udp"
    reason: str


@dataclass(frozen=True)
class Module:
    name: str
    reason: str


@dataclass(frozen=True)
class NodePlan:
    flags: tuple[Flag, ...]
    kernel_modules: tuple[Module, ...]
    ports: tuple[Port, ...]
    reverse_path: str  # what networking.firewall.checkReversePath gets by default
    reverse_path_reason: tuple[str, ...]
    cni_bin_dir: str
    cni_conf_dir: str

    def flags_for(self, role: str, switches: Mapping[str, bool] | None = None) -> list[str]:
        """The extraFlags a node of `role` gets, with the switches at their defaults unless
        given."""
        on = dict(switches or {})
        return [f.flag for f in self.flags
                if (role == "server" or not f.server_only)
                and (f.switch is None or on.get(f.switch, f.default))]  # fmt: skip

    def ports_of(self, protocol: str) -> list[int]:
        return sorted({p.port for p in self.ports if p.protocol == protocol})

    @property
    def module_names(self) -> list[str]:
        return [m.name for m in self.kernel_modules]

    @property
    def cni_is_containerd_default(self) -> bool:
        return (self.cni_bin_dir, self.cni_conf_dir) == (k3s.CNI_BIN_DIR, k3s.CNI_CONF_DIR)


# ---------------------------------------------------------------- reading the values


def _get(values: Mapping[str, Any], path: str, default: Any) -> Any:
    found = sets.lookup(values, tuple(path.split(".")))
    if isinstance(found, Raw):
        raise NodeError(f"values.{path}: is the Nix expression `{found.expr}`; the node module "
                        "needs its value")  # fmt: skip
    return default if found is None else found


def _on(values: Mapping[str, Any], path: str, default: bool) -> bool:
    """A chart switch; the chart also takes "true"/"false" strings for some of them."""
    value = _get(values, path, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", ""):
        return value.lower() == "true"
    raise NodeError(f"values.{path}: {value!r} is not a boolean")


def _choice(values: Mapping[str, Any], path: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _get(values, path, default)
    if value == "":
        return default  # the chart's "" means the agent's default
    if value not in allowed:
        raise NodeError(f"values.{path}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _port(values: Mapping[str, Any], path: str, default: int) -> int:
    value = _get(values, path, 0)
    if value in (0, "", "0"):
        return default
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise NodeError(f"values.{path}: {value!r} is not a port number")
    return value


def _listen_port(values: Mapping[str, Any], path: str, default: int) -> int:
    """The port of a listen address such as ":4244" or "0.0.0.0:4244"."""
    value = _get(values, path, "")
    if value == "":
        return default
    _, sep, port = str(value).rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise NodeError(f"values.{path}: {value!r} is not an address with a port")
    return int(port)


def _path(values: Mapping[str, Any], path: str, default: str) -> str:
    value = _get(values, path, default)
    if not isinstance(value, str) or not value.startswith("/"):
        raise NodeError(f"values.{path}: {value!r} is not an absolute path")
    return value


# ---------------------------------------------------------------- the plan


def node_plan(values: Mapping[str, Any], lb_pools: bool = False) -> NodePlan:
    """What a node needs for these final Helm values (one profile's, as `Plan.values_for` gives
    them). `lb_pools`: whether the deployment adds CiliumLoadBalancerIPPool objects."""
    kpr = _on(values, "kubeProxyReplacement", False)
    routing = _choice(values, "routingMode", "tunnel", ("tunnel", "native"))
    tunnel = _choice(values, "tunnelProtocol", "vxlan", tuple(TUNNEL_PORTS))
    hubble = _on(values, "hubble.enabled", True)
    health = _on(values, "healthChecking", True)
    encryption = _on(values, "encryption.enabled", False)
    wireguard = encryption and _choice(values, "encryption.type", "ipsec",
                                       ("ipsec", "wireguard", "ztunnel")) == "wireguard"  # fmt: skip
    bgp = _on(values, "bgpControlPlane.enabled", False)
    l2 = _on(values, "l2announcements.enabled", False)
    ingress_default = (_on(values, "ingressController.enabled", False)
                       and _on(values, "ingressController.default", False))  # fmt: skip

    flags = [
        Flag(k3s.FLANNEL_NONE, "Cilium is the CNI: no embedded flannel"),
        Flag(k3s.DISABLE_NETWORK_POLICY, "Cilium enforces network policies"),
    ]
    if kpr:
        flags.append(Flag(k3s.DISABLE_KUBE_PROXY, "kubeProxyReplacement: Cilium routes services"))
    lb_by = [name for name, on in (("LB IPAM pools", lb_pools), ("L2 announcements", l2),
                                   ("BGP control plane", bgp)) if on]  # fmt: skip
    lb_reason = ("Cilium serves LoadBalancer services (" + ", ".join(lb_by) + ")" if lb_by
                 else "off: nothing of Cilium's serves LoadBalancer services here")  # fmt: skip
    flags.append(Flag(k3s.DISABLE_SERVICELB, lb_reason, switch="disableServiceLB",
                      default=bool(lb_by)))  # fmt: skip
    traefik_reason = ("Cilium's ingress controller is the default one" if ingress_default
                      else "off: Cilium's ingress controller is not the default one")  # fmt: skip
    flags.append(Flag(k3s.DISABLE_TRAEFIK, traefik_reason, switch="disableTraefik",
                      default=ingress_default))  # fmt: skip

    modules = [Module(m, "Cilium's base datapath (where not built in)") for m in SEED_MODULES]
    ports: list[Port] = []
    if health:
        ports.append(Port(HEALTH_PORT, "tcp", "cilium-health checks between nodes"))
    if routing == "tunnel":
        modules.append(Module(tunnel, f"{tunnel} tunnel between nodes"))
        port = _port(values, "tunnelPort", TUNNEL_PORTS[tunnel])
        ports.append(Port(port, "udp", f"{tunnel} tunnel between nodes"))
    if hubble:
        port = _listen_port(values, "hubble.listenAddress", HUBBLE_PORT)
        ports.append(Port(port, "tcp", "Hubble server, which hubble-relay reads"))
    if wireguard:
        modules.append(Module("wireguard", "WireGuard encryption between nodes"))
        ports.append(Port(WIREGUARD_PORT, "udp", "WireGuard encryption between nodes"))
    if bgp:
        ports.append(Port(BGP_PORT, "tcp", "BGP control plane: peers that connect to the node"))

    return NodePlan(
        flags=tuple(flags),
        kernel_modules=tuple(modules),
        ports=tuple(ports),
        reverse_path="loose",
        reverse_path_reason=(
            "reverse path: NixOS's strict check drops what Cilium delivers on its own devices",
            "(cilium_host, the tunnel); loose still drops sources no route leads back to"),
        cni_bin_dir=_path(values, "cni.binPath", k3s.CNI_BIN_DIR),
        cni_conf_dir=_path(values, "cni.confPath", k3s.CNI_CONF_DIR),
    )


def plan_for(built: Any, profile: str) -> NodePlan:
    """The node plan of a nixgen Plan's profile."""
    objects = built.objects_for(profile)
    pools = any(o.get("kind") == "CiliumLoadBalancerIPPool" for o in objects)
    return node_plan(built.values_for(profile), lb_pools=pools)


# ---------------------------------------------------------------- the module


def header_json(spec: Any, profile: str) -> str:
    """The header spec: the cluster module's, plus which output and profile this is."""
    data = {"output": NODE_OUTPUT, "profile": profile, **spec.header_data()}
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"))


def split_header(data: dict[str, Any]) -> str | None:
    """For `regen`: the profile when the header spec is a node module's (removing the keys
    that are not the spec's own), else None."""
    output = data.pop("output", None)
    if output is None:
        return None
    profile = data.pop("profile", "production")
    if output != NODE_OUTPUT:
        raise NodeError(f"header spec: output {output!r} is not one nixgen writes")
    if profile not in ("local", "production"):
        raise NodeError(f"header spec: profile {profile!r} is neither local nor production")
    return str(profile)


def _server(condition: str) -> Raw:
    return Raw("isServer" if condition == "" else f"isServer && {condition}")


def entries(node: NodePlan) -> list[tuple[list[str], Any]]:
    """The module's `lib.mkMerge` entries, each with the comment lines that say why."""
    out: list[tuple[list[str], Any]] = []
    base: dict[str, Any] = {
        "assertions": [
            {"assertion": Raw("k3s.enable"), "message": "cilium.node needs services.k3s on this host"}
        ],
        "boot": {"kernelModules": node.module_names},
    }
    out.append(([f"{m.name}: {m.reason}" for m in node.kernel_modules], base))
    always = [f for f in node.flags if f.switch is None]
    for server_only in (False, True):
        group = [f for f in always if f.server_only == server_only]
        if group:
            body = {"services": {"k3s": {"extraFlags": [f.flag for f in group]}}}
            why = [f"{f.flag}: {f.reason}" for f in group]
            if server_only:
                why.append("(server flags: agents take these settings from the servers)")
                out.append((why, Call("lib.mkIf", (_server(""), body))))
            else:
                out.append((why, body))
    for f in node.flags:
        if f.switch is not None:
            body = {"services": {"k3s": {"extraFlags": [f.flag]}}}
            cond = f"cfg.{f.switch}"
            out.append(([f"{f.flag}: {f.reason}"],
                        Call("lib.mkIf", (_server(cond) if f.server_only else Raw(cond), body))))
    firewall: dict[str, Any] = {}
    for name, protocol in (("allowedTCPPorts", "tcp"), ("allowedUDPPorts", "udp")):
        if node.ports_of(protocol):
            firewall[name] = node.ports_of(protocol)
    if firewall:
        why = [f"{p.port}/{p.protocol}: {p.reason}" for p in node.ports]
        out.append((why, Call("lib.mkIf", (Raw("cfg.openFirewall"),
                                           {"networking": {"firewall": firewall}}))))  # fmt: skip
    rp = {"networking": {"firewall": {"checkReversePath": Call("lib.mkDefault",
                                                               (node.reverse_path,))}}}  # fmt: skip
    out.append((list(node.reverse_path_reason), Call("lib.mkIf", (Raw("cfg.looseReversePath"), rp))))
    if node.cni_is_containerd_default:
        warning = (
            "cilium.node: services.k3s.containerdConfigTemplate is set; keep any CNI section in it "
            f"on {node.cni_bin_dir} and {node.cni_conf_dir}, where Cilium installs its plugin "
            "(without one, containerd reads those)")  # fmt: skip
        out.append((["CNI: without flannel, k3s's containerd reads Cilium's directories",
                     "unless a containerd template moves it elsewhere"],
                    Call("lib.mkIf", (Raw("k3s.containerdConfigTemplate != null"),
                                      {"warnings": [warning]}))))  # fmt: skip
    else:
        message = (
            f"cilium.node: Cilium installs its CNI plugin in {node.cni_bin_dir} and its config in "
            f"{node.cni_conf_dir} (cni.binPath, cni.confPath), where k3s's containerd does not "
            "look without flannel: set services.k3s.containerdConfigTemplate to read them")  # fmt: skip
        out.append((["cni.binPath/confPath are not containerd's defaults: a template must say so"],
                    {"assertions": [{"assertion": Raw("k3s.containerdConfigTemplate != null"),
                                     "message": message}]}))  # fmt: skip
    return out


def descriptions(node: NodePlan) -> dict[str, str]:
    """The options' descriptions: what each switch does and why its default is what it is."""
    lb, traefik = (next(f for f in node.flags if f.switch == name)
                   for name in ("disableServiceLB", "disableTraefik"))  # fmt: skip
    return {
        "enable": "the k3s flags, kernel modules and firewall settings Cilium needs",
        "disableServiceLB": (
            f"Whether k3s servers get {lb.flag}, so that k3s's ServiceLB (klipper-lb) leaves "
            "LoadBalancer services to Cilium's LB IPAM, L2 announcements or BGP control plane. "
            f"Default: {lb.reason}."),
        "disableTraefik": (
            f"Whether k3s servers get {traefik.flag}, so that k3s's bundled Traefik does not "
            f"compete with Cilium's ingress controller. Default: {traefik.reason}."),
        "openFirewall": (
            "Whether to open in networking.firewall the ports between nodes that the Cilium "
            "features in use need (health checks, tunnel, Hubble, WireGuard, BGP)."),
        "looseReversePath": (
            'Whether networking.firewall.checkReversePath defaults to "loose": the strict check '
            "drops packets Cilium delivers on its own devices."),
        "cniBinPath": (
            "Where Cilium installs its CNI plugin (the chart's cni.binPath), which is where "
            "k3s's containerd looks for plugins when k3s runs without flannel."),
        "cniConfPath": (
            "Where Cilium writes its CNI config (the chart's cni.confPath), which is where "
            "k3s's containerd reads configs when k3s runs without flannel."),
    }


def render_node(built: Any, profile: str) -> str:
    """cilium-node.nix for one profile of a nixgen Plan."""
    from nixgen.nix.render import environment

    node = plan_for(built, profile)
    switches = {f.switch: f for f in node.flags if f.switch is not None}
    template = environment().get_template("node.nix.j2")
    return template.render(
        node=node,
        switches=switches,
        entries=entries(node),
        descriptions=descriptions(node),
        about=[line.format(profile=profile) for line in ABOUT],
        spec_json=header_json(built.spec, profile),
        nixgen_version=__version__,
    )
