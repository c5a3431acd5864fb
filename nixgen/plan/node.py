"""One profile's final Helm values → what the k3s nodes need: the node plan of cilium-node.nix,
a NixOS module (nixgen.nix.node writes it).

The node module is planned from the same values the cluster module deploys (`Plan.values_for`),
so the two cannot disagree: k3s flags, kernel modules and firewall ports follow the features
those values turn on, and the CNI directories follow the chart's `cni` values. A value the
config leaves unset is the chart's default in the release's chart facts; where the chart leaves
it empty, the agent's default (`AGENT_DEFAULTS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nixgen import tree
from nixgen.errors import NixgenError
from nixgen.facts import chart, k3s
from nixgen.nixatoms import Raw
from nixgen.plan.model import Option, Plan, shown
from nixgen.plan.options import BOOL, STR, enable

SEED_MODULES = ("ip_tables", "xt_socket", "ip_set")
TUNNEL_PORTS = {"geneve": 6081, "vxlan": 8472}
HEALTH_PORT = 4240
HUBBLE_PORT = 4244
WIREGUARD_PORT = 51871
BGP_PORT = 179

# What the agent takes where the chart leaves a value empty ("" or null): not chart facts.
AGENT_DEFAULTS: dict[str, Any] = {"kubeProxyReplacement": False, "routingMode": "tunnel",
                                  "tunnelProtocol": "vxlan"}  # fmt: skip


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


def _get(values: Mapping[str, Any], facts: chart.Chart, path: str) -> Any:
    """The final value at `path`, else the chart's default."""
    found = tree.lookup(values, tuple(path.split(".")))
    if isinstance(found, Raw):
        raise NodeError(f"values.{path}: is the Nix expression `{found.expr}`; the node module "
                        "needs its value")  # fmt: skip
    if found is None:
        info = facts.info(path, with_default=False)
        found = None if info is None else info.default
    return found


def _on(values: Mapping[str, Any], facts: chart.Chart, path: str) -> bool:
    """A chart switch; the chart also takes "true"/"false" strings for some of them."""
    value = _get(values, facts, path)
    if value is None:
        value = AGENT_DEFAULTS[path]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", ""):
        return value.lower() == "true"
    raise NodeError(f"values.{path}: {shown(value)} is not a boolean")


def _choice(values: Mapping[str, Any], facts: chart.Chart, path: str,
            allowed: tuple[str, ...]) -> str:  # fmt: skip
    value = _get(values, facts, path)
    if value == "":  # the chart's "" means the default: the chart's, else the agent's
        info = facts.info(path, with_default=False)
        value = "" if info is None else info.default
    if value in ("", None):
        value = AGENT_DEFAULTS[path]
    if value not in allowed:
        raise NodeError(f"values.{path}: {shown(value)} is not one of {', '.join(allowed)}")
    return str(value)


def _port(values: Mapping[str, Any], facts: chart.Chart, path: str, default: int) -> int:
    """A port; 0 or "" (the chart's default) means `default`, the port of the feature."""
    value = _get(values, facts, path)
    if value in (0, "", "0", None):
        return default
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise NodeError(f"values.{path}: {shown(value)} is not a port number")
    return value


def _listen_port(values: Mapping[str, Any], facts: chart.Chart, path: str, default: int) -> int:
    """The port of a listen address such as ":4244" or "0.0.0.0:4244"; "" means `default`."""
    value = _get(values, facts, path)
    if value in ("", None):
        return default
    _, sep, port = str(value).rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise NodeError(f"values.{path}: {shown(value)} is not an address with a port")
    return int(port)


def _path(values: Mapping[str, Any], facts: chart.Chart, path: str) -> str:
    value = _get(values, facts, path)
    if not isinstance(value, str) or not value.startswith("/"):
        raise NodeError(f"values.{path}: {shown(value)} is not an absolute path")
    return value


# ---------------------------------------------------------------- the plan


