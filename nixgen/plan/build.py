"""Spec + catalog → Plan: the Helm values (nixgen's defaults where the user leaves a value open,
under the user's layers: values files, settings, production features, values, `--set`), the
module's options, its objects, and the facts of every known Cilium minor that the module selects
by `cilium.version` at evaluation time.

Which of nixgen's defaults yield to the user's values is the checks' to say
(nixgen.checks.defaults, which knows the rules); `settled` then rebuilds the plan over the
defaults that remain."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import Any

import dataclasses

from nixgen import tree
from nixgen.facts import catalog, locations
from nixgen.input import settings
from nixgen.input.spec import Spec
from nixgen.nixatoms import Raw
from nixgen.plan import layers, options
from nixgen.plan.flavor import FactNeeds, Flavor, with_host
from nixgen.plan.layers import PRODUCTION_FEATURES
from nixgen.plan.model import Plan, PlanError, lower
from nixgen.plan.objects import kube_objects

__all__ = ["PRODUCTION_FEATURES", "build", "settled"]


def nixgen_defaults(spec: Spec, flavor: Flavor, given: dict[str, Any]) -> dict[str, Any]:
    """nixgen's defaults (plan data) for the typed settings the user's merged values `given`
    leave open: none with `defaults = "chart"`."""
    if spec.defaults == "chart":
        return {}
    table = settings.defaults_over(given)
    for keys, value in flavor.own_defaults().items():
        if not settings.set_at(given, keys):
            tree.put(table, keys, value)
    return lower(with_host(table, flavor.production_host(spec)), bare_nix=True)


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


def build(spec: Spec, flavor: Flavor, finish: bool = True) -> Plan:
    """The plan of `spec` for `flavor` (nixgen.nix.flavors names them), with every default
    nixgen plans (nixgen.checks.defaults says which yield). Without `finish`, its values only:
    no options yet, for `settled` to complete once the defaults are settled."""
    cat = catalog.load()
    release = cat.release_for(spec.ciliumVersion)
    objects = tuple(kube_objects(spec, release, flavor))
    scopes = scopes_of(cat, release.version)
    user = layers.user_layers(spec)
    given = layers.merged(user)
    defaults = nixgen_defaults(spec, flavor, given)
    needs = flavor.fact_needs(spec)
    roots = _expression_roots((given, *(o.body for o in objects)))
    plan = Plan(
        spec=spec,
        release=release,
        values={},
        crd_files=tuple(sorted(c.file for c in release.crds if c.dir == "v2")),
        objects=objects,
        facts=minor_facts(needs, cat, release.version,
                          frozenset(o.kind for o in objects if not o.patch)),
        scopes=scopes if needs.scopes else {},
        given=given,
        layers=user,
        planned_defaults=defaults,
        needs_pkgs="pkgs" in roots,
        needs_options="options" in roots,
    )
    if not finish:
        return dataclasses.replace(plan, values=tree.deep_merge(defaults, given),
                                   defaults=defaults)  # fmt: skip
    return settled(plan, flavor, defaults)


def settled(plan: Plan, flavor: Flavor, defaults: dict[str, Any],
            notes: tuple[str, ...] = ()) -> Plan:  # fmt: skip
    """`plan` over nixgen's `defaults` (those that remain): its values, and the options and
    values the module writes from them."""
    values = tree.deep_merge(defaults, plan.given)
    settings_options = options.setting_options(defaults, plan.release.version)
    return dataclasses.replace(
        plan,
        values=values,
        defaults=defaults,
        notes=notes,
        typed=_typed(values),
        options=options.cluster_options(plan.spec, flavor),
        settings_options=settings_options,
        nullable=options.nullable(settings_options),
        aliases=options.aliases(plan.spec, flavor),
    )


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for keys in settings.BY_PATH:
        found = tree.lookup(values, keys, settings.UNSET)
        if found is not settings.UNSET:
            tree.put(out, keys, found)
    return out


def _expression_roots(trees: tuple[Any, ...]) -> set[str]:
    """The names the user's Nix expressions in `trees` start from."""
    roots: set[str] = set()

    def seen(node: Any) -> bool:
        if isinstance(node, Raw):
            roots.add(node.expr.split(".", 1)[0])
        return False

    for item in trees:
        tree.contains(item, seen)
    return roots

