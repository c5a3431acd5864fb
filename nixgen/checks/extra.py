"""The checks the rules' language cannot say (CIDR arithmetic, searching a list, a value set to
null), made in Python only, and the warnings; judged after the rules table
(nixgen.checks.rules). An error names each value it reads and where it comes from."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from nixgen import tree
from nixgen.checks.lang import all_, applies, holds, on
from nixgen.checks.rules import CM, REFUSES, USE_APISERVER
from nixgen.checks.verdicts import RuleError, fail
from nixgen.input.choices import PROFILES
from nixgen.input.settings import cidr_items
from nixgen.nixatoms import Raw
from nixgen.plan import layers
from nixgen.plan.model import Plan, resolve


def _networks(values: Mapping[str, Any], at: str, dotted: str | None = None) -> list[Any]:
    """The networks of the list at `at` in `values` (named `dotted` in messages)."""
    dotted = dotted or at
    items = tree.lookup(values, at, [])
    if isinstance(items, str):  # the chart's other form: CIDRs separated by spaces or commas
        items = cidr_items(items)
    if not isinstance(items, list):
        raise RuleError(f"{dotted} must be a list of CIDRs")
    out = []
    for item in items:
        if isinstance(item, Raw):
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=True))
        except (TypeError, ValueError):
            raise RuleError(f"{dotted}: {item!r} is not a CIDR") from None
    return out


def _overlaps(label: str, nets: list[tuple[str, Any]]) -> str | None:
    """The first overlap among named networks, in O(n log n): sorted by IP version, first
    address and prefix length (a wider block before the blocks it holds), each block is
    compared with the one that reaches furthest among those before it. Networks are aligned
    blocks, so two overlap exactly when one holds the other, and the message names the wider
    one first."""
    ordered = sorted(nets, key=lambda item: (item[1].version, int(item[1].network_address),
                                             item[1].prefixlen))  # fmt: skip
    reach: tuple[str, Any, int] | None = None  # the furthest-reaching block so far, its end
    for name, net in ordered:
        if reach is not None and reach[1].version == net.version \
                and int(net.network_address) <= reach[2]:
            return f"{label}: {reach[1]} ({reach[0]}) overlaps {net} ({name})"
        end = int(net.network_address) + net.num_addresses - 1
        if reach is None or reach[1].version != net.version or end > reach[2]:
            reach = (name, net, end)
    return None


def pod_cidrs_overlap(v: Mapping[str, Any], minor: str) -> str | None:
    if tree.lookup(v, "ipam.mode") != "cluster-pool":
        return None
    dotted = "ipam.operator.clusterPoolIPv4PodCIDRList"
    items = tree.lookup(v, dotted, [])
    if isinstance(items, list) and all(isinstance(i, str) for i in items):
        return _pod_overlap(tuple(items))  # the same list in both profiles: judged once
    return _overlaps(dotted, [(dotted, n) for n in _networks(v, dotted)])


@lru_cache(maxsize=8)
def _pod_overlap(items: tuple[str, ...]) -> str | None:
    dotted = "ipam.operator.clusterPoolIPv4PodCIDRList"
    return _overlaps(dotted, [(dotted, n) for n in _networks({"l": list(items)}, "l", dotted)])


BACKOFF_ENV = ("KUBE_CLIENT_BACKOFF_BASE", "KUBE_CLIENT_BACKOFF_DURATION")


def client_backoff_env(v: Mapping[str, Any], minor: str) -> str | None:
    if not applies("1.18", None, minor):
        return None
    if not holds(on("k8sClientExponentialBackoff.enabled", True), v):
        return None
    env = tree.lookup(v, "extraEnv", [])
    names = {e.get("name") for e in env if isinstance(e, dict)} if isinstance(env, list) else set()
    if names & set(BACKOFF_ENV):
        return ("k8sClientExponentialBackoff.enabled cannot be combined with an extraEnv "
                f"{' or '.join(BACKOFF_ENV)} {REFUSES}")  # fmt: skip
    return None


def cluster_addresses(v: Mapping[str, Any], minor: str) -> str | None:
    if not holds(on("clustermesh.config.enabled", False), v):
        return None
    if holds(all_(USE_APISERVER, on(f"{CM}.kvstoremesh.enabled", True)), v):
        return None  # kvstoremesh connects to the other clusters
    clusters = tree.lookup(v, "clustermesh.config.clusters", [])
    entries = clusters.values() if isinstance(clusters, dict) else clusters
    for entry in entries if isinstance(entries, (list, type({}.values()))) else ():
        if isinstance(entry, dict) and entry.get("enabled") is not False \
                and not entry.get("ips") and not entry.get("address"):
            return ("clustermesh.config.clusters: each cluster needs an address or ips "
                    f"{REFUSES}")  # fmt: skip
    return None


def empty_operator_tolerations(v: Mapping[str, Any], minor: str) -> str | None:
    """Cilium 1.18's operator Deployment appends its own toleration after the user's, inside
    `with .Values.operator.tolerations`: with none given (null or empty), the chart writes YAML
    Helm cannot read."""
    operator = v.get("operator")
    if minor != "1.18" or not isinstance(operator, dict) or "tolerations" not in operator:
        return None
    if operator["tolerations"] in (None, [], {}, "", 0, False):
        return ("operator.tolerations cannot be empty or null with Cilium 1.18: its chart then "
                "writes an operator Deployment Helm cannot read (a chart bug, fixed in 1.19); "
                "leave it unset or give at least one toleration")  # fmt: skip
    return None


# Checks the rules' language cannot say (CIDR arithmetic, searching a list, a null): Python only.
EXTRA = (pod_cidrs_overlap, client_backoff_env, cluster_addresses, empty_operator_tolerations)
# The values each of them reads, for messages.
READS = {pod_cidrs_overlap: [("ipam", "mode"), ("ipam", "operator", "clusterPoolIPv4PodCIDRList")],
         client_backoff_env: [("k8sClientExponentialBackoff", "enabled"), ("extraEnv",)],
         cluster_addresses: [("clustermesh", "config", "clusters")],
         empty_operator_tolerations: [("operator", "tolerations")]}  # fmt: skip


def check(plan: Plan) -> list[str]:
    """Raise RuleError for the first of these checks that fails, then for overlapping
    load-balancer pools; return the warnings."""
    per_profile = {p: plan.values_for(p) for p in PROFILES}
    for extra in EXTRA:
        per = {p: problem for p in PROFILES
               if (problem := extra(per_profile[p], plan.release.minor))}  # fmt: skip
        if per:
            from nixgen.checks.provenance import values_and_sources  # only an error needs it

            profile = min(per, key=lambda p: per[p])
            fail(per, values_and_sources(plan, profile, READS[extra]))
    pools = [(name, net) for name, cidrs in plan.spec.loadBalancerIPPools.items()
             for net in map(ipaddress.ip_network, cidrs)]  # fmt: skip
    if problem := _overlaps("production.loadBalancerIPPools", pools):
        raise RuleError(problem)
    return warnings(plan, per_profile)


def warnings(plan: Plan, per_profile: Mapping[str, Any]) -> list[str]:
    out = []
    # A later layer that replaces what the config's [settings] give (nixgen's defaults yield
    # on their own, and a values file sits below the settings).
    if plan.spec.settings:
        profile = PROFILES[-1]
        seen: set[tuple[str, ...]] = set()
        for layer in plan.layers:
            if layer.layer not in ("values", "set"):
                continue
            for path, _ in tree.leaves(resolve(layer.values, profile), nix=False):
                source = layers.source(plan, profile, path)
                if path in seen or source.layer != layer.layer or source.text != layer.label(path):
                    continue  # a later layer sets it again
                seen.add(path)
                overridden = _settings_source(plan, path)
                if overridden is not None:
                    out.append(f"{source} overrides {overridden}")
    spec = plan.spec
    relay_on = any(holds(on("hubble.relay.enabled", False), per_profile[p]) for p in PROFILES)
    if relay_on and spec.hubbleRelayPolicy and not spec.defaultPolicy:
        out.append("the hubble-relay policy allows only 4244/TCP to the nodes, and without "
                   "policies.defaultPolicy nothing else allows relay's egress (not even "
                   "DNS): add a policy for it in policies.extra")  # fmt: skip
    return out


def _settings_source(plan: Plan, path: tuple[str, ...]) -> str | None:
    """The config's `[settings]` entry at, above or below `path`, if it sets one."""
    settings = plan.spec.settings
    if not settings:
        return None
    for i in range(len(path), 0, -1):
        found = tree.lookup(settings, path[:i], _NONE)
        if found is not _NONE:
            return f"config settings.{'.'.join(path[:i])}" if i == len(path) or not isinstance(
                found, dict) else None
    return None


_NONE: Any = tree.Sentinel("NONE")

