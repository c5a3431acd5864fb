"""Spec + catalog → Plan: the Helm values (the typed settings, the production features, the
config's values), the module's options, its objects, and the facts of every known Cilium minor
that the module selects by `cilium.version` at evaluation time."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import Any

from nixgen import tree
from nixgen.facts import catalog, locations
from nixgen.input.spec import Spec
from nixgen.plan import options
from nixgen.plan.flavor import FactNeeds, Flavor
from nixgen.plan.model import Plan, PlanError, Split, lower
from nixgen.plan.objects import kube_objects, l2_values


# The production features (config section `production`) that switch `<name>.enabled` on in
# the production profile.
PRODUCTION_FEATURES = ("ipv6", "bgpControlPlane", "hostFirewall", "l2announcements")


def layers(spec: Spec, flavor: Flavor) -> tuple[dict[str, Any], dict[str, Any]]:
    """(defaults, given), as plan data: nixgen's defaults for the typed settings the config
    leaves unset (the table's, the flavour's: hetzkube's policyAuditMode, production's API
    server host), and what the config gives, its settings, production features and values
    merged. (Today's semantics, where a nixgen default never yields to a user's value; the
    values work of issue 17 replaces this with its layers.)"""
    written = lower(flavor.module_settings(spec))
    user = lower(flavor.module_settings(spec, spec.given.get("settings", {})))
    defaults = tree.without(written, set(tree.leaf_paths(user))) if user else written
    return defaults, tree.deep_merge(user, extra_values(spec))


def extra_values(spec: Spec) -> dict[str, Any]:
    """The Helm values the config gives besides its settings: the production features', then
    its free-form `values`."""
    features: dict[str, Any] = {}
    production_only = Split(False, True)
    for name in PRODUCTION_FEATURES:
        if getattr(spec, name):
            features[name] = {"enabled": production_only}
    features.update(l2_values(spec))
    return tree.deep_merge(features, lower(spec.values, profiles=False))


def alpha_crd_files(rel: catalog.Release, kinds: Collection[str]) -> list[str]:
    """The CRD files in crds/v2alpha1 of `rel` that define one of `kinds`."""
    return sorted(c.file for c in rel.crds if c.dir == "v2alpha1" and c.kind in kinds)


@lru_cache(maxsize=256)
def fact_releases(cat: catalog.Catalog, version: str) -> dict[str, catalog.Release]:
    """Per known minor, the release a module pinned to the release `version` takes its facts
    from: that release for its own minor, the newest known patch for the others."""
    release = cat.releases[version]
    return {minor: release if release.minor == minor else cat.newest(minor)
            for minor in cat.minors()}  # fmt: skip


@lru_cache(maxsize=256)
def minor_facts(needs: FactNeeds, cat: catalog.Catalog, version: str,
                kinds: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Per known minor: its CRD mappings, and what else the module `needs` of it: its
    gateway-api release, its experimental gateway-api CRDs, the v2alpha1 CRD files of the
    `kinds` the module creates objects of (the v2 files are all imported) when there are any at
    some minor. The same for every module with the same needs, release and kinds: computed once
    for them (read it, do not change it)."""
    return _minor_facts(needs, cat, cat.releases[version], kinds)


def _minor_facts(needs: FactNeeds, cat: catalog.Catalog, release: catalog.Release,
                 kinds: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rels = fact_releases(cat, release.version)
    alpha = needs.alpha_crds and any(alpha_crd_files(r, kinds) for r in rels.values())
    for minor, rel in rels.items():
        entry: dict[str, Any] = {}
        if needs.gateway_api:
            entry["gatewayApi"] = cat.gateway_api[minor]
        if needs.experimental_gateway_api:
            entry["gatewayApiExperimental"] = list(cat.gateway_api_experimental.get(minor, ()))
        entry["apiMappings"] = rel.api_mappings
        if alpha:
            entry["alphaCrds"] = alpha_crd_files(rel, kinds)
        out[minor] = entry
    return out


_SCOPE = {True: "namespaced", False: "cluster-scoped"}


@lru_cache(maxsize=256)
def scopes_of(cat: catalog.Catalog, version: str) -> dict[str, bool]:
    """Kind → namespaced over the releases a module pinned to `version` takes facts from."""
    return kind_scopes(fact_releases(cat, version).values())


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


def build(spec: Spec, flavor: Flavor) -> Plan:
    """The plan of `spec` for `flavor` (nixgen.nix.flavors names them)."""
    cat = catalog.load()
    release = cat.release_for(spec.ciliumVersion)
    objects = tuple(kube_objects(spec, release, flavor))
    scopes = scopes_of(cat, release.version)
    defaults, given = layers(spec, flavor)
    settings_options = options.setting_options(defaults, release.version)
    needs = flavor.fact_needs(spec)
    return Plan(
        spec=spec,
        release=release,
        values=tree.deep_merge(defaults, given),
        typed=lower(flavor.module_settings(spec)),
        defaults=defaults,
        given=given,
        options=options.cluster_options(spec, flavor),
        settings_options=settings_options,
        nullable=options.nullable(settings_options),
        aliases=options.aliases(spec, flavor),
        crd_files=tuple(sorted(c.file for c in release.crds if c.dir == "v2")),
        objects=objects,
        facts=minor_facts(needs, cat, release.version,
                          frozenset(o.kind for o in objects if not o.patch)),
        scopes=scopes if needs.scopes else {},
    )

