"""Cross-field rules: combinations the Cilium chart renders and the agent then refuses at run
time (or silently ignores). They judge the final Helm values of each profile, whichever way a
setting arrived: typed setting, `values` table or `--set`.

An error stops generation (exit 2); a warning is printed and generation goes on.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from itertools import combinations
from typing import Any

from nixgen import overrides
from nixgen.choices import PROFILES
from nixgen.emit import Raw
from nixgen.errors import NixgenError
from nixgen.plan import Plan, lower, settings_values


class RuleError(NixgenError):
    """Values that break a rule Cilium enforces."""


_CLUSTER_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?\Z")


get = overrides.lookup


def _on(values: Mapping[str, Any], dotted: str, default: bool = False) -> bool:
    """A chart switch: true/false, also as the strings the chart accepts."""
    value = get(values, dotted, default)
    return value is True or value == "true"


def _set(value: Any) -> bool:
    return isinstance(value, Raw) or (value is not None and value != "")


def _networks(values: Mapping[str, Any], dotted: str) -> list[Any]:
    items = get(values, dotted, [])
    if not isinstance(items, list):
        raise RuleError(f"{dotted} must be a list of CIDRs")
    out = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(item, strict=True))
        except (TypeError, ValueError):
            raise RuleError(f"{dotted}: {item!r} is not a CIDR") from None
    return out


def _overlaps(label: str, nets: list[tuple[str, Any]]) -> str | None:
    for (a_name, a), (b_name, b) in combinations(nets, 2):
        if a.version == b.version and a.overlaps(b):
            return f"{label}: {a} ({a_name}) overlaps {b} ({b_name})"
    return None


Rule = Callable[[Mapping[str, Any]], str | None]


def native_routing_cidr(v: Mapping[str, Any]) -> str | None:
    if get(v, "routingMode") != "native" or not _on(v, "ipv4.enabled", True):
        return None
    masquerade = _on(v, "enableIPv4Masquerade", True)
    exempt = get(v, "ipam.mode") in ("eni", "alibabacloud") or _on(v, "ipMasqAgent.enabled")
    if masquerade and not exempt and not _set(get(v, "ipv4NativeRoutingCIDR")):
        return ("routingMode = native with IPv4 masquerading (enableIPv4Masquerade, on by "
                "default) needs ipv4NativeRoutingCIDR: the agent refuses to start without it")  # fmt: skip
    return None


def direct_routes_need_native(v: Mapping[str, Any]) -> str | None:
    if _on(v, "autoDirectNodeRoutes") and get(v, "routingMode", "tunnel") in ("tunnel", ""):
        return ("autoDirectNodeRoutes needs routingMode = native: with tunnel routing it is "
                "fatal for the agent")  # fmt: skip
    return None


def kube_proxy_replacement_needed(v: Mapping[str, Any]) -> str | None:
    if _on(v, "kubeProxyReplacement"):
        return None
    for dotted in ("bpf.masquerade", "gatewayAPI.enabled", "ingressController.enabled",
                   "l2announcements.enabled"):  # fmt: skip
        if _on(v, dotted):
            return f"{dotted} needs kubeProxyReplacement = true"
    return None


def api_server_needed(v: Mapping[str, Any]) -> str | None:
    if not _on(v, "kubeProxyReplacement"):
        return None
    for dotted in ("k8sServiceHost", "k8sServicePort"):
        if not _set(get(v, dotted)):
            return (f"kubeProxyReplacement needs {dotted}: without kube-proxy the agents reach "
                    "the API server only through it")  # fmt: skip
    return None


def hubble_chain(v: Mapping[str, Any]) -> str | None:
    if _on(v, "hubble.ui.enabled") and not _on(v, "hubble.relay.enabled"):
        return "hubble.ui.enabled needs hubble.relay.enabled (the chart refuses it otherwise)"
    if _on(v, "hubble.relay.enabled") and not _on(v, "hubble.enabled", True):
        return "hubble.relay.enabled needs hubble.enabled (the chart refuses it otherwise)"
    return None


def cluster_pool(v: Mapping[str, Any]) -> str | None:
    if get(v, "ipam.mode") != "cluster-pool":
        return None
    dotted = "ipam.operator.clusterPoolIPv4PodCIDRList"
    nets = _networks(v, dotted)
    if not nets:
        return f"ipam.mode = cluster-pool needs at least one pod CIDR in {dotted}"
    return _overlaps(dotted, [(dotted, n) for n in nets])


def ipsec_and_host_firewall(v: Mapping[str, Any]) -> str | None:
    if (_on(v, "encryption.enabled") and get(v, "encryption.type") == "ipsec"
            and _on(v, "hostFirewall.enabled")):  # fmt: skip
        return "encryption.type = ipsec cannot be combined with hostFirewall.enabled"
    return None


def ip_family(v: Mapping[str, Any]) -> str | None:
    if not _on(v, "ipv4.enabled", True) and not _on(v, "ipv6.enabled"):
        return "ipv4.enabled and ipv6.enabled are both off: at least one must be on"
    return None


def cluster_identity(v: Mapping[str, Any]) -> str | None:
    name = get(v, "cluster.name", "default")
    if isinstance(name, str) and not _CLUSTER_NAME.match(name):
        return (f"cluster.name {name!r} must be at most 32 characters of a-z, 0-9 and '-', "
                "starting and ending with a letter or digit")  # fmt: skip
    cluster_id = get(v, "cluster.id", 0)
    if name == "default" and cluster_id not in (0, None):
        return "cluster.id is set but cluster.name is still \"default\": name the cluster"
    return None


RULES: tuple[Rule, ...] = (
    native_routing_cidr, direct_routes_need_native, kube_proxy_replacement_needed,
    api_server_needed, hubble_chain, cluster_pool, ipsec_and_host_firewall, ip_family,
    cluster_identity,
)  # fmt: skip


def _leaf_paths(tree: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(tree, Mapping) and tree:
        for key, value in tree.items():
            yield from _leaf_paths(value, (*prefix, key))
    else:
        yield prefix


def check(plan: Plan) -> list[str]:
    """Raise RuleError for the first broken rule; return the warnings."""
    per_profile = {p: plan.values_for(p) for p in PROFILES}
    for rule in RULES:
        found = {p: rule(per_profile[p]) for p in PROFILES}
        messages = {m for m in found.values() if m}
        if not messages:
            continue
        message = min(messages)
        failing = [p for p in PROFILES if found[p] == message]
        if len(failing) == 1:
            message += f" (in the {failing[0]} profile)"
        raise RuleError(message)

    pools = [(name, net) for name, cidrs in plan.spec.loadBalancerIPPools.items()
             for net in map(ipaddress.ip_network, cidrs)]  # fmt: skip
    if problem := _overlaps("production.loadBalancerIPPools", pools):
        raise RuleError(problem)

    warnings = []
    typed = set(_leaf_paths(settings_values(plan.spec)))
    free = lower(plan.spec.values, profiles=False)
    for path in _leaf_paths(free) if free else ():
        hit = next((t for t in sorted(typed) if t[: len(path)] == path or path[: len(t)] == t),
                   None)  # fmt: skip
        if hit is not None:
            warnings.append(f"values.{'.'.join(path)} overrides the typed setting "
                            f"settings.{'.'.join(hit)}")  # fmt: skip
    spec = plan.spec
    relay_on = any(_on(per_profile[p], "hubble.relay.enabled") for p in PROFILES)
    if relay_on and spec.hubbleRelayPolicy and not spec.defaultPolicy:
        warnings.append("the hubble-relay policy allows only 4244/TCP to the nodes, and without "
                        "policies.defaultPolicy nothing else allows relay's egress (not even "
                        "DNS): add a policy for it in policies.extra")  # fmt: skip
    if get(plan.values, "routingMode") == "native" and "tunnelProtocol" in plan.values:
        warnings.append("tunnelProtocol is set but routingMode = native: Cilium builds no "
                        "tunnels, so it only matters to features that encapsulate on their own")  # fmt: skip
    return warnings
