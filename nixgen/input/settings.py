"""The Helm values nixgen models as typed settings: one table, `SETTINGS`, with each setting's
kind, choices, default and (where nixgen has more to say than the chart) description.

Everything else about settings is derived from it: the pydantic models that validate a config's
`[settings]` (nixgen.input.models), the defaults a plain command line uses without pydantic
(`DEFAULT_SETTINGS`), the typed options of the generated module (`cilium.settings.*`, whose Nix
types nixgen.plan.options derives from each kind), the descriptions in both and in `nixgen
schema` (`describe`), the paths the value check knows as typed (`PATHS`), and nixgen's defaults
where the user leaves a setting open (`defaults_over`). Import-light: no pydantic here.

Every setting takes a plain value, `{ local = ..., production = ... }` or a Nix expression
(`{ "$nix" = "..." }`, or `{ nix = "..." }`, which a typed setting cannot mistake for a table).

A setting has one `kind`; `forms` gives the JSON types the pinned release's chart takes for its
key, and each kind has one meaning per form (`check_value`): bool → true/false, or the string
"true"/"false"; port → 1..65535, or a string of those digits; cidr4s → a list of IPv4 CIDRs, or
one string of CIDRs separated by spaces or commas; the other kinds take only their own form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from nixgen import tree
from nixgen.facts import chart, k3s
from nixgen.input.choices import DEFAULT_VERSION


class ValueProblem(ValueError):
    """A validator's reason that does not repeat the value: the message shows the value."""


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

    @cached_property
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


def defaults_over(given: Mapping[str, Any]) -> dict[str, Any]:
    """nixgen's defaults (the table's notation) for the paths the user's merged values `given`
    leave open: each setting's default, the encryption type with an encryption section the user
    writes, and k3s's pod CIDR for the cluster-pool IPAM the user asks for."""
    out: dict[str, Any] = {}
    for s in SETTINGS:
        if set_at(given, s.keys):
            continue
        value = s.default
        if value is UNSET and s.with_section is not UNSET:
            section = tree.lookup(given, s.keys[:-1], UNSET)
            value = s.with_section if isinstance(section, Mapping) and section else UNSET
        if value is not UNSET:
            tree.put(out, s.keys, value)
    pool = ("ipam", "operator", "clusterPoolIPv4PodCIDRList")
    if tree.lookup(given, ("ipam", "mode")) == "cluster-pool" and not set_at(given, pool):
        tree.put(out, pool, list(POOL_DEFAULT))
    return out


