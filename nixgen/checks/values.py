"""The final Helm values of each profile, judged however a value arrived (typed setting,
`values`, `--set`, a profile split, a regenerated file's header):

- against the pinned Cilium chart (nixgen.facts.chart): a path the chart does not know, or a
  value of a type the chart does not take, stops generation; a key a later release removed says
  what replaces it;
- against the typed settings' own constraints (nixgen.input.settings: each kind in the forms
  the pinned release's chart takes for its key): an enum, a port range, a count, a CIDR hold for
  the final value, whatever set it. A Nix expression is not known here and passes.

Each error names where the value comes from (`(set by values file a.yaml: tunnel)`).

`uncheckedValues` (config) or `--unchecked PATH` lets one path, and everything below it, past
the chart check (not past the typed constraints), but never past a refusal of the chart's own:
a key its templates `fail` on whenever it is set (a removed key such as `tunnel`) is refused
with the chart's message wherever it stands.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from nixgen import tree
from nixgen.errors import NixgenError
from nixgen.facts import chart
from nixgen.facts.changes import history, instead, removed_in
from nixgen.facts.valuepath import ValuePath, dotted, split_dotted
from nixgen.input import settings
from nixgen.input.choices import PROFILES
from nixgen.nixatoms import Attrs, If, Raw
from nixgen.plan.model import Plan, Split
from nixgen.tree import json_type

# The typed settings' paths (a section's fields below it).
SETTING_PATHS: frozenset[ValuePath] = settings.PATHS


class ValuesError(NixgenError):
    """A final Helm value the pinned chart or nixgen's typed settings refuse."""


def check(plan: Plan) -> list[str]:
    """Raise ValuesError for the first problem of the final values; return the warnings."""
    spec = plan.spec
    check_settings(plan)
    try:
        facts = chart.load(plan.release.version)
    except chart.UnknownChart as err:
        raise ValuesError(str(err)) from None
    unchecked = [split_dotted(p) for p in spec.unchecked]
    problems = against_chart(plan.values, facts, unchecked=unchecked)
    if problems:
        from nixgen.checks.provenance import set_by  # only an error needs it

        first = _explained(problems[0], facts) + set_by(plan, split_dotted(problems[0].path))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValuesError(first + more)
    return [f"uncheckedValues: {dotted(p)} is a value Cilium {facts.version}'s chart knows; "
            "the entry is not needed" for p in unchecked if facts.known(p)]  # fmt: skip


# ------------------------------------------------------------------ the chart


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    refused: bool = False  # a key the chart fails on: the message is the chart's own reason
    removed: bool = False  # at or above a key the chart refuses (a value it lets by): said so


def _fits(value: Any, types: tuple[str, ...]) -> bool:
    if "any" in types:
        return True
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


def against_chart(values: Mapping[str, Any], facts: chart.Chart, since: str | None = None,
                  unchecked: Collection[ValuePath] = ()) -> list[Problem]:  # fmt: skip
    """Problems of a final Helm values tree for the chart `facts`: keys the chart refuses
    outright (first), unknown paths and values of the wrong type. Raw Nix expressions are
    accepted anywhere but at a refused key; both sides of a profile split or a condition are
    checked. With `since` (the release the values were written for), an unknown path that
    release knew says what replaced it. The `unchecked` paths, and what is below them, are
    held to the refusals alone."""
    out: list[Problem] = []
    _refusals(values, (), facts, out)
    skipped = [*unchecked, *(split_dotted(p.path) for p in out)]
    _check_map(tree.without(values, skipped) if skipped else values, (), facts, since, out)
    return out


def refused_message(refusal: chart.Refusal, facts: chart.Chart) -> str:
    """`tunnel: Cilium 1.18.4's chart refuses it: <the chart's message> (<what to set
    instead>)`."""
    text = dotted(refusal.path)
    note = instead(refusal.path)
    return (f"{text}: Cilium {facts.version}'s chart refuses it: {refusal.message}"
            + (f" ({note})" if note else ""))  # fmt: skip


def _refusals(value: Any, at: ValuePath, facts: chart.Chart, out: list[Problem]) -> None:
    """The keys of `value` (at `at`) that the chart refuses, looked for only where it refuses
    some."""
    for side in _tables(value):
        for key in sorted(side, key=str):
            path = (*at, str(key))
            refusal = facts.refusal(path)
            if refusal is not None and _refused(side[key], refusal):
                out.append(Problem(dotted(path), refused_message(refusal, facts), refused=True))
            elif facts.refuses_below(path):
                _refusals(side[key], path, facts, out)


def _refused_within(value: Any, at: ValuePath, facts: chart.Chart) -> chart.Refusal | None:
    """The first key at or below `at` that the chart refuses when set and `value` holds."""
    refusal = facts.refusal(at)
    if refusal is not None or not facts.refuses_below(at):
        return refusal
    for side in _tables(value):
        for key in sorted(side, key=str):
            found = _refused_within(side[key], (*at, str(key)), facts)
            if found is not None:
                return found
    return None


def _tables(value: Any) -> list[Mapping[str, Any]]:
    """The tables a value may be: both sides of a profile split or a condition."""
    if isinstance(value, Split):
        return [*_tables(value.local), *_tables(value.production)]
    if isinstance(value, If):
        return [*_tables(value.then_), *_tables(value.else_)]
    if isinstance(value, Attrs):
        value = value.items
    return [value] if isinstance(value, Mapping) else []


