"""The rules table (nixgen.checks.rules) judged on a plan's final values, in Python, before
anything is written: which rules the values break in the plan's Cilium minor, or leave to the
module because they read a Nix expression (a note); a broken rule is a RuleError naming every
value it reads and where that value comes from. `message` fills in the value a rule shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nixgen import tree
from nixgen.checks.lang import applies, expressions, judge, paths, value_at
from nixgen.checks.rules import table
from nixgen.errors import NixgenError
from nixgen.input.choices import PROFILES
from nixgen.nixatoms import Raw
from nixgen.plan.model import Plan, resolve


class RuleError(NixgenError):
    """Values that break a rule Cilium enforces."""


def message(entry: Mapping[str, Any], values: Mapping[str, Any]) -> str:
    """The entry's message; `{value}` is the value it shows, as JSON (as Nix's builtins.toJSON
    writes it)."""
    text = entry["message"]
    if "show" in entry:
        shown = value_at(values, entry["show"], None)
        text = text.replace("{value}", json.dumps(shown.expr if isinstance(shown, Raw) else shown,
                                                  ensure_ascii=False, separators=(",", ":")))  # fmt: skip
    return text


def verdicts(entries: list[dict[str, Any]], minor: str,
             values: Mapping[str, Any]) -> list[tuple[dict[str, Any], bool | None]]:
    """The entries of the table that `values` break in Cilium `minor` (True), or may break
    depending on a Nix expression (None: the module judges them)."""
    out = []
    for e in entries:
        if not applies(e.get("since"), e.get("until"), minor):
            continue
        if not all(tree.lookup(values, tuple(p)) is not None for p in e["needs"]):
            continue
        got = judge(e["when"], values)
        if got is not False:
            out.append((e, got))
    return out


def broken(entries: list[dict[str, Any]], minor: str,
           values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The entries of the table that `values` surely break in Cilium `minor`."""
    return [e for e, got in verdicts(entries, minor, values) if got]


def check(plan: Plan) -> list[str]:
    """Raise RuleError for the first rule of the table that a profile's values break, naming
    every value the rule reads and where it comes from; return the notes on rules the module
    judges because they read a Nix expression the user gives (a rule that reads one of
    nixgen's own, such as hetzkube's config.clusterHost, is the module's to judge without a
    note)."""
    from nixgen.checks.provenance import values_and_sources

    per_profile = {p: plan.values_for(p) for p in PROFILES}
    found = {p: verdicts(table(), plan.release.minor, v) for p, v in per_profile.items()}
    for entry in table():  # the first rule of the table that is broken
        per = {p: message(entry, per_profile[p]) for p in PROFILES
               if any(e is entry and got for e, got in found[p])}  # fmt: skip
        if per:
            profile = min(per, key=lambda p: per[p])
            fail(per, values_and_sources(plan, profile, [tuple(p) for p in paths(entry["when"])]))
    read: dict[tuple[str, ...], list[str]] = {}  # expression path → the rules it leaves open
    for profile in PROFILES:
        if all(got for _, got in found[profile]):
            continue  # nothing left open
        given = resolve(plan.given, profile)
        for entry, got in found[profile]:
            if got is not None:
                continue
            for path in expressions(entry["when"], per_profile[profile]):
                rules = read.setdefault(path, [])
                if isinstance(tree.lookup(given, path), Raw) and entry["id"] not in rules:
                    rules.append(entry["id"])
    return [note(path, ids, per_profile) for path, ids in read.items() if ids]


class Note(str):
    """A line for stderr that is neither a warning nor an error (`nixgen: note: ...`)."""


def note(path: tuple[str, ...], rule_ids: list[str], values: Mapping[str, Any]) -> Note:
    """The note on the rules a Nix expression leaves open."""
    expr = next(found.expr for v in values.values()
                if isinstance(found := tree.lookup(v, path), Raw))  # fmt: skip
    return Note(f"{'.'.join(path)} = {expr} is a Nix expression: the module judges the rules "
                f"that read it when Nix evaluates it ({', '.join(rule_ids)})")  # fmt: skip


def fail(per_profile: Mapping[str, str], values: str = "") -> None:
    """RuleError with the message, naming the profile when only one breaks the rule, then the
    values it reads and their sources."""
    text = min(per_profile.values())
    if len(per_profile) == 1:
        text += f" (in the {next(iter(per_profile))} profile)"
    raise RuleError(f"{text}: {values}" if values else text)
