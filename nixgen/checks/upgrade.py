"""The upgrade notes of one config: of what changes between two releases (nixgen.facts.upgrade),
what concerns the config's final values and objects, step by step.

The config is planned at each release of the way (unchecked: the notes are there to say what
a release will refuse). A value "the config sets" is a leaf of a profile's final Helm values,
nixgen's defaults included; a key it "leaves to the chart" is one no leaf sits at, above or
below."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from nixgen import notes as model
from nixgen import tree
from nixgen.checks import lang, rules, verdicts
from nixgen.errors import NixgenError
from nixgen.facts import chart
from nixgen.facts import upgrade as facts
from nixgen.facts.valuepath import ValuePath, dotted
from nixgen.facts.versions import minor, numbers
from nixgen.input.choices import PROFILES
from nixgen.input.spec import Spec
from nixgen.plan.model import KubeObject, Plan

GATEWAY_GROUP = "gateway.networking.k8s.io"


class UpgradeError(NixgenError):
    """Two releases nixgen cannot write notes for."""


def at(spec: Spec, version: str) -> Spec:
    """`spec` for Cilium `version` (a pinned tree belongs to its own version: dropped)."""
    return dataclasses.replace(spec, ciliumVersion=version, rev=None, narHash=None)


def check_pair(from_version: str, to_version: str,
               flags: tuple[str, str] = ("--from", "--to")) -> tuple[str, str]:  # fmt: skip
    """The releases whose facts stand for the two versions; UpgradeError (naming each version
    by its flag) unless the first is older than the second and nixgen knows both minors."""
    found = []
    for flag, version in zip(flags, (from_version, to_version)):
        try:
            found.append(facts.facts_release(version))
        except NixgenError as err:
            raise UpgradeError(f"{flag} {version}: {err}") from None
    if numbers(from_version) >= numbers(to_version):
        raise UpgradeError(f"{flags[0]} {from_version} is not older than {flags[1]} {to_version}: "
                           "the notes are for upgrades")  # fmt: skip
    return found[0], found[1]


def notes(spec: Spec, from_version: str, to_version: str,
          plan_of: Callable[[Spec], Plan]) -> model.UpgradeNotes:  # fmt: skip
    """What changes for `spec` between the two releases, step by step; `plan_of` plans the
    config at each release (the pipeline's, with the config's flavour)."""
    facts_from, facts_to = check_pair(from_version, to_version)
    chain = facts.steps(from_version, to_version)
    plans = {v: plan_of(at(spec, v)) for pair in chain for v in pair}
    skipped = [model.Skipped(minor=m, message=f"{from_version} → {to_version} skips Cilium {m}: "
                             f"Cilium upgrades one minor at a time; upgrade to {m} first")
               for m in facts.skipped_minors(from_version, to_version)]  # fmt: skip
    return model.UpgradeNotes(
        from_=from_version, to=to_version, factsFrom=facts_from, factsTo=facts_to,
        flavor=spec.flavor, skipped=skipped,
        steps=[_step(plans[a], plans[b]) for a, b in chain])  # fmt: skip


# ------------------------------------------------------------------ one step


def _leaves(plan: Plan) -> dict[str, set[ValuePath]]:
    """Per profile, the paths of the final values' leaves (a null, or an empty table, leaves
    the chart's default as it is)."""
    return {p: {path for path, value in tree.leaves(plan.values_for(p), nix=False)
                if value is not None and value != {} and path} for p in PROFILES}  # fmt: skip


def _step(old: Plan, new: Plan) -> model.Step:
    a, b = old.release.version, new.release.version
    leaves = {p: _leaves(old)[p] | _leaves(new)[p] for p in PROFILES}
    added, removed = facts.crd_changes(a, b)
    return model.Step(
        from_=a, to=b, patch=minor(a) == minor(b),
        values=_values(a, b, leaves), defaults=_defaults(a, b, leaves),
        rules=_rules(old, new), kinds=_kinds(old, new),
        crds=model.CrdChanges(added=added, removed=removed),
        gatewayApi=_gateway_api(old, new))  # fmt: skip


def _sets(leaves: Iterable[ValuePath], path: ValuePath) -> bool:
    """Whether a leaf sits at `path` or below it."""
    return any(leaf[: len(path)] == path for leaf in leaves)


def _values(a: str, b: str, leaves: dict[str, set[ValuePath]]) -> list[model.ValueNote]:
    new = chart.load(b)
    out: list[model.ValueNote] = []
    covered: set[ValuePath] = set()
    for change in facts.key_changes(a, b):
        profiles = [p for p in PROFILES if _sets(leaves[p], change.path)]
        if not profiles:
            continue
        covered.add(change.path)
        kind = change.change if change.change == "deprecated" else (
            "renamed" if change.renamed_to else "removed")  # fmt: skip
        out.append(model.ValueNote(
            path=dotted(change.path), change=kind, minor=change.minor, note=change.note,
            renamedTo=dotted(change.renamed_to) if change.renamed_to else None,
            stillRead=kind != "deprecated" and new.known(change.path),
            profiles=profiles))  # fmt: skip
    # Keys the new chart lost that nobody wrote a note for: said plainly.
    old = chart.load(a)
    lost: dict[ValuePath, list[str]] = {}
    for p in PROFILES:
        for leaf in sorted(leaves[p]):
            if any(leaf[: len(c)] == c for c in covered) or new.known(leaf) or not old.known(leaf):
                continue
            lost.setdefault(leaf, []).append(p)
    for leaf, profiles in sorted(lost.items()):
        out.append(model.ValueNote(path=dotted(leaf), change="removed", minor=minor(b),
                                   note=f"Cilium {b}'s chart has no such value",
                                   profiles=profiles))  # fmt: skip
    return out