def node_plan(values: Mapping[str, Any], facts: chart.Chart, lb_pools: bool = False) -> NodePlan:
    """What a node needs for these final Helm values (one profile's, as `Plan.values_for` gives
    them), with the defaults of the chart `facts`. `lb_pools`: whether the deployment adds
    CiliumLoadBalancerIPPool objects."""
    kpr = _on(values, facts, "kubeProxyReplacement")
    routing = _choice(values, facts, "routingMode", ("tunnel", "native"))
    tunnel = _choice(values, facts, "tunnelProtocol", tuple(TUNNEL_PORTS))
    hubble = _on(values, facts, "hubble.enabled")
    health = _on(values, facts, "healthChecking")
    encryption = _on(values, facts, "encryption.enabled")
    wireguard = encryption and _choice(values, facts, "encryption.type",
                                       ("ipsec", "wireguard", "ztunnel")) == "wireguard"  # fmt: skip
    bgp = _on(values, facts, "bgpControlPlane.enabled")
    l2 = _on(values, facts, "l2announcements.enabled")
    ingress_default = (_on(values, facts, "ingressController.enabled")
                       and _on(values, facts, "ingressController.default"))  # fmt: skip

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
        port = _port(values, facts, "tunnelPort", TUNNEL_PORTS[tunnel])
        ports.append(Port(port, "udp", f"{tunnel} tunnel between nodes"))
    if hubble:
        port = _listen_port(values, facts, "hubble.listenAddress", HUBBLE_PORT)
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
        cni_bin_dir=_path(values, facts, "cni.binPath"),
        cni_conf_dir=_path(values, facts, "cni.confPath"),
    )


def plan_for(built: Plan, profile: str) -> NodePlan:
    """The node plan of a nixgen Plan's profile, with the chart defaults of its release."""
    objects = built.objects_for(profile)
    pools = any(o.get("kind") == "CiliumLoadBalancerIPPool" for o in objects)
    return node_plan(built.values_for(profile), chart.load(built.release.version), lb_pools=pools)


def options(node: NodePlan) -> tuple[Option, ...]:
    """The node module's options (`cilium.node.*`), in the order it declares them: what each
    switch does and why its default is what it is."""
    lb, traefik = (next(f for f in node.flags if f.switch == name)
                   for name in ("disableServiceLB", "disableTraefik"))  # fmt: skip
    return (
        enable("the k3s flags, kernel modules and firewall settings Cilium needs"),
        Option(("disableServiceLB",), BOOL, lb.default,
               f"Whether k3s servers get {lb.flag}, so that k3s's ServiceLB (klipper-lb) leaves "
               "LoadBalancer services to Cilium's LB IPAM, L2 announcements or BGP control plane. "
               f"Default: {lb.reason}."),
        Option(("disableTraefik",), BOOL, traefik.default,
               f"Whether k3s servers get {traefik.flag}, so that k3s's bundled Traefik does not "
               f"compete with Cilium's ingress controller. Default: {traefik.reason}."),
        Option(("openFirewall",), BOOL, True,
               "Whether to open in networking.firewall the ports between nodes that the Cilium "
               "features in use need (health checks, tunnel, Hubble, WireGuard, BGP)."),
        Option(("looseReversePath",), BOOL, True,
               'Whether networking.firewall.checkReversePath defaults to "loose": the strict '
               "check drops packets Cilium delivers on its own devices."),
        Option(("cni", "binPath"), STR, node.cni_bin_dir,
               "Where Cilium installs its CNI plugin (the chart's cni.binPath), which is where "
               "k3s's containerd looks for plugins when k3s runs without flannel.",
               read_only=True),
        Option(("cni", "confPath"), STR, node.cni_conf_dir,
               "Where Cilium writes its CNI config (the chart's cni.confPath), which is where "
               "k3s's containerd reads configs when k3s runs without flannel.", read_only=True),
    )  # fmt: skip