def set_at(given: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    """Whether the values `given` (plan data: a Split or a Nix expression is a value) set
    `keys`, or a value other than a table above it (which replaces everything below, as Helm
    merges)."""
    node: Any = given
    for key in keys:
        if not isinstance(node, Mapping):
            return True
        if key not in node:
            return False
        node = node[key]
    return True


# What a config that sets nothing gets: every default (no section written by the user).
DEFAULT_SETTINGS: Mapping[str, Any] = defaults_over({})


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


# ------------------------------------------------------------------ forms and constraints

# The JSON types a kind takes: its own first, then the string form the chart may also take.
KIND_FORMS: dict[str, tuple[str, ...]] = {
    "bool": ("boolean", "string"), "port": ("integer", "string"), "cidr4s": ("array", "string"),
    "enum": ("string",), "count": ("integer",), "host": ("string",), "cidr4": ("string",),
    "cidr6": ("string",), "abspath": ("string",),
}  # fmt: skip


# A port's string form: its digits, 1 to 65535, no leading zero (the module's option type holds
# it to the same).
PORT_DIGITS = r"^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$"


def takes_string(s: Setting, version: str) -> bool:
    """Whether the setting takes its string form in Cilium `version` (a switch's "true", a
    port's digits, CIDRs in one string) besides a form of its own kind."""
    return KIND_FORMS[s.kind][0] != "string" and "string" in forms(s, version)


def forms(s: Setting, version: str) -> tuple[str, ...]:
    """The JSON types Cilium `version`'s chart takes at the setting's key, of those its kind
    has a meaning for (all of them where the chart's schema says nothing of the key)."""
    return _forms(version)[s.keys]


@cache
def _forms(version: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    try:
        facts: chart.Chart | None = chart.load(version)
    except chart.UnknownChart:
        facts = None
    out = {}
    for s in SETTINGS:
        own = KIND_FORMS[s.kind]
        info = facts.info(s.keys, with_default=False) if facts is not None else None
        if info is None or "any" in info.types:
            out[s.keys] = own
        else:
            out[s.keys] = tuple(f for f in own if f in info.types) or own[:1]
    return out


_FORM_WORDS = {"boolean": "a boolean", "string": "a string", "integer": "an integer",
               "array": "a list", "object": "a table", "number": "a number", "null": "null"}


def form_of(value: Any) -> str:
    return tree.json_type(value)


def check_value(s: Setting, value: Any, version: str | None = None) -> str | None:
    """Why `value` (plain data) is not a value of setting `s` in one of the forms Cilium
    `version`'s chart takes (any form of its kind without a version); None when it is."""
    form = form_of(value)
    allowed = forms(s, version) if version else KIND_FORMS[s.kind]
    if form not in allowed:
        taken = " or ".join(_FORM_WORDS[f] for f in allowed)
        where = f"Cilium {version}'s chart takes" if version else "it takes"
        if form in KIND_FORMS[s.kind] and version:
            return f"{where} {taken} here, not {_FORM_WORDS[form]}"
        return f"{_kind_words(s)}: {where} {taken}, not {_FORM_WORDS.get(form, form)}"
    return _CHECKS[s.kind](s, value, form)


def _kind_words(s: Setting) -> str:
    return {"bool": "must be true or false", "port": "must be a port, 1 to 65535",
            "count": "must be a count, 0 or more", "host": "must be an IP address or a DNS name",
            "cidr4": "must be an IPv4 CIDR", "cidr6": "must be an IPv6 CIDR",
            "cidr4s": "must be IPv4 CIDRs", "abspath": "must be an absolute path",
            "enum": "must be one of " + ", ".join(s.choices)}[s.kind]  # fmt: skip


def _bool(s: Setting, value: Any, form: str) -> str | None:
    if form == "string" and value not in ("true", "false"):
        return 'must be true or false (or the string "true" or "false")'
    return None


def _enum(s: Setting, value: Any, form: str) -> str | None:
    if value not in s.choices:
        return "must be one of " + ", ".join(s.choices)
    return None


def _port(s: Setting, value: Any, form: str) -> str | None:
    if form == "string":
        return None if re.match(PORT_DIGITS, value) else "must be a port, 1 to 65535"
    if not isinstance(value, int) or not 1 <= value <= 65535:
        return "must be a port, 1 to 65535"
    return None


def _count(s: Setting, value: Any, form: str) -> str | None:
    return None if value >= 0 else "must be a count, 0 or more"


_DNS_NAME = re.compile(r"(?=.{1,253}\Z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z")


def host_problem(value: str) -> str | None:
    """Why `value` is neither an IP address nor a DNS name; None when it is one."""
    import ipaddress  # only a set host needs it

    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    return None if _DNS_NAME.match(value) else "neither an IP address nor a DNS name"


def network_problem(value: str, family: int) -> str | None:
    """Why `value` is not a CIDR of IP `family` (4 or 6) with no host bits set; None when it
    is one."""
    import ipaddress

    parse = ipaddress.IPv4Network if family == 4 else ipaddress.IPv6Network
    try:
        parse(value, strict=True)
        return None
    except ValueError as err:
        return f"not an IPv{family} CIDR ({err})"


def _host(s: Setting, value: Any, form: str) -> str | None:
    return host_problem(value)


def _cidr(s: Setting, value: Any, form: str) -> str | None:
    return network_problem(value, 4 if s.kind == "cidr4" else 6)


# A string of CIDRs, as the chart joins a list: separated by spaces or commas.
_CIDR_SEPARATORS = re.compile(r"[\s,]+")


def cidr_items(value: str) -> list[str]:
    """The CIDRs of cidr4s' string form."""
    return [item for item in _CIDR_SEPARATORS.split(value) if item]


def _cidrs(s: Setting, value: Any, form: str) -> str | None:
    items = cidr_items(value) if form == "string" else value
    if form == "string" and not items:
        return "holds no CIDR"
    for i, item in enumerate(items):
        if not isinstance(item, str):
            return f"[{i}]: {json_text(item)} is not an IPv4 CIDR"
        problem = network_problem(item, 4)
        if problem is not None:
            return f"{json_text(item)}: {problem}" if form == "string" else f"[{i}]: {problem}"
    return None


def _abspath(s: Setting, value: Any, form: str) -> str | None:
    return None if value.startswith("/") else "not an absolute path"


_CHECKS = {"bool": _bool, "enum": _enum, "port": _port, "count": _count, "host": _host,
           "cidr4": _cidr, "cidr6": _cidr, "cidr4s": _cidrs, "abspath": _abspath}  # fmt: skip


def json_text(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
