"""Spec + catalog → Plan: everything a template needs, flavour-neutral, as data.

The plan lowers the config's notation: `{local, production}` becomes a `Split`, `{nix}` a `Raw`
Nix expression. `resolve` computes what Nix will compute for one profile, which is what the tests
hold the generated module to. Kubernetes objects carry a condition: always, only in production,
or whenever a final Helm value is true. The plan names no binding of any template; the renderer
turns its data into Nix.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nixgen.facts import catalog, locations
from nixgen.input import sets
from nixgen.input.choices import PROFILES
from nixgen.nix.emit import Raw
from nixgen.errors import NixgenError
from nixgen.input.spec import Spec

CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds/v2"
ALPHA_CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds/v2alpha1"
CHART_DIR = "install/kubernetes/cilium"
NAMESPACE = "kube-system"


@dataclass(frozen=True)
class Split:
    """A value that depends on the profile."""

    local: Any
    production: Any


def split(local: Any, production: Any) -> Any:
    """A Split, or the value itself when both profiles agree."""
    same = type(local) is type(production) and local == production
    return local if same else Split(local, production)


def lower(tree: Any, profiles: bool = True) -> Any:
    """The config's notation as plan data: `{nix}` → Raw, and (where `profiles`)
    `{local, production}` → Split."""
    if isinstance(tree, dict):
        if tree.keys() == {"nix"}:
            return Raw(tree["nix"])
        if profiles and tree.keys() == {"local", "production"}:
            return split(lower(tree["local"]), lower(tree["production"]))
        return {k: lower(v, profiles) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [lower(v, profiles) for v in tree]
    return tree


@dataclass(frozen=True)
class Condition:
    """When an object is deployed: `always`, only in one profile (`local`, `production`), or
    whenever the final Helm value at `path` is true (so a user's `cilium.helmValues` override
    moves the object with it)."""

    kind: str
    path: tuple[str, ...] = ()

    def holds(self, profile: str, values: Mapping[str, Any]) -> bool:
        if self.kind == "always":
            return True
        if self.kind in PROFILES:
            return profile == self.kind
        return sets.lookup(values, self.path) is True


ALWAYS = Condition("always")
PRODUCTION = Condition("production")
LOCAL = Condition("local")


@dataclass(frozen=True)
class KubeObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None
    body: Mapping[str, Any]  # everything but apiVersion, kind and metadata
    labels: Mapping[str, str]
    when: Condition
    # Where the config asks for it (`policies.extra[0]`, `objects[2]`, `production.bgp`).
    origin: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)
    # A patch of an object the chart renders: it merges with that object, so it carries only
    # what it changes (no apiVersion; kind and name are where the framework files it).
    patch: bool = False
    # Whether the module takes the apiVersion from the facts of the Cilium minor in use (the
    # objects nixgen builds), rather than as the config wrote it (the user's objects).
    api_from_facts: bool = True

    def changes(self) -> dict[str, Any]:
        """What the object sets besides apiVersion, kind, name and namespace."""
        metadata: dict[str, Any] = {}
        if self.labels:
            metadata["labels"] = dict(self.labels)
        if self.annotations:
            metadata["annotations"] = dict(self.annotations)
        return {"metadata": metadata, **self.body} if metadata else dict(self.body)

    def manifest(self) -> dict[str, Any]:
        """The object as `nixgen values --objects` lists it (a patch without apiVersion)."""
        metadata: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            metadata["namespace"] = self.namespace
        rest = self.changes()
        metadata.update(rest.pop("metadata", {}))
        head = {} if self.patch else {"apiVersion": self.api_version}
        return {**head, "kind": self.kind, "metadata": metadata, **rest}


@dataclass(frozen=True)
class Plan:
    spec: Spec
    release: catalog.Release
    values: dict[str, Any]
    crd_files: tuple[str, ...]  # files importyaml takes from crd_dir
    objects: tuple[KubeObject, ...] = field(default=())
    # Cilium minor → facts the module selects by `cilium.version` at evaluation time, so that
    # editing the version in Nix without regenerating stays right across the known minors.
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The module's typed options (nixgen.plan.options) and the values it writes over them.
    options: tuple[Any, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    # Cilium kind → namespaced, over every minor in `facts`, for a module that sets
    # kubernetes.namespacedMappings (else empty): a kind keeps its scope across releases, so
    # the module writes the table once and takes the kinds of the minor in use from it.
    scopes: dict[str, bool] = field(default_factory=dict)
    # Where the module finds things in a Cilium tree, and where it deploys.
    chart_dir: str = CHART_DIR
    crd_dir: str = CRD_DIR
    alpha_crd_dir: str = ALPHA_CRD_DIR
    namespace: str = NAMESPACE

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
        order = {"always": 0, "local": 1, "production": 2, "value": 3}
        return sorted(groups.items(), key=lambda kv: (order[kv[0].kind], kv[0].path))

    def values_for(self, profile: str, env: Mapping[str, Any] | None = None) -> Any:
        return resolve(self.values, profile, env)

    def objects_for(self, profile: str, env: Mapping[str, Any] | None = None) -> list[Any]:
        values = self.values_for(profile, env)
        return [resolve(o.manifest(), profile, env) for o in self.objects
                if o.when.holds(profile, values)]  # fmt: skip


def settings_values(spec: Spec) -> dict[str, Any]:
    """The Helm values the typed settings give: what the module's `cilium.settings` options
    default to (nixgen.plan.options)."""
    from nixgen.plan import options

    return lower(options.written(spec))


# The production features (config section `production`) that switch `<name>.enabled` on in
# the production profile.
PRODUCTION_FEATURES = ("ipv6", "bgpControlPlane", "hostFirewall", "l2announcements")


def extra_values(spec: Spec) -> dict[str, Any]:
    """The Helm values the module writes over the typed settings: the production features',
    then the config's free-form `values`."""
    from nixgen.plan import objects

    tree: dict[str, Any] = {}
    production_only = Split(False, True)
    for name in PRODUCTION_FEATURES:
        if getattr(spec, name):
            tree[name] = {"enabled": production_only}
    tree.update(objects.l2_values(spec))
    return sets.deep_merge(tree, lower(spec.values, profiles=False))


