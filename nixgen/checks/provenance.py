"""Where a final value comes from, as messages say it: `hubble.enabled = false (values file
cilium.yaml: hubble.enabled)`, `ipam.mode = "cluster-pool" (the chart's default)`. The sources
are the plan's (nixgen.plan.layers)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from nixgen import tree
from nixgen.facts import chart
from nixgen.facts.valuepath import dotted
from nixgen.input.choices import PROFILES
from nixgen.nixatoms import Raw
from nixgen.plan import layers
from nixgen.plan.model import Plan

Keys = tuple[str, ...]


def show(value: Any) -> str:
    """A value as messages show it: JSON, a Nix expression as written."""
    if isinstance(value, Raw):
        return value.expr
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def chart_default(plan: Plan, path: Keys) -> Any:
    """The chart's default at `path` (None when it has none)."""
    try:
        info = chart.load(plan.release.version).info(path)
    except chart.UnknownChart:
        return None
    return None if info is None else info.default


def value_and_source(plan: Plan, profile: str, path: Keys) -> str:
    """`path = value (source)` for the final value at `path` in `profile`."""
    values = plan.values_for(profile)
    found = tree.lookup(values, path, _ABSENT)
    source = layers.source(plan, profile, path)
    if found is _ABSENT or (found is None and not source.user):
        default = chart_default(plan, path)
        shown = "unset" if default in (None, "") else f"= {show(default)}"
        return f"{dotted(path)} {shown} (the chart's default)"
    return f"{dotted(path)} = {show(found)} ({source})"


_ABSENT: Any = tree.Sentinel("ABSENT")


def values_and_sources(plan: Plan, profile: str, paths: Iterable[Keys]) -> str:
    """`a = 1 (source); b = 2 (source)` for each of `paths` (once each, in order)."""
    seen: list[Keys] = []
    for path in paths:
        if tuple(path) not in seen:
            seen.append(tuple(path))
    return "; ".join(value_and_source(plan, profile, p) for p in seen)


def set_by(plan: Plan, path: Keys, profiles: Iterable[str] = PROFILES) -> str:
    """` (set by <source>)` for the value at `path`, from the first of `profiles` where a
    layer sets it; "" when none does (a value the chart's default gives)."""
    for profile in profiles:
        source = layers.source(plan, profile, path)
        if source.layer != "chart":
            return f" (set by {source})"
    return ""
