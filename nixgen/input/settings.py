"""The Helm values nixgen models as typed settings: one table, `SETTINGS`, with each setting's
kind, choices, default and (where nixgen has more to say than the chart) description.

Everything else about settings is derived from it: the pydantic models that validate a config's
`[settings]` (nixgen.input.models), the defaults a plain command line uses without pydantic
(`DEFAULT_SETTINGS`), the typed options of the generated module (`cilium.settings.*`, whose Nix
types nixgen.plan.options derives from each kind), the descriptions in both and in `nixgen
schema` (`describe`), and the paths the value check knows as typed (`PATHS`). Import-light: no
pydantic here.

Every setting takes a plain value, `{ local = ..., production = ... }` or `{ nix = "..." }`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from nixgen import tree
from nixgen.facts import chart, k3s
from nixgen.input.choices import DEFAULT_VERSION


UNSET: Any = tree.Sentinel("UNSET")


@dataclass(frozen=True)
class Setting:
    path: str
    # bool | enum | port | count | host | cidr4 | cidr6 | cidr4s | abspath
    kind: str
    # Written when the config sets nothing (the config's notation); UNSET: only when set.
    default: Any = UNSET
    choices: tuple[str, ...] = ()
    # Written with its section, when the config sets another setting of that section.
    with_section: Any = UNSET
    # nixgen's own description, where the chart's doc line does not say enough (or has none).
    doc: str | None = None
    # A value the module's option shows as an example (the config's notation).
    example: Any = UNSET

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))


POOL_DEFAULT = ["10.42.0.0/16"]  # k3s's default pod CIDR

# The API server address the agents use in production: the flavour's to give (hetzkube's
# `config.clusterHost`, or none, to be set in Nix), written here in the config's notation.
PRODUCTION_HOST = {"nix": "cfg.k8sServiceHost"}

# In the order the seed's module writes them.
SETTINGS: tuple[Setting, ...] = (
    Setting("kubeProxyReplacement", "bool", True, example=False,
            doc="Whether Cilium replaces kube-proxy: it routes ClusterIP, NodePort and "
                "LoadBalancer services in eBPF (k3s then runs with --disable-kube-proxy)."),
    Setting("routingMode", "enum", "tunnel", ("tunnel", "native"), example="native",
            doc="How pod traffic crosses between nodes: encapsulated in a tunnel, or routed "
                "natively by the network."),
    Setting("tunnelProtocol", "enum", "geneve", ("geneve", "vxlan"), example="vxlan",
            doc="The tunnel between nodes with tunnel routing (written only then, unless set)."),
    Setting("ipv4NativeRoutingCIDR", "cidr4", example="10.0.0.0/8",
            doc="The IPv4 CIDR that is routed natively (not masqueraded); native routing with "
                "IPv4 masquerading needs it."),
    Setting("ipv6NativeRoutingCIDR", "cidr6", example="fd00::/104",
            doc="The IPv6 CIDR that is routed natively (not masqueraded); native routing with "
                "IPv6 masquerading needs it."),
    Setting("autoDirectNodeRoutes", "bool", example=True),
    Setting("ipam.mode", "enum", "kubernetes", ("kubernetes", "cluster-pool"),
            example="cluster-pool"),
    Setting("ipam.operator.clusterPoolIPv4PodCIDRList", "cidr4s",
            example=["10.42.0.0/16", "10.43.0.0/16"],
            doc="The IPv4 pod CIDRs cluster-pool IPAM hands out to the nodes (written with "
                "cluster-pool IPAM; k3s's 10.42.0.0/16 unless set)."),
    Setting("bpf.masquerade", "bool", True, example=False),
    # Production's host is the flavour's (nixgen.plan.flavor.Flavor.production_host).
    Setting("k8sServiceHost", "host", {"local": "127.0.0.1", "production": PRODUCTION_HOST},
            example="api.example.com",
            doc="The API server address the Cilium agents use (they run in the host network "
                "and reach it before pod networking exists)."),
    Setting("k8sServicePort", "port", 6443, example=443),
    Setting("policyEnforcementMode", "enum", "default", ("default", "always", "never"),
            example="always",
            doc="When policies are enforced: default (for endpoints that some policy selects), "
                "always (deny by default), or never."),
    Setting("policyAuditMode", "bool", example=True,
            doc="Whether policy verdicts are logged instead of enforced; the agents read it at "
                "start, so restart the Cilium pods after changing it."),
    Setting("gatewayAPI.enabled", "bool", True, example=False,
            doc="Whether Cilium implements Gateway API (it turns on its Envoy config too)."),
    Setting("ingressController.enabled", "bool", example=True,
            doc="Whether Cilium is an Ingress controller (it turns on its Envoy config too)."),
    Setting("ingressController.default", "bool", example=True,
            doc="Whether Cilium's is the default Ingress controller: it serves Ingresses that "
                "name no class."),
    Setting("ingressController.loadbalancerMode", "enum", choices=("shared", "dedicated"),
            example="shared",
            doc="Whether Ingresses share one load balancer or get one each (an Ingress may say "
                "otherwise with the ingress.cilium.io/loadbalancer-mode annotation)."),
    Setting("hubble.enabled", "bool", True, example=False,
            doc="Whether Hubble observes the flows on each node."),
    Setting("hubble.relay.enabled", "bool", {"local": False, "production": True}, example=True),
    Setting("hubble.ui.enabled", "bool", {"local": False, "production": True}, example=True),
    Setting("operator.replicas", "count", {"local": 1, "production": 2}, example=3),
    Setting("encryption.enabled", "bool", example=True),
    Setting("encryption.type", "enum", choices=("wireguard", "ipsec"), with_section="wireguard",
            example="wireguard",
            doc="The encryption between nodes (wireguard unless set, where the chart's default "
                "is ipsec)."),
    Setting("rollOutCiliumPods", "bool", True, example=False),
    Setting("cni.binPath", "abspath", k3s.CNI_BIN_DIR, example="/var/lib/cni/bin",
            doc="Where Cilium installs its CNI plugin: where k3s's containerd looks without "
                "flannel (the node module reads the same)."),
    Setting("cni.confPath", "abspath", k3s.CNI_CONF_DIR, example="/var/lib/cni/net.d",
            doc="Where Cilium writes its CNI configuration: where k3s's containerd looks "
                "without flannel (the node module reads the same)."),
)  # fmt: skip

BY_PATH = {s.keys: s for s in SETTINGS}
PATHS = frozenset(BY_PATH)


def with_defaults(given: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a config's `[settings]` (`given`, as the user wrote them) put into the
    Helm values, in the table's order and notation: what the user set, else the defaults (and
    no tunnel protocol without tunnels, k3s's pod CIDR for cluster-pool IPAM)."""
    out: dict[str, Any] = {}
    for s in SETTINGS:
        value = tree.lookup(given, s.keys, UNSET)
        if value is UNSET:
            value = s.default
        if value is UNSET and s.with_section is not UNSET:
            section = tree.lookup(given, s.keys[:-1], UNSET)
            value = s.with_section if isinstance(section, Mapping) and section else UNSET
        if value is not UNSET:
            tree.put(out, s.keys, value)
    if out.get("routingMode") == "native" and "tunnelProtocol" not in given:
        del out["tunnelProtocol"]  # meaningless without tunnels
    if out.get("ipam", {}).get("mode") == "cluster-pool" and "operator" not in out["ipam"]:
        out["ipam"]["operator"] = {"clusterPoolIPv4PodCIDRList": list(POOL_DEFAULT)}
    return out