def helm_values(spec: Spec) -> dict[str, Any]:
    return sets.deep_merge(settings_values(spec), extra_values(spec))


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


class PlanError(NixgenError):
    """A spec that this release cannot carry out."""


def kube_objects(spec: Spec, release: catalog.Release) -> list[KubeObject]:
    known = {**release.api_mappings, "NetworkPolicy": "networking.k8s.io/v1"}

    def api(kind: str) -> str:
        if kind not in known:
            raise PlanError(f"Cilium {release.version} ships no {kind} CRD, which this spec needs")
        return known[kind]

    from nixgen.plan import objects

    out = []
    if spec.defaultPolicy:
        out.append(KubeObject(api("CiliumClusterwideNetworkPolicy"), "CiliumClusterwideNetworkPolicy",
                              "ep-default", None, {"spec": EP_DEFAULT_SPEC}, {}, ALWAYS,
                              "policies.defaultPolicy"))  # fmt: skip
    for i, obj in enumerate(spec.policies):
        out.append(KubeObject(api(obj.kind), obj.kind, obj.name, obj.namespace,
                              {"spec": lower(obj.spec, profiles=False)}, obj.labels,
                              ALWAYS, f"policies.extra[{i}]"))  # fmt: skip
    for name, cidrs in spec.loadBalancerIPPools.items():
        body = {"spec": {"blocks": [{"cidr": c} for c in cidrs]}}
        out.append(KubeObject(api("CiliumLoadBalancerIPPool"), "CiliumLoadBalancerIPPool", name,
                              None, body, {}, PRODUCTION,
                              f"production.loadBalancerIPPools.{name}"))  # fmt: skip
    out += objects.bgp_objects(spec, api) + objects.l2_objects(spec, api)
    if spec.hubbleRelayPolicy:
        out.append(KubeObject(api("CiliumNetworkPolicy"), "CiliumNetworkPolicy",
                              "allow-hubble-relay-server-egress", NAMESPACE,
                              {"spec": RELAY_EGRESS_SPEC}, {},
                              Condition("value", ("hubble", "relay", "enabled")),
                              "policies.hubbleRelayPolicy"))  # fmt: skip
    given = [(p.kind, p.namespace, p.name) for p in spec.policies]
    for kind, _, name in (k for k in given if given.count(k) > 1):
        raise PlanError(f"policies.extra: {kind} {name!r} is given twice")
    out += objects.user_objects(spec, release)
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


def alpha_crd_files(rel: catalog.Release, kinds: Collection[str]) -> list[str]:
    """The CRD files in crds/v2alpha1 of `rel` that define one of `kinds`."""
    return sorted(c.file for c in rel.crds if c.dir == "v2alpha1" and c.kind in kinds)


def fact_releases(cat: catalog.Catalog, release: catalog.Release) -> dict[str, catalog.Release]:
    """Per known minor, the release the module takes its facts from: the pinned release for
    its own minor, the newest known patch for the others (once per catalog and release)."""
    return _per_release("releases", cat, release, lambda: {
        minor: release if release.minor == minor else cat.newest(minor)
        for minor in cat.minors()})  # fmt: skip


