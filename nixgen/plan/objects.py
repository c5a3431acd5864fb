"""Every Kubernetes object the module deploys, as plan objects: the catch-all policy
`ep-default`, the hubble-relay policy, the load-balancer IP pools, the objects of the
production features (BGP peering, L2 announcements), and the user's own policies and
`[[objects]]` (patches included).

An object's scope (namespaced or cluster-scoped) comes from the catalog for Cilium kinds, from
`WELL_KNOWN` for common Kubernetes kinds, and otherwise from whether a namespace is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import catalog
from nixgen.input.spec import Spec
from nixgen.plan.flavor import Flavor
from nixgen.plan.model import (
    ALWAYS,
    LOCAL,
    NAMESPACE,
    PRODUCTION,
    Condition,
    KubeObject,
    PlanError,
    lower,
    split,
)

# Whether the objects of common Kubernetes kinds live in a namespace.
WELL_KNOWN: dict[str, bool] = {
    "Namespace": False, "ClusterRole": False, "ClusterRoleBinding": False,
    "PersistentVolume": False, "StorageClass": False, "IngressClass": False,
    "PriorityClass": False, "GatewayClass": False,
    "Secret": True, "ConfigMap": True, "Service": True, "ServiceAccount": True,
    "Deployment": True, "DaemonSet": True, "StatefulSet": True, "Job": True, "CronJob": True,
    "Role": True, "RoleBinding": True, "Ingress": True, "NetworkPolicy": True,
    "PersistentVolumeClaim": True, "Gateway": True, "HTTPRoute": True, "GRPCRoute": True,
    "TLSRoute": True, "ReferenceGrant": True,
}  # fmt: skip

# Where the config asks for nixgen's own two policies, whose bodies are fixed (NIXGENS_OWN).
DEFAULT_POLICY = "policies.defaultPolicy"
RELAY_POLICY = "policies.hubbleRelayPolicy"
NIXGENS_OWN = frozenset({DEFAULT_POLICY, RELAY_POLICY})

# The cluster-wide catch-all `ep-default`: ingress from the cluster and ingress entities, egress
# to all (hetzkube's pattern, with enforcement mode `default`).
EP_DEFAULT_SPEC = {
    "endpointSelector": {},
    "ingress": [{"fromEntities": ["cluster", "ingress"]}],
    "egress": [{"toEntities": ["all"]}],
}
# hubble-relay → hubble-server, 4244/TCP on the nodes.
RELAY_EGRESS_SPEC = {
    "endpointSelector": {"matchLabels": {"app.kubernetes.io/name": "hubble-relay"}},
    "egress": [
        {
            "toEntities": ["remote-node", "host"],
            "toPorts": [{"ports": [{"port": "4244", "protocol": "TCP"}]}],
        }
    ],
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
        return WELL_KNOWN[kind]
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


def user_objects(spec: Spec, release: catalog.Release, flavor: Flavor) -> list[KubeObject]:
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
        flavor.check_object(obj, where)
        when: Condition | None = {"local": LOCAL, "production": PRODUCTION}.get(obj.profile or "")
        out.append(KubeObject(obj.api_version or "", obj.kind, obj.name, obj.namespace,
                              lower(obj.body, profiles=False), obj.labels, when or ALWAYS, where,
                              obj.annotations, obj.patch, api_from_facts=False))  # fmt: skip
    return out


def kube_objects(spec: Spec, release: catalog.Release, flavor: Flavor) -> list[KubeObject]:
    """The module's objects, in a fixed order; PlanError for an object given twice, or one the
    user gives that nixgen generates itself."""
    known = {**release.api_mappings, "NetworkPolicy": "networking.k8s.io/v1"}

    def api(kind: str) -> str:
        if kind not in known:
            raise PlanError(f"Cilium {release.version} ships no {kind} CRD, which this spec needs")
        return known[kind]

    out = []
    if spec.defaultPolicy:
        out.append(KubeObject(api("CiliumClusterwideNetworkPolicy"), "CiliumClusterwideNetworkPolicy",
                              "ep-default", None, {"spec": EP_DEFAULT_SPEC}, {}, ALWAYS,
                              DEFAULT_POLICY))  # fmt: skip
    for i, obj in enumerate(spec.policies):
        out.append(KubeObject(api(obj.kind), obj.kind, obj.name, obj.namespace,
                              {"spec": lower(obj.spec, profiles=False)}, obj.labels,
                              ALWAYS, f"policies.extra[{i}]"))  # fmt: skip
    for name, cidrs in spec.loadBalancerIPPools.items():
        body = {"spec": {"blocks": [{"cidr": c} for c in cidrs]}}
        out.append(KubeObject(api("CiliumLoadBalancerIPPool"), "CiliumLoadBalancerIPPool", name,
                              None, body, {}, PRODUCTION,
                              f"production.loadBalancerIPPools.{name}"))  # fmt: skip
    out += bgp_objects(spec, api) + l2_objects(spec, api)
    if spec.hubbleRelayPolicy:
        out.append(KubeObject(api("CiliumNetworkPolicy"), "CiliumNetworkPolicy",
                              "allow-hubble-relay-server-egress", NAMESPACE,
                              {"spec": RELAY_EGRESS_SPEC}, {},
                              Condition("value", ("hubble", "relay", "enabled")),
                              RELAY_POLICY))  # fmt: skip
    given = [(p.kind, p.namespace, p.name) for p in spec.policies]
    for kind, _, name in (k for k in given if given.count(k) > 1):
        raise PlanError(f"policies.extra: {kind} {name!r} is given twice")
    out += user_objects(spec, release, flavor)
    seen: dict[tuple[str, str | None, str], str] = {}
    for obj in out:
        key = (obj.kind, obj.namespace, obj.name)
        first = seen.setdefault(key, obj.origin)
        if first == obj.origin:
            continue
        if first.startswith(("policies.extra", "objects")):
            raise PlanError(f"{obj.origin}: {obj.kind} {obj.name!r} is {first} too: give each "
                            "object once (a patch included)")  # fmt: skip
        section = "policies.extra" if obj.origin.startswith("policies.extra") else obj.origin
        raise PlanError(f"{section}: {obj.kind} {obj.name!r} is one nixgen generates itself "
                        f"({first}); rename yours, or turn the generated one off")  # fmt: skip
    return out