DEFAULT_SETTINGS: Mapping[str, Any] = with_defaults({})


def describe(s: Setting, version: str | None = None) -> str:
    """One description of a setting, for the module's option and the config's JSON Schema:
    nixgen's own words, else the chart's doc line (of `version`, else of the default one)."""
    return _describe(s.keys, version)


@cache
def _describe(keys: tuple[str, ...], version: str | None) -> str:
    s = BY_PATH[keys]
    text = s.doc
    if text is None:
        text = chart.doc_of(version or DEFAULT_VERSION, s.keys)
    text = " ".join((text or f"The chart's {s.path}.").split())
    return text if text.endswith(".") else text + "."


# The JSON type of each kind's own form, and the kinds the chart may also take as a string:
# "true"/"false" for a switch, digits for a port, CIDRs separated by spaces or commas for a
# list of CIDRs (design: each kind has one meaning per form).
KIND_FORM = {"bool": "boolean", "port": "integer", "count": "integer", "host": "string",
             "cidr4": "string", "cidr6": "string", "cidr4s": "array", "abspath": "string",
             "enum": "string"}  # fmt: skip
STRING_FORMS = frozenset({"bool", "port", "cidr4s"})
# A port's string form: its digits, 1 to 65535, no leading zero (the module's option type holds
# it to the same).
PORT_DIGITS = r"^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"


def forms(s: Setting, version: str) -> tuple[str, ...]:
    """The JSON types a setting takes in Cilium `version`: its kind's own form, and its string
    form where the release's chart takes a string (or anything) for its key."""
    return _forms(s.keys, version)


@cache
def _forms(keys: tuple[str, ...], version: str) -> tuple[str, ...]:
    s = BY_PATH[keys]
    own = KIND_FORM[s.kind]
    if s.kind not in STRING_FORMS:
        return (own,)
    info = chart.load(version).info(s.keys, with_default=False)
    taken = () if info is None else info.types
    return (own, "string") if {"string", "any"} & set(taken) else (own,)
