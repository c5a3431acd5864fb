"""The objects of the production features (BGP peering, L2 announcements) and the user's own
`[[objects]]`, as plan objects; and the pipeline step that checks every Cilium object against
its CRD's schema in the pinned release.

An object's scope (namespaced or cluster-scoped) comes from the catalog for Cilium kinds, from
`WELL_KNOWN` for common Kubernetes kinds, and otherwise from whether a namespace is given.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from nixgen.facts import catalog
from nixgen.errors import NixgenError
from nixgen.plan.model import (
    ALWAYS,
    LOCAL,
    NAMESPACE,
    PRODUCTION,
    Condition,
    KubeObject,
    Plan,
    lower,
    resolve,
    split,
)
from nixgen.input.spec import Spec

# Kind → (namespaced, nixidy's typed-resource attribute under applications.<app>.resources).
# The attribute is None for kinds nixidy has no typed option for (Gateway API kinds): nixidy
# cannot patch those.
WELL_KNOWN: dict[str, tuple[bool, str | None]] = {
    "Namespace": (False, "namespaces"),
    "ClusterRole": (False, "clusterRoles"),
    "ClusterRoleBinding": (False, "clusterRoleBindings"),
    "PersistentVolume": (False, "persistentVolumes"),
    "StorageClass": (False, "storageClasses"),
    "IngressClass": (False, "ingressClasses"),
    "PriorityClass": (False, "priorityClasses"),
    "GatewayClass": (False, None),
    "Secret": (True, "secrets"),
    "ConfigMap": (True, "configMaps"),
    "Service": (True, "services"),
    "ServiceAccount": (True, "serviceAccounts"),
    "Deployment": (True, "deployments"),
    "DaemonSet": (True, "daemonSets"),
    "StatefulSet": (True, "statefulSets"),
    "Job": (True, "jobs"),
    "CronJob": (True, "cronJobs"),
    "Role": (True, "roles"),
    "RoleBinding": (True, "roleBindings"),
    "Ingress": (True, "ingresses"),
    "NetworkPolicy": (True, "networkPolicies"),
    "PersistentVolumeClaim": (True, "persistentVolumeClaims"),
    "Gateway": (True, None),
    "HTTPRoute": (True, None),
    "GRPCRoute": (True, None),
    "TLSRoute": (True, None),
    "ReferenceGrant": (True, None),
}

# The names of the objects the production features create.
BGP_CLUSTER_CONFIG = "cilium-bgp"
BGP_PEER_CONFIG = "cilium-peer"
BGP_ADVERTISEMENT = "cilium-bgp"
BGP_LABELS = {"advertise": "bgp"}
L2_POLICY = "cilium-l2"
# Selects every Service: a Service advertisement without a selector advertises none (the
# pattern Cilium's BGP docs use).
EVERY_SERVICE = {"matchExpressions": [
    {"key": "somekey", "operator": "NotIn", "values": ["never-used-value"]}]}  # fmt: skip


class ObjectError(NixgenError):
    """An object the API server would refuse or change, or one a flavour cannot deploy."""


def namespaced(kind: str, namespace: str | None, release: catalog.Release) -> bool:
    if kind in release.namespaced:
        return release.namespaced[kind]
    if kind in WELL_KNOWN:
        return WELL_KNOWN[kind][0]
    return namespace is not None


def _selector(labels: Mapping[str, str]) -> dict[str, Any]:
    return {"matchLabels": dict(labels)}


def bgp_objects(spec: Spec, api: Callable[[str], str]) -> list[KubeObject]:
    """A cluster config peering the selected nodes with every peer, one peer config for all
    peers (families IPv4, and IPv6 with production.ipv6), one advertisement."""
    bgp = spec.bgp
    if bgp is None:
        return []
    peers = [{"name": p.name, "peerASN": p.asn, "peerAddress": p.address,
              "peerConfigRef": {"name": BGP_PEER_CONFIG}} for p in bgp.peers]  # fmt: skip
    cluster: dict[str, Any] = {}
    if bgp.nodeSelector:
        cluster["nodeSelector"] = _selector(bgp.nodeSelector)
    cluster["bgpInstances"] = [
        {"name": f"instance-{bgp.localASN}", "localASN": bgp.localASN, "peers": peers}]
    families = [{"afi": afi, "safi": "unicast", "advertisements": _selector(BGP_LABELS)}
                for afi in ("ipv4", "ipv6") if afi == "ipv4" or spec.ipv6]  # fmt: skip
    adverts: list[dict[str, Any]] = []
    if "PodCIDR" in bgp.advertise:
        adverts.append({"advertisementType": "PodCIDR"})
    addresses = [a for a in bgp.advertise if a != "PodCIDR"]
    if addresses:
        selector = _selector(bgp.serviceSelector) if bgp.serviceSelector else EVERY_SERVICE
        adverts.append({"advertisementType": "Service", "service": {"addresses": addresses},
                        "selector": selector})  # fmt: skip
    where = "production.bgp"
    return [
        KubeObject(api("CiliumBGPClusterConfig"), "CiliumBGPClusterConfig", BGP_CLUSTER_CONFIG,
                   None, {"spec": cluster}, {}, PRODUCTION, where),
        KubeObject(api("CiliumBGPPeerConfig"), "CiliumBGPPeerConfig", BGP_PEER_CONFIG, None,
                   {"spec": {"families": families}}, {}, PRODUCTION, where),
        KubeObject(api("CiliumBGPAdvertisement"), "CiliumBGPAdvertisement", BGP_ADVERTISEMENT,
                   None, {"spec": {"advertisements": adverts}}, BGP_LABELS, PRODUCTION, where),
    ]  # fmt: skip


def l2_objects(spec: Spec, api: Callable[[str], str]) -> list[KubeObject]:
    l2 = spec.l2Policy
    if l2 is None:
        return []
    body: dict[str, Any] = {}
    if l2.nodeSelector:
        body["nodeSelector"] = _selector(l2.nodeSelector)
    if l2.serviceSelector:
        body["serviceSelector"] = _selector(l2.serviceSelector)
    if l2.interfaces:
        body["interfaces"] = list(l2.interfaces)
    body |= {"loadBalancerIPs": l2.loadBalancerIPs, "externalIPs": l2.externalIPs}
    kind = "CiliumL2AnnouncementPolicy"
    return [KubeObject(api(kind), kind, L2_POLICY, None, {"spec": body}, {}, PRODUCTION,
                       "production.l2announcements")]  # fmt: skip


def l2_values(spec: Spec) -> dict[str, Any]:
    """The Helm values L2 announcements need besides the switch: a higher client rate limit
    (each announced Service holds a lease its agent renews), in production only."""
    l2 = spec.l2Policy
    if l2 is None:
        return {}
    return {"k8sClientRateLimit": split({}, {"qps": l2.qps, "burst": l2.burst})}


def user_objects(spec: Spec, release: catalog.Release) -> list[KubeObject]:
    out = []
    for i, obj in enumerate(spec.objects):
        where = f"objects[{i}]"
        is_namespaced = namespaced(obj.kind, obj.namespace, release)
        if is_namespaced and obj.namespace is None:
            raise ObjectError(f"{where}: {obj.kind} {obj.name!r} is namespaced: give "
                              "metadata.namespace")  # fmt: skip
        if not is_namespaced and obj.namespace is not None:
            raise ObjectError(f"{where}: {obj.kind} {obj.name!r} is cluster-scoped: it takes "
                              "no metadata.namespace")  # fmt: skip
        if obj.patch and spec.flavor == "nixidy":
            _nixidy_patchable(obj, where)
        when: Condition | None = {"local": LOCAL, "production": PRODUCTION}.get(obj.profile or "")
        out.append(KubeObject(obj.api_version or "", obj.kind, obj.name, obj.namespace,
                              lower(obj.body, profiles=False), obj.labels, when or ALWAYS, where,
                              obj.annotations, obj.patch, api_from_facts=False))  # fmt: skip
    return out


def nixidy_attribute(kind: str) -> str | None:
    return WELL_KNOWN.get(kind, (False, None))[1]


def _nixidy_patchable(obj: Any, where: str) -> None:
    if nixidy_attribute(obj.kind) is None:
        typed = ", ".join(k for k, (_, a) in WELL_KNOWN.items() if a is not None)
        raise ObjectError(f"{where}: nixidy cannot patch a {obj.kind}: only objects of its typed "
                          f"kinds ({typed}) merge with the chart's; use the application's "
                          "objectTransforms for others")  # fmt: skip
    if obj.namespace not in (None, NAMESPACE):
        raise ObjectError(f"{where}: nixidy keys the chart's objects by name within the "
                          f"application's namespace ({NAMESPACE}): a patch cannot reach "
                          f"namespace {obj.namespace!r}")  # fmt: skip


# ------------------------------------------------------------------ the schema check


def _is_cilium(obj: KubeObject, release: catalog.Release) -> bool:
    return obj.kind in release.namespaced or obj.api_version.startswith("cilium.io/")


def _describe(obj: KubeObject) -> str:
    where = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    return f"{obj.kind} {where}"


def _validated(manifest: dict[str, Any], version: str) -> list[Any]:
    """crd.validate, once per distinct object and release in a process: a long-running
    caller generates the same policies again and again. (An object holding a Nix expression
    is not JSON, and is validated each time.)"""
    from nixgen.checks import crd

    try:
        key = json.dumps(manifest, sort_keys=True)
    except TypeError:
        return crd.validate(manifest, version)
    return list(_validated_json(key, version))


@lru_cache(maxsize=1024)
def _validated_json(key: str, version: str) -> tuple[Any, ...]:
    from nixgen.checks import crd

    return tuple(crd.validate(json.loads(key), version))


def check(plan: Plan) -> None:
    """Every Cilium object of each profile (patches aside) against the openAPIV3Schema of its
    apiVersion in the pinned release: ObjectError naming the object, where the config asks
    for it, the JSON path and the problem. The schema store is read only when there are
    Cilium objects."""
    cilium = [o for o in plan.objects if not o.patch and _is_cilium(o, plan.release)]
    if not cilium:
        return
    for profile in ("local", "production"):
        values = plan.values_for(profile)
        for obj in cilium:
            if not obj.when.holds(profile, values):
                continue
            manifest = resolve(obj.manifest(), profile)
            problems = _validated(manifest, plan.version)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                origin = f"{obj.origin}: " if obj.origin else ""
                raise ObjectError(f"{origin}{_describe(obj)}: {problems[0]}{more}")
