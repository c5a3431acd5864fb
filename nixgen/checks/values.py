"""The final Helm values of each profile, judged however a value arrived (typed setting,
`values`, `--set`, a profile split, a regenerated file's header):

- against the pinned Cilium chart (nixgen.facts.chart): a path the chart does not know, or a value of
  a type the chart does not take, stops generation; a key a later release removed says what
  replaces it;
- against the typed settings' own constraints (the pydantic models of nixgen.input.models): an enum,
  a port range, a count, a CIDR, and real booleans where the module branches in Nix hold for
  the final value, whatever set it. A Nix expression (`{nix = ...}`) is not known here and
  passes.

`uncheckedValues` (config) or `--unchecked PATH` lets one path, and everything below it, past
the chart check (not past the typed constraints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nixgen.facts import chart
from nixgen.input import sets, settings
from nixgen.input.choices import PROFILES
from nixgen.nix.emit import Raw
from nixgen.errors import NixgenError

if TYPE_CHECKING:
    from nixgen.plan.model import Plan

Path = tuple[str, ...]

# The typed settings' paths (a section's fields below it).
SETTING_PATHS: frozenset[Path] = settings.PATHS


class ValuesError(NixgenError):
    """A final Helm value the pinned chart or nixgen's typed settings refuse."""


def check(plan: Plan) -> list[str]:
    """Raise ValuesError for the first problem of the final values; return the warnings."""
    spec = plan.spec
    if _touches_settings(spec.values):
        check_settings(plan)
    try:
        facts = chart.load(plan.version)
    except chart.UnknownChart as err:
        raise ValuesError(str(err)) from None
    unchecked = [chart.split_dotted(p) for p in spec.unchecked]
    problems = chart.check(_without(plan.values, unchecked), facts)
    if problems:
        first = _explained(problems[0], facts)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValuesError(first + more)
    return [f"uncheckedValues: {chart.dotted(p)} is a value Cilium {facts.version}'s chart knows; "
            "the entry is not needed" for p in unchecked if facts.known(p)]  # fmt: skip


# ------------------------------------------------------------------ the chart


def _without(values: Mapping[str, Any], paths: list[Path]) -> dict[str, Any]:
    """`values` less the subtrees at `paths`; a table left empty by that goes too."""
    out = dict(values)
    for path in paths:
        out = _drop(out, path)
    return out


def _drop(tree: Mapping[str, Any], path: Path) -> dict[str, Any]:
    out = dict(tree)
    key = path[0]
    if key not in out:
        return out
    if len(path) == 1:
        del out[key]
    elif isinstance(out[key], Mapping):
        below = _drop(out[key], path[1:])
        if below or not out[key]:
            out[key] = below
        else:
            del out[key]
    return out


def _explained(problem: chart.Problem, facts: chart.Chart) -> str:
    """The problem's message; for a key the pinned chart does not know, what became of it when
    another release knows it (removed, renamed, added later), else how to pass it anyway."""
    path = chart.split_dotted(problem.path)
    if facts.known(path):
        return problem.message  # a type problem
    why = history(path, facts)
    if why is not None:
        return f"{problem.path}: Cilium {facts.version}'s chart has no such value ({why})"
    return (f"{problem.message}; if the chart reads it all the same, pass it with "
            f"--unchecked '{problem.path}' (config: uncheckedValues)")  # fmt: skip


def history(path: Path, facts: chart.Chart) -> str | None:
    """What became of a path `facts` does not know, from the nearest release that knows it
    (earlier ones first): `removed in Cilium 1.19: set kubeProxyReplacement=true instead`."""
    key = chart._version_key
    older = [v for v in chart.versions() if key(v) < key(facts.version)]
    newer = [v for v in chart.versions() if key(v) > key(facts.version)]
    for version in [*reversed(older), *newer]:
        if chart.load(version).known(path):
            return chart.removed_in(path, version, facts.version)
    return None


# ------------------------------------------------------------------ the typed settings


def _touches_settings(values: Mapping[str, Any]) -> bool:
    """Whether free-form values set a typed setting, or a table above or below one."""
    return bool(values) and any(sets.overlapping(path, SETTING_PATHS) is not None
                                for path in sets.leaf_paths(values))  # fmt: skip


def check_settings(plan: Plan) -> None:
    """The typed settings' constraints (models.Settings) on each profile's final values."""
    from pydantic import ValidationError

    from nixgen.input import models
    from nixgen.input.spec import first_error

    found: dict[str, list[str]] = {}
    for profile in PROFILES:
        values = plan.values_for(profile)
        try:
            models.Settings.model_validate(_typed(values, models.Settings, ()))
        except _NotPlain as err:
            where = chart.dotted(err.path)
            reason = ("takes a plain value, not a table; a {local, production} split is written "
                      "in the config's settings")  # fmt: skip
        except ValidationError as err:
            where, _, reason = first_error(err, models.MODEL_NAMES).partition(": ")
        else:
            continue
        found.setdefault((where, reason), []).append(profile)
    if found:
        (where, reason), profiles = min(found.items())
        value = sets.lookup(plan.values_for(profiles[0]), where.split("."))
        scope = f", in the {profiles[0]} profile" if len(profiles) == 1 else ""
        raise ValuesError(f"{where} = {_show(value)}: {reason} (nixgen's typed setting "
                          f"settings.{where} holds for the final Helm value{scope})")  # fmt: skip


def _show(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except TypeError:
        return repr(value)


class _NotPlain(Exception):
    def __init__(self, path: Path) -> None:
        self.path = path


def _typed(values: Mapping[str, Any], model: Any, at: Path) -> dict[str, Any]:
    """The part of `values` a settings model types, Nix expressions left out (their value is
    not known here). A table where a setting takes a value is refused before the model sees
    it: a `{local, production}` there would pass as a profile split, which final values never
    hold."""
    from nixgen.input.models import Strict

    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name not in values:
            continue
        value = values[name]
        section = field.annotation
        if isinstance(section, type) and issubclass(section, Strict):
            # A non-table here is the model's to refuse.
            out[name] = _typed(value, section, (*at, name)) if isinstance(value, Mapping) else value
            continue
        if _has_raw(value):
            continue
        if isinstance(value, Mapping):
            raise _NotPlain((*at, name))
        out[name] = value
    return out


def _has_raw(value: Any) -> bool:
    if isinstance(value, Raw):
        return True
    if isinstance(value, list | tuple):
        return any(_has_raw(v) for v in value)
    return False
