"""Which of nixgen's defaults yield to the user's values, per profile, and the warnings for a
user's value without effect.

nixgen's defaults (nixgen.plan.build) fill only what the user's layers leave open. Then, in each
profile, a default yields (is left out, so the chart's default stands) where

1. a rule (nixgen.checks.rules) is broken and reads it: every default that rule reads goes,
   and this repeats until no broken rule reads a default;
2. it makes a user's value inert (nixgen.checks.inert): the defaults the value's condition
   reads go;
3. it is itself inert under the final values (`tunnelProtocol` under the user's native
   routing).

Each default that yields is one note (`nixgen: note: ...`) naming it and why; whatever still
breaks a rule afterwards is the rules' error, naming every value it reads and its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from nixgen import tree
from nixgen.checks import inert, rules, verdicts
from nixgen.checks.lang import paths
from nixgen.checks.provenance import show, value_and_source, values_and_sources
from nixgen.facts.valuepath import dotted
from nixgen.input.choices import PROFILES
from nixgen.plan.model import Plan, resolve, split

Keys = tuple[str, ...]


def settle(plan: Plan) -> tuple[dict[str, Any], tuple[str, ...]]:
    """nixgen's defaults that remain (a tree over typed-setting paths; a default dropped in
    one profile is a Split with None on that side), and one note per default that yields."""
    planned = plan.planned_defaults
    if not planned:
        return planned, ()
    kept: dict[str, dict[Keys, Any]] = {}
    notes: dict[str, list[str]] = {}
    for profile in PROFILES:
        defaults = dict(tree.leaves(tree.without_none(resolve(planned, profile)), nix=False))
        given = plan.given_for(profile)
        mine = [path for path, _ in _leaves(given) if inert.may_be_inert(path)]
        values = plan.values_for(profile)  # the planned defaults' values: the first round's
        while True:
            found = (_rule_yield(plan, profile, defaults, values)
                     or _inert_yield(plan, profile, defaults, values, mine)
                     or _inert_default(plan, profile, defaults, values))  # fmt: skip
            if found is None:
                break
            dropped, why = found
            for path in dropped:
                note = (f"nixgen's default {dotted(path)} = {show(defaults[path])} "
                        f"yields{{scope}}: {why}")
                notes.setdefault(note, []).append(profile)
                del defaults[path]
            values = tree.deep_merge(_tree(defaults), given)
        kept[profile] = defaults
    if not notes:
        return planned, ()
    out: dict[str, Any] = {}
    for path in sorted(set(kept["local"]) | set(kept["production"])):
        tree.put(out, path, split(kept["local"].get(path), kept["production"].get(path)))
    return out, tuple(_scoped(note, profiles) for note, profiles in notes.items())


def _scoped(note: str, profiles: list[str]) -> str:
    scope = "" if len(profiles) == len(PROFILES) else f" in the {profiles[0]} profile"
    return note.replace("{scope}", scope)


def _tree(leaves: Mapping[Keys, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in leaves.items():
        tree.put(out, path, value)
    return out


def _leaves(values: Any) -> list[tuple[Keys, Any]]:
    return [(p, v) for p, v in tree.leaves(values, nix=False) if p]


def _rule_yield(plan: Plan, profile: str, defaults: Mapping[Keys, Any],
                values: Mapping[str, Any]) -> tuple[list[Keys], str] | None:  # fmt: skip
    """The defaults a broken rule reads, and the rule's message with the user's values it
    reads."""
    for entry in verdicts.broken(_reading(frozenset(defaults)), plan.release.minor, values):
        read = [tuple(p) for p in paths(entry["when"])]
        mine = [p for p in dict.fromkeys(read) if p in defaults]
        if mine:
            others = [p for p in read if p not in defaults and tree.lookup(values, p) is not None]
            text = verdicts.message(entry, values)
            if others:
                text += ", with " + values_and_sources(plan, profile, others)
            return mine, text
    return None


@lru_cache(maxsize=256)
def _reading(paths_: frozenset[Keys]) -> list[dict[str, Any]]:
    """The rules of the table that read one of `paths_`."""
    return [e for e in rules.table() if not _reads(e["id"]).isdisjoint(paths_)]


@cache
def _reads(rule: str) -> frozenset[Keys]:
    """The paths a rule of the table reads."""
    entries = [e for e in rules.table() if e["id"] == rule]
    return frozenset(tuple(p) for e in entries for p in paths(e["when"]))


def _inert_yield(plan: Plan, profile: str, defaults: Mapping[Keys, Any],
                 values: Mapping[str, Any], mine: list[Keys]) -> tuple[list[Keys], str] | None:
    """The defaults that leave a user's value without effect."""
    for path in mine:
        entry = inert.inert_at(path, values)
        if entry is None:
            continue
        theirs = [p for p in entry.reads() if p in defaults]
        if theirs:
            return theirs, (f"it would leave {value_and_source(plan, profile, path)} without "
                            f"effect: {entry.reason}")  # fmt: skip
    return None


def _inert_default(plan: Plan, profile: str, defaults: Mapping[Keys, Any],
                   values: Mapping[str, Any]) -> tuple[list[Keys], str] | None:
    """A default without effect under the final values."""
    for path in defaults:
        entry = inert.inert_at(path, values) if inert.may_be_inert(path) else None
        if entry is not None:
            read = [p for p in entry.reads() if tree.lookup(values, p) is not None]
            given = f" with {values_and_sources(plan, profile, read)}" if read else ""
            return [path], f"it has no effect{given}: {entry.reason}"
    return None


def inert_warnings(plan: Plan) -> list[str]:
    """A warning for each user's value without effect under the final values, naming its
    source and the sources of the values that make it so."""
    found: dict[str, list[str]] = {}
    for profile in PROFILES:
        values = plan.values_for(profile)
        mine = [p for p, _ in _leaves(plan.given_for(profile)) if inert.may_be_inert(p)]
        for path, entry in inert.inert_leaves(mine, values):
            text = (f"{value_and_source(plan, profile, path)} has no effect{{scope}}: "
                    f"{entry.reason}; {values_and_sources(plan, profile, entry.reads())}")
            found.setdefault(text, []).append(profile)
    return [_scoped(text, profiles) for text, profiles in found.items()]