def _defaults(a: str, b: str, leaves: dict[str, set[ValuePath]]) -> list[model.DefaultNote]:
    out = []
    for change in facts.default_changes(a, b):
        profiles = [p for p in PROFILES if tree.overlapping(change.path, leaves[p]) is None]
        if profiles:
            out.append(model.DefaultNote(path=dotted(change.path), old=change.old, new=change.new,
                                         doc=facts.doc(b, change.path), image=change.image,
                                         profiles=profiles))  # fmt: skip
    return out


def _rules(old: Plan, new: Plan) -> list[model.RuleNote]:
    """The rules whose bound the step crosses and that concern the config: it sets what they
    need and some value they read, or breaks them where they apply."""
    out = []
    low, high = old.release.minor, new.release.minor
    for entry in rules.table():
        before = lang.applies(entry.get("since"), entry.get("until"), low)
        after = lang.applies(entry.get("since"), entry.get("until"), high)
        if before == after:
            continue
        plan, where = (new, high) if after else (old, low)
        values = {p: plan.values_for(p) for p in PROFILES}
        broken = [p for p in PROFILES if verdicts.broken([entry], where, values[p])]
        read = lang.paths(entry["when"])
        concerned = any(
            all(tree.lookup(values[p], tuple(n)) is not None for n in entry["needs"])
            and any(tree.lookup(values[p], tuple(r)) is not None for r in read)
            for p in PROFILES)  # fmt: skip
        if not (broken or concerned):
            continue
        shown = values[broken[0] if broken else "production"]
        out.append(model.RuleNote(id=entry["id"], change="starts" if after else "stops",
                                  since=entry.get("since"), until=entry.get("until"),
                                  message=verdicts.message(entry, shown),
                                  broken=broken))  # fmt: skip
    return out


def _objects(plan: Plan) -> dict[tuple[str, str | None, str, str], KubeObject]:
    return {(o.kind, o.namespace, o.name, o.origin): o for o in plan.objects if not o.patch}


def _describe(obj: KubeObject) -> str:
    where = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    return f"{obj.origin} {where}"


def _kinds(old: Plan, new: Plan) -> list[model.KindNote]:
    a, b = old.release.version, new.release.version
    before, after = _objects(old), _objects(new)
    out = []
    for kind in sorted({key[0] for key in before}):
        was, now = facts.crd(a, kind), facts.crd(b, kind)
        if was is None:
            continue  # not a Cilium kind in the old release
        objs = [(o, after.get(key)) for key, o in sorted(before.items(), key=lambda kv: (
            kv[0][3], kv[0][2])) if key[0] == kind]  # fmt: skip
        messages = []
        if now is None:
            names = ", ".join(_describe(o) for o, _ in objs)
            messages.append(f"Cilium {b} ships no {kind} CRD: the config's objects of it must "
                            f"go ({names})")  # fmt: skip
        else:
            if was.storage_version != now.storage_version:
                messages.append(f"the storage version moves from {was.api_version} to "
                                f"{now.api_version}")  # fmt: skip
            if was.namespaced != now.namespaced:
                scope = {True: "namespaced", False: "cluster-scoped"}
                messages.append(f"becomes {scope[now.namespaced]} (was "
                                f"{scope[was.namespaced]})")  # fmt: skip
            for version in sorted(set(now.unserved) - set(was.unserved)):
                messages.append(f"Cilium {b} defines {now.group}/{version} but does not serve "
                                f"it: keep {', '.join(f'{now.group}/{v}' for v in now.served)}")
            messages += _object_messages(objs, was, now, b)
        if not messages:
            continue
        out.append(model.KindNote(
            kind=kind, storageFrom=was.api_version, storageTo=now.api_version if now else None,
            namespacedFrom=was.namespaced, namespacedTo=now.namespaced if now else None,
            messages=messages,
            objects=[model.ObjectRef(origin=o.origin, name=o.name, namespace=o.namespace,
                                     apiVersion=o.api_version,
                                     newApiVersion=n.api_version if n and now else None,
                                     followsRelease=o.api_from_facts)
                     for o, n in objs]))  # fmt: skip
    return out


def _object_messages(objs: list[tuple[KubeObject, KubeObject | None]], was: Any, now: Any,
                     b: str) -> list[str]:
    out = []
    for obj, then in objs:
        version = obj.api_version.rpartition("/")[2]
        if obj.api_from_facts:
            if then is not None and then.api_version != obj.api_version:
                out.append(f"{_describe(obj)}: nixgen writes it as {then.api_version} from "
                           f"Cilium {minor(b)} (was {obj.api_version})")  # fmt: skip
        elif version in was.served and version not in now.served:
            out.append(f"{_describe(obj)}: Cilium {b} no longer serves {obj.api_version}: write "
                       f"it as {now.api_version} (regen --migrate rewrites it)")  # fmt: skip
        elif version in now.deprecated and version not in was.deprecated:
            instead = (f"move it to {now.api_version}" if now.api_version != obj.api_version
                       else "the kind has no other version and is on its way out")  # fmt: skip
            out.append(f"{_describe(obj)}: Cilium {b} deprecates {obj.api_version}: {instead}")
    return out


def _gateway_api(old: Plan, new: Plan) -> model.GatewayApiNote | None:
    change = facts.gateway_api(old.release.version, new.release.version)
    if change is None:
        return None
    kinds = sorted({o.kind for o in old.objects
                    if o.api_version.startswith(GATEWAY_GROUP + "/")})  # fmt: skip
    return model.GatewayApiNote(from_=change[0], to=change[1],
                                pinned=old.spec.gatewayApiVersion, kinds=kinds,
                                deployedByModule=old.flavor == "hetzkube")  # fmt: skip
