"""What became of a chart key a release does not know: removed or renamed (with what replaces
it, from Cilium's upgrade notes, curated by hand in nixgen/data/chart-changes.json), or added in
a later release."""

from __future__ import annotations

import json
from functools import cache

from nixgen.facts import chart, locations
from nixgen.facts.valuepath import ValuePath, as_path, dotted
from nixgen.facts.versions import minor, numbers


@cache
def _changes() -> dict[str, dict[str, str]]:
    with open(locations.CHANGES_FILE, encoding="utf-8") as handle:
        return json.load(handle)["removed"]


def instead(path: ValuePath | str) -> str | None:
    """What Cilium's upgrade notes say to set instead of the removed key `path` (the newest
    note naming it), else None."""
    text = dotted(as_path(path))
    for _, entries in sorted(_changes().items(), key=lambda kv: numbers(kv[0]), reverse=True):
        if text in entries:
            return entries[text]
    return None


def removed_in(path: ValuePath | str, from_version: str, to_version: str) -> str | None:
    """Why `path`, known to the chart of `from_version`, is unknown to that of `to_version`:
    one line such as `removed in Cilium 1.19: set kubeProxyReplacement=true instead`. None
    when the path is known to the target or was unknown to the source."""
    path = as_path(path)
    source, target = chart.load(from_version), chart.load(to_version)
    if target.known(path) or not source.known(path):
        return None
    low, high = numbers(from_version), numbers(to_version)
    if high < low:
        return f"added after Cilium {minor(to_version)}"
    text = dotted(path)
    for since, entries in sorted(_changes().items(), key=lambda kv: numbers(kv[0])):
        if low[:2] < numbers(since)[:2] <= high[:2] and text in entries:
            return f"removed in Cilium {since}: {entries[text]}"
    gone = to_version
    for version in chart.versions():
        if low < numbers(version) <= high and not chart.load(version).known(path):
            gone = version
            break
    return f"removed in Cilium {minor(gone)}"


def history(path: ValuePath, facts: chart.Chart) -> str | None:
    """What became of a path `facts` does not know, from the nearest release that knows it
    (earlier ones first): `removed in Cilium 1.19: set kubeProxyReplacement=true instead`."""
    known = chart.versions()
    older = [v for v in known if numbers(v) < numbers(facts.version)]
    newer = [v for v in known if numbers(v) > numbers(facts.version)]
    for version in [*reversed(older), *newer]:
        if chart.load(version).known(path):
            return removed_in(path, version, facts.version)
    return None
