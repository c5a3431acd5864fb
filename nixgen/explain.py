"""`nixgen explain PATH`: what the pinned Cilium chart says of a Helm value path (its one-line
description, type and default) and how nixgen sets it (a typed setting and its config key, a
production feature, or only through `values`/`--set`); of a key the chart refuses outright, the
chart's message and what to set instead."""

from __future__ import annotations

import difflib
import json
from typing import Any

from nixgen import tree
from nixgen.errors import NixgenError
from nixgen.facts import chart
from nixgen.facts.changes import history, instead
from nixgen.facts.valuepath import dotted, split_dotted
from nixgen.input.settings import DEFAULT_SETTINGS, PATHS
from nixgen.plan.build import PRODUCTION_FEATURES

# How many keys of a table `explain` lists.
_SHOWN_KEYS = 12


class ExplainError(NixgenError):
    """A path or release `explain` cannot speak of."""


def explain(text: str, version: str) -> str:
    """The text `nixgen explain` prints for the dotted path `text` in Cilium `version`."""
    try:
        path = split_dotted(text)
        facts = chart.load(version)
    except chart.UnknownChart as err:
        raise ExplainError(f"--cilium-version {version}: {err}") from None
    except ValueError:
        raise ExplainError(f"{text!r} is not a dotted Helm value path such as "
                           "hubble.relay.enabled") from None  # fmt: skip
    info = facts.info(path)
    # The key, or a table above it, the chart refuses (endpointStatus.enabled: endpointStatus).
    refusal = next((r for i in range(len(path), 0, -1)
                    if (r := facts.refusal(path[:i])) is not None), None)  # fmt: skip
    if refusal is not None and (info is None or refusal.path == path):
        return _refused(path, refusal, facts)
    if info is None:
        raise ExplainError(_unknown(path, facts))
    lines = [f"{dotted(path)} (Cilium {facts.version}'s chart)"]
    doc = facts.doc(path)
    lines.append(f"  {doc}" if doc else "  (the chart gives no description)")
    lines.append(f"  type:    {info.type}{' (any key below it)' if info.open else ''}")
    lines.append(f"  default: {_default(info)}")
    lines += [f"  nixgen:  {line}" for line in _nixgen(path)]
    return "\n".join(lines) + "\n"


_WHEN = {"truthy": "set to anything but false, 0 or an empty value",
         "nonempty": "set to anything but an empty string"}


def _refused(path: tuple[str, ...], refusal: chart.Refusal, facts: chart.Chart) -> str:
    """A key the chart's templates fail on (at `path` or above it): the chart's message, what
    to set instead, and that no entry of uncheckedValues passes it."""
    what = "it is" if refusal.path == path else f"{dotted(refusal.path)} is"
    lines = [f"{dotted(path)} (Cilium {facts.version}'s chart)",
             f"  refused: the chart fails when {what} {_WHEN.get(refusal.when, 'set')}:",
             f"           {refusal.message}"]  # fmt: skip
    note = instead(refusal.path)
    if note:
        lines.append(f"  instead: {note}")
    lines.append("  nixgen:  refuses such a value wherever it is set, --unchecked or not")
    return "\n".join(lines) + "\n"


def _unknown(path: tuple[str, ...], facts: chart.Chart) -> str:
    head = f"{dotted(path)}: Cilium {facts.version}'s chart has no such value"
    why = history(path, facts)
    if why is not None:
        return f"{head} ({why})"
    near = [facts.nearest(path)]
    known = [dotted(p) for p in facts.paths()]
    near += difflib.get_close_matches(dotted(path), known, n=3, cutoff=0.75)
    near = list(dict.fromkeys(n for n in near if n))[:3]
    return f"{head} (nearest known: {', '.join(near)})" if near else head


def _default(info: chart.PathInfo) -> str:
    if info.source == "template":
        return "none in values.yaml (only the chart's templates read it)"
    if info.source == "free":
        return "none (a key of a free-form table)"
    if isinstance(info.default, dict) and info.default:
        keys = list(info.default)
        shown = ", ".join(keys[:_SHOWN_KEYS]) + (", ..." if len(keys) > _SHOWN_KEYS else "")
        return f"a table of {len(keys)} keys: {shown}"
    return json.dumps(info.default, ensure_ascii=False)


def _nixgen(path: tuple[str, ...]) -> list[str]:
    """How nixgen sets `path`: typed settings at or below it, or the production feature."""
    n = len(path)
    typed = sorted(s for s in PATHS if s[:n] == path)
    if typed:
        out = []
        for setting in typed:
            key = ".".join(setting)
            default: Any = tree.lookup(DEFAULT_SETTINGS, setting)
            shown = ("none written unless set" if default is None
                     else f"{json.dumps(default)}")  # fmt: skip
            out.append(f"typed setting settings.{key} (config key; nixgen's default: {shown})")
        return out
    above = [s for s in PATHS if path[: len(s)] == s]
    if above:
        return [f"below the typed setting settings.{'.'.join(above[0])}"]
    if n == 2 and path[1] == "enabled" and path[0] in PRODUCTION_FEATURES:
        return [f"production.{path[0]} = true turns it on in the production profile only"]
    written = ".".join(k.replace("\\", "\\\\").replace(".", "\\.").replace("=", "\\=")
                       for k in path)  # the --set notation  # fmt: skip
    return [f"not a typed setting: set it in the config's `values` or with --set {written}=VALUE"]