def _refused(value: Any, refusal: chart.Refusal) -> bool:
    """Whether the chart fails on `value` at the refused key; a Nix expression, whose value is
    not known here, may be anything."""
    if isinstance(value, Raw):
        return True
    if isinstance(value, Split):
        return _refused(value.local, refusal) or _refused(value.production, refusal)
    if isinstance(value, If):
        return _refused(value.then_, refusal) or _refused(value.else_, refusal)
    if isinstance(value, Attrs):
        value = dict(value.items)
    return refusal.refuses(list(value) if isinstance(value, tuple) else value)


def _check_map(values: Mapping[str, Any], at: ValuePath, facts: chart.Chart, since: str | None,
               out: list[Problem]) -> None:  # fmt: skip
    for key in sorted(values, key=str):
        path = (*at, str(key))
        info = facts.info(path, with_default=False)  # a check needs no defaults
        if info is None:
            try:
                why = removed_in(path, since, facts.version) if since else None
            except chart.UnknownChart:  # no facts for the earlier release: no history to tell
                why = None
            # A value the chart lets by, at (or above) a key it removed and refuses when set.
            refusal = _refused_within(values[key], path, facts)
            if refusal is not None and why is None:
                note = instead(refusal.path)
                where = "" if refusal.path == path else f"{dotted(refusal.path)}: "
                why = where + refusal.message + (f"; {note}" if note else "")
            guess = facts.nearest(path) if why is None else None
            hint = why or (f"did you mean {guess}?" if guess else None)
            message = f"{dotted(path)}: Cilium {facts.version}'s chart has no such value"
            out.append(Problem(dotted(path), f"{message} ({hint})" if hint else message,
                               removed=refusal is not None))  # fmt: skip
            continue
        _check_value(values[key], info, facts, since, out)


def _check_value(value: Any, info: chart.PathInfo, facts: chart.Chart, since: str | None,
                 out: list[Problem]) -> None:  # fmt: skip
    if isinstance(value, Raw):  # a Nix expression whose value is not known here
        return
    if isinstance(value, Split):
        _check_value(value.local, info, facts, since, out)
        _check_value(value.production, info, facts, since, out)
        return
    if isinstance(value, If):
        _check_value(value.then_, info, facts, since, out)
        _check_value(value.else_, info, facts, since, out)
        return
    if isinstance(value, Attrs):
        value = value.items
    if value is None:
        # Helm drops a key set to null before it validates, so null only removes the default.
        return
    if isinstance(value, Mapping):
        if "object" not in info.types and "any" not in info.types:
            out.append(Problem(dotted(info.path), f"{dotted(info.path)}: the chart expects "
                                                  f"{info.type}, got object"))  # fmt: skip
        elif info.source != "free":
            _check_map(value, info.path, facts, since, out)
        return
    if isinstance(value, list | tuple | str | int | float) and not _fits(value, info.types):
        out.append(Problem(dotted(info.path), f"{dotted(info.path)}: the chart expects "
                                              f"{info.type}, got {json_type(value)}"))  # fmt: skip


def _explained(problem: Problem, facts: chart.Chart) -> str:
    """The problem's message; for a key the pinned chart does not know, what became of it when
    another release knows it (removed, renamed, added later), else how to pass it anyway."""
    path = split_dotted(problem.path)
    if problem.refused or facts.known(path):
        return problem.message  # the chart's own refusal, or a type problem
    why = history(path, facts)
    if why is not None:
        return f"{problem.path}: Cilium {facts.version}'s chart has no such value ({why})"
    if problem.removed:
        return problem.message  # a value the chart lets by at a key it removed: said why
    return (f"{problem.message}; if the chart reads it all the same, pass it with "
            f"--unchecked '{problem.path}' (config: uncheckedValues)")  # fmt: skip


# ------------------------------------------------------------------ the typed settings


def check_settings(plan: Plan) -> None:
    """The typed settings' constraints on each profile's final values: each a plain value of
    its kind, in a form the pinned release's chart takes (nixgen.input.settings.check_value)."""
    found: dict[tuple[str, str], list[str]] = {}
    values_at: dict[tuple[str, str], Any] = {}
    # nixgen's own defaults are proven valid (tests): only what the user's layers give is held.
    given = [s for s in settings.SETTINGS if settings.set_at(plan.given, s.keys)]
    for profile in PROFILES if given else ():
        values = plan.values_for(profile)
        for s in given:
            value = tree.lookup(values, s.keys, settings.UNSET)
            if value is settings.UNSET or value is None:
                continue  # null: Helm drops the key, and the chart's default stands
            if tree.contains(value, lambda v: isinstance(v, Raw)):
                continue  # a Nix expression's value is not known here
            if isinstance(value, Mapping):
                reason = ("takes a plain value, not a table; a {local, production} split is "
                          "written in the config's settings")  # fmt: skip
            else:
                reason = settings.check_value(s, value, plan.release.version)
            if reason is not None:
                key = (s.path, reason)
                found.setdefault(key, []).append(profile)
                values_at.setdefault(key, value)
    if found:
        from nixgen.checks.provenance import set_by, show  # only an error needs them

        key = min(found)
        where, reason = key
        profiles = found[key]
        scope = f", in the {profiles[0]} profile" if len(profiles) == 1 else ""
        raise ValuesError(f"{where} = {show(values_at[key])}: {reason} (nixgen's typed setting "
                          f"settings.{where} holds for the final Helm value{scope})"
                          + set_by(plan, tuple(where.split(".")), profiles))  # fmt: skip