_PER_RELEASE: dict[tuple[Any, ...], tuple[catalog.Catalog, Any]] = {}


def _per_release(what: str, cat: catalog.Catalog, release: catalog.Release, compute: Any,
                 *key: Any) -> Any:
    """`compute()`, once per catalog (by identity), release and `key`."""
    full = (what, id(cat), release.version, *key)
    if _PER_RELEASE.get(full, (None,))[0] is not cat:
        _PER_RELEASE[full] = (cat, compute())
    return _PER_RELEASE[full][1]


def minor_facts(spec: Spec, cat: catalog.Catalog, release: catalog.Release,
                kinds: Collection[str] = ()) -> dict[str, Any]:
    """Per known minor: its gateway-api release and its CRD mappings; in the hetzkube flavour
    also the v2alpha1 CRD files of the `kinds` the module creates objects of (the v2 files are
    all imported), when there are any at some minor. The same for every spec of one flavour,
    generation and release that creates objects of the same kinds: computed once for them."""
    kinds = frozenset(kinds)
    return _per_release("facts", cat, release, lambda: _minor_facts(
        spec.flavor, spec.easykubenix, cat, release, kinds), spec.flavor, spec.easykubenix, kinds)


def _minor_facts(flavor: str, easykubenix: str, cat: catalog.Catalog, release: catalog.Release,
                 kinds: frozenset[str]) -> dict[str, Any]:
    hetzkube = flavor == "hetzkube"
    out: dict[str, Any] = {}
    rels = fact_releases(cat, release)
    alpha = hetzkube and any(alpha_crd_files(r, kinds) for r in rels.values())
    for minor, rel in rels.items():
        entry: dict[str, Any] = {}
        if hetzkube:
            entry["gatewayApi"] = cat.gateway_api[minor]
        if hetzkube and easykubenix == "standalone":
            entry["gatewayApiExperimental"] = list(cat.gateway_api_experimental.get(minor, ()))
        entry["apiMappings"] = rel.api_mappings
        if alpha:
            entry["alphaCrds"] = alpha_crd_files(rel, kinds)
        out[minor] = entry
    return out


_SCOPE = {True: "namespaced", False: "cluster-scoped"}


def kind_scopes(releases: Iterable[catalog.Release]) -> dict[str, bool]:
    """Kind → namespaced over `releases`, by kind. The module keeps one scope per kind, which
    holds only while no release moves a kind between cluster and namespace scope: a catalog
    where one does is an error here, not a wrong table in the module."""
    seen: dict[str, catalog.Release] = {}
    for rel in releases:
        for kind, namespaced in rel.namespaced.items():
            first = seen.setdefault(kind, rel)
            if first.namespaced[kind] != namespaced:
                was, now = (_SCOPE[r.namespaced[kind]] for r in (first, rel))
                raise PlanError(f"{locations.catalog_path()}: {kind} is {was} in Cilium "
                                f"{first.version} but {now} in {rel.version}; nixgen keeps one "
                                "scope per kind across releases")  # fmt: skip
    return {kind: seen[kind].namespaced[kind] for kind in sorted(seen)}


def build(spec: Spec) -> Plan:
    from nixgen.plan import options

    cat = catalog.load()
    release = cat.release_for(spec.ciliumVersion)
    objects = tuple(kube_objects(spec, release))
    scopes = _per_release("scopes", cat, release,
                          lambda: kind_scopes(fact_releases(cat, release).values()))
    values = helm_values(spec)
    return Plan(
        spec=spec,
        release=release,
        values=values,
        options=(*options.hetzkube_options(spec, values),
                 *options.setting_options(spec, values, release.version)),
        extra=options.without_settings(values),
        crd_files=tuple(sorted(c.file for c in release.crds if c.dir == "v2")),
        objects=objects,
        facts=minor_facts(spec, cat, release, {o.kind for o in objects if not o.patch}),
        scopes=scopes if spec.flavor == "hetzkube" and spec.easykubenix == "hetzkube-pin" else {},
    )


def resolve(tree: Any, profile: str, env: Mapping[str, Any] | None = None) -> Any:
    """The value Nix computes for `tree` in `profile`; `env` gives the value of each Raw
    (a Raw without one stays a Raw)."""
    if isinstance(tree, Split):
        return resolve(tree.local if profile == "local" else tree.production, profile, env)
    if isinstance(tree, Raw):
        return env[tree.expr] if env is not None and tree.expr in env else tree
    if isinstance(tree, dict):
        return {k: resolve(v, profile, env) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [resolve(v, profile, env) for v in tree]
    return tree


__all__ = ["PROFILES", "Plan", "build", "resolve"]
