"""Spec + catalog → Plan: everything a template needs, flavour-neutral, as data.

The Helm values tree holds plain values, `Raw` Nix expressions and `Split` values; `resolve`
computes what Nix will compute for one profile, which is what the tests hold the generated
module to. Kubernetes objects (policies, load-balancer pools) carry a condition: always, only
in production, or whenever a final Helm value is true.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nixgen import catalog, overrides
from nixgen.emit import LOCAL, Raw, Split

if TYPE_CHECKING:
    # A pydantic Spec, or a QuickSpec (all defaults, no pydantic): the same attributes.
    from nixgen.spec import Spec

PROFILES = ("local", "production")
CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds/v2"
CHART_DIR = "install/kubernetes/cilium"
NAMESPACE = "kube-system"


@dataclass(frozen=True)
class Condition:
    """When an object is deployed: `always`, `production`, or whenever the final Helm value at
    `path` is true (so a user's `cilium.helmValues` override moves the object with it)."""

    kind: str
    path: tuple[str, ...] = ()

    def nix(self) -> str:
        if self.kind == "production":
            return f"!{LOCAL}"
        if self.kind == "value":
            return "values." + ".".join(self.path) + " or false"
        raise ValueError("an unconditional object has no Nix condition")

    def holds(self, profile: str, values: Mapping[str, Any]) -> bool:
        if self.kind == "always":
            return True
        if self.kind == "production":
            return profile == "production"
        return overrides.lookup(values, self.path) is True


ALWAYS = Condition("always")
PRODUCTION = Condition("production")


@dataclass(frozen=True)
class KubeObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None
    body: Mapping[str, Any]  # everything but apiVersion, kind and metadata.name/namespace
    labels: Mapping[str, str]
    when: Condition

    def manifest(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            metadata["namespace"] = self.namespace
        if self.labels:
            metadata["labels"] = dict(self.labels)
        return {"apiVersion": self.api_version, "kind": self.kind, "metadata": metadata,
                **self.body}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    spec: Spec
    release: catalog.Release
    values: dict[str, Any]
    crd_files: tuple[str, ...]  # files importyaml takes from CRD_DIR
    objects: tuple[KubeObject, ...] = field(default=())
    # Cilium minor → facts the module selects by `cilium.version` at evaluation time, so that
    # editing the version in Nix without regenerating stays right across the known minors.
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def flavor(self) -> str:
        return self.spec.flavor

    @property
    def version(self) -> str:
        return self.spec.ciliumVersion

    @property
    def api_mappings(self) -> dict[str, str]:
        return self.release.api_mappings

    @property
    def namespaced(self) -> dict[str, bool]:
        return self.release.namespaced


    def object_groups(self) -> list[tuple[Condition, list[KubeObject]]]:
        """Objects grouped by condition, in a fixed order: always, production, then by value."""
        groups: dict[Condition, list[KubeObject]] = {}
        for obj in self.objects:
            groups.setdefault(obj.when, []).append(obj)
        order = {"always": 0, "production": 1, "value": 2}
        return sorted(groups.items(), key=lambda kv: (order[kv[0].kind], kv[0].path))

    def values_for(self, profile: str, env: Mapping[str, Any] | None = None) -> Any:
        return resolve(self.values, profile, env)

    def objects_for(self, profile: str, env: Mapping[str, Any] | None = None) -> list[Any]:
        values = self.values_for(profile, env)
        return [resolve(o.manifest(), profile, env) for o in self.objects
                if o.when.holds(profile, values)]  # fmt: skip


def helm_values(spec: Spec) -> dict[str, Any]:
    tree = spec.settings_values()
    production_only = Split(False, True)
    p = spec.production
    for name, enabled in [("ipv6", p.ipv6), ("bgpControlPlane", p.bgpControlPlane),
                          ("hostFirewall", p.hostFirewall),
                          ("l2announcements", p.l2announcements)]:  # fmt: skip
        if enabled:
            tree[name] = {"enabled": production_only}
    return overrides.deep_merge(tree, spec.values)


EP_DEFAULT_SPEC = {
    "endpointSelector": {},
    "ingress": [{"fromEntities": ["cluster", "ingress"]}],
    "egress": [{"toEntities": ["all"]}],
}
RELAY_EGRESS_SPEC = {
    "endpointSelector": {"matchLabels": {"app.kubernetes.io/name": "hubble-relay"}},
    "egress": [
        {
            "toEntities": ["remote-node", "host"],
            "toPorts": [{"ports": [{"port": "4244", "protocol": "TCP"}]}],
        }
    ],
}


class PlanError(ValueError):
    """A spec that this release cannot carry out."""


def kube_objects(spec: Spec, release: catalog.Release) -> list[KubeObject]:
    known = {**release.api_mappings, "NetworkPolicy": "networking.k8s.io/v1"}

    def api(kind: str) -> str:
        if kind not in known:
            raise PlanError(f"Cilium {release.version} ships no {kind} CRD, which this spec needs")
        return known[kind]

    out = []
    if spec.policies.defaultPolicy:
        out.append(KubeObject(api("CiliumClusterwideNetworkPolicy"), "CiliumClusterwideNetworkPolicy",
                              "ep-default", None, {"spec": EP_DEFAULT_SPEC}, {}, ALWAYS))  # fmt: skip
    for obj in spec.policies.extra:
        out.append(KubeObject(api(obj.kind), obj.kind, obj.name, obj.namespace,
                              {"spec": obj.spec}, obj.labels, ALWAYS))  # fmt: skip
    for name, cidrs in spec.production.loadBalancerIPPools.items():
        body = {"spec": {"blocks": [{"cidr": c} for c in cidrs]}}
        out.append(KubeObject(api("CiliumLoadBalancerIPPool"), "CiliumLoadBalancerIPPool", name,
                              None, body, {}, PRODUCTION))  # fmt: skip
    if spec.policies.hubbleRelayPolicy:
        out.append(KubeObject(api("CiliumNetworkPolicy"), "CiliumNetworkPolicy",
                              "allow-hubble-relay-server-egress", NAMESPACE,
                              {"spec": RELAY_EGRESS_SPEC}, {},
                              Condition("value", ("hubble", "relay", "enabled"))))  # fmt: skip
    seen: set[tuple[str, str | None, str]] = set()
    for obj in out:
        key = (obj.kind, obj.namespace, obj.name)
        if key in seen:
            raise PlanError(f"policies.extra: {obj.kind} {obj.name!r} is one nixgen generates "
                            "itself; rename yours, or turn the generated one off in [policies]")  # fmt: skip
        seen.add(key)
    return out


def minor_facts(spec: Spec, cat: catalog.Catalog, release: catalog.Release) -> dict[str, Any]:
    """Per known minor: its gateway-api release and its CRD mappings, taken from the pinned
    release for its own minor and from the newest known patch for the others."""
    out: dict[str, Any] = {}
    for minor in cat.minors():
        same = [r for r in cat.releases.values() if r.minor == minor]
        rel = release if release.minor == minor else max(
            same, key=lambda r: catalog.parse_version(r.version))  # fmt: skip
        entry: dict[str, Any] = {}
        if spec.flavor == "hetzkube":
            entry["gatewayApi"] = cat.gateway_api[minor]
        entry["apiMappings"] = rel.api_mappings
        if spec.flavor == "hetzkube" and spec.easykubenix == "hetzkube-pin":
            entry["namespacedMappings"] = rel.namespaced
        out[minor] = entry
    return out


def build(spec: Spec) -> Plan:
    cat = catalog.load()
    release = cat.release_for(spec.ciliumVersion)
    return Plan(
        spec=spec,
        release=release,
        values=helm_values(spec),
        crd_files=tuple(sorted(c.file for c in release.crds if c.dir == "v2")),
        objects=tuple(kube_objects(spec, release)),
        facts=minor_facts(spec, cat, release),
    )


def resolve(tree: Any, profile: str, env: Mapping[str, Any] | None = None) -> Any:
    """The value Nix computes for `tree` in `profile`; `env` gives the value of each Raw
    (a Raw without one stays a Raw)."""
    if isinstance(tree, Split):
        return resolve(tree.local if profile == "local" else tree.production, profile, env)
    if isinstance(tree, Raw):
        return env[tree.expr] if env is not None and tree.expr in env else tree
    if isinstance(tree, Mapping):
        return {k: resolve(v, profile, env) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [resolve(v, profile, env) for v in tree]
    return tree
