"""The checks the rules' language cannot say (CIDR arithmetic, searching a list), made in
Python only, and the warnings; judged after the rules table (nixgen.checks.rules)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from itertools import combinations
from typing import Any

from nixgen import tree
from nixgen.checks.lang import all_, applies, holds, on
from nixgen.checks.rules import CM, REFUSES, USE_APISERVER, RuleError, fail
from nixgen.input.choices import PROFILES
from nixgen.nixatoms import Raw
from nixgen.plan.model import Plan, lower


def _networks(values: Mapping[str, Any], dotted: str) -> list[Any]:
    items = tree.lookup(values, dotted, [])
    if isinstance(items, str):  # the chart's string form: CIDRs separated by spaces or commas
        items = [item for item in re.split(r"[ ,]+", items) if item]
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
    for (a_name, a), (b_name, b) in combinations(nets, 2):
        if a.version == b.version and a.overlaps(b):
            return f"{label}: {a} ({a_name}) overlaps {b} ({b_name})"
    return None


def pod_cidrs_overlap(v: Mapping[str, Any], minor: str) -> str | None:
    if tree.lookup(v, "ipam.mode") != "cluster-pool":
        return None
    dotted = "ipam.operator.clusterPoolIPv4PodCIDRList"
    return _overlaps(dotted, [(dotted, n) for n in _networks(v, dotted)])


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


# Checks the rules' language cannot say (CIDR arithmetic, searching a list): Python only.
EXTRA = (pod_cidrs_overlap, client_backoff_env, cluster_addresses)


def check(plan: Plan) -> list[str]:
    """Raise RuleError for the first of these checks that fails, then for overlapping
    load-balancer pools; return the warnings."""
    per_profile = {p: plan.values_for(p) for p in PROFILES}
    for extra in EXTRA:
        per = {p: problem for p in PROFILES
               if (problem := extra(per_profile[p], plan.release.minor))}  # fmt: skip
        if per:
            fail(per)
    pools = [(name, net) for name, cidrs in plan.spec.loadBalancerIPPools.items()
             for net in map(ipaddress.ip_network, cidrs)]  # fmt: skip
    if problem := _overlaps("production.loadBalancerIPPools", pools):
        raise RuleError(problem)
    return warnings(plan, per_profile)


def warnings(plan: Plan, per_profile: Mapping[str, Any]) -> list[str]:
    out = []
    free = lower(plan.spec.values, profiles=False)
    typed = sorted(set(tree.leaf_paths(plan.typed))) if free else []
    for path in tree.leaf_paths(free) if free else ():
        hit = tree.overlapping(path, typed)
        if hit is not None:
            out.append(f"values.{'.'.join(path)} overrides the typed setting "
                       f"settings.{'.'.join(hit)}")  # fmt: skip
    spec = plan.spec
    relay_on = any(holds(on("hubble.relay.enabled", False), per_profile[p]) for p in PROFILES)
    if relay_on and spec.hubbleRelayPolicy and not spec.defaultPolicy:
        out.append("the hubble-relay policy allows only 4244/TCP to the nodes, and without "
                   "policies.defaultPolicy nothing else allows relay's egress (not even "
                   "DNS): add a policy for it in policies.extra")  # fmt: skip
    if tree.lookup(plan.values, "routingMode") == "native" and "tunnelProtocol" in plan.values:
        out.append("tunnelProtocol is set but routingMode = native: Cilium builds no "
                   "tunnels, so it only matters to features that encapsulate on their own")  # fmt: skip
    return out

