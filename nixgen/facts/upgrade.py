"""What changes between two Cilium releases nixgen knows, from its facts alone (no config):
the steps between them, the chart defaults that change (computed from the per-release chart
facts), the keys removed, renamed or deprecated (curated in nixgen/data/chart-changes.json),
the CRDs added and removed, and the gateway-api release. nixgen.checks.upgrade picks from these
(and from the rules' since/until bounds) what concerns one config."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from nixgen.facts import catalog, chart, locations
from nixgen.facts.valuepath import ValuePath, split_dotted
from nixgen.facts.versions import UnknownVersion, minor, numbers, parse


@dataclass(frozen=True)
class KeyChange:
    """A chart key that Cilium `minor` removed (`removed`, with a mechanical rename when
    `renamed_to` is set) or deprecated (`deprecated`; the entry covers the keys below it)."""

    path: ValuePath
    minor: str
    change: str  # removed | deprecated
    note: str
    renamed_to: ValuePath | None = None


@dataclass(frozen=True)
class DefaultChange:
    """A chart default that differs between two releases, for a key both have in values.yaml.
    `image`: an image tag or digest, which follows every release."""

    path: ValuePath
    old: Any
    new: Any
    image: bool


# ------------------------------------------------------------------ releases and steps


def releases() -> list[str]:
    """The releases with facts of their own (CRDs and chart), oldest first."""
    known = set(catalog.load().releases) & set(chart.versions())
    return sorted(known, key=numbers)


def facts_release(version: str) -> str:
    """The release whose facts stand for `version` (itself, or its minor's nearest known one):
    UnknownVersion for a version that is not X.Y.Z or whose minor nixgen has no facts for."""
    found = catalog.load().release_for(version).version
    if found not in chart.versions():
        raise UnknownVersion(f"nixgen has no chart facts for Cilium {found}")
    return found


def steps(from_version: str, to_version: str) -> list[tuple[str, str]]:
    """The consecutive known releases from the facts of `from_version` to those of
    `to_version` (a patch release is a step of its own); empty when both have the same facts."""
    low, high = numbers(facts_release(from_version)), numbers(facts_release(to_version))
    chain = [v for v in releases() if low <= numbers(v) <= high]
    return list(zip(chain, chain[1:]))


def skipped_minors(from_version: str, to_version: str) -> list[str]:
    """The minors strictly between the two versions' minors: Cilium supports upgrading one
    minor at a time."""
    major, low, _ = parse(from_version)
    major_to, high, _ = parse(to_version)
    if major != major_to:
        low_minor, high_minor = numbers(minor(from_version)), numbers(minor(to_version))
        return [m for m in catalog.load().minors() if low_minor < numbers(m) < high_minor]
    return [f"{major}.{m}" for m in range(low + 1, high)]


def crossed(from_version: str, to_version: str, at: str) -> bool:
    """Whether going from one release to the other enters minor `at`."""
    return numbers(minor(from_version)) < numbers(at) <= numbers(minor(to_version))


# ------------------------------------------------------------------ chart keys


@cache
def _curated() -> dict[str, Any]:
    with open(locations.CHANGES_FILE, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def key_changes(from_version: str, to_version: str) -> list[KeyChange]:
    """The curated removals (with their mechanical renames) and deprecations of the minors the
    step from one release to the other enters, oldest minor first."""
    data = _curated()
    out = []
    minors = sorted(set(data["removed"]) | set(data.get("deprecated", {})), key=numbers)
    for at in minors:
        if not crossed(from_version, to_version, at):
            continue
        renamed = data.get("renamed", {}).get(at, {})
        for key, note in sorted(data["removed"].get(at, {}).items()):
            target = renamed.get(key)
            out.append(KeyChange(split_dotted(key), at, "removed", note,
                                 split_dotted(target) if target else None))  # fmt: skip
        for key, note in sorted(data.get("deprecated", {}).get(at, {}).items()):
            out.append(KeyChange(split_dotted(key), at, "deprecated", note))
    return out


def renames(from_version: str, to_version: str) -> list[KeyChange]:
    """The mechanical renames among `key_changes`: the same value under another key."""
    return [c for c in key_changes(from_version, to_version) if c.renamed_to is not None]


def _is_image_pin(path: ValuePath) -> bool:
    last = path[-1]
    pin = last in ("tag", "digest") or last.endswith("Digest")
    return pin and any(k.lower().endswith("image") for k in path[:-1])


@cache
def default_changes(from_version: str, to_version: str) -> tuple[DefaultChange, ...]:
    """The keys both releases' values.yaml hold whose default differs, sorted by path: each
    leaf, and a leaf of one release that is a table in the other (`{}` that gains content);
    computed from the chart facts, not kept by hand."""
    old, new = chart.load(from_version), chart.load(to_version)
    out = []
    for path in old.paths():
        a, b = old.info(path), new.info(path)
        if a is None or b is None or not {a.source, b.source} <= {"values", "map"}:
            continue  # template reads, free keys, keys one release lacks
        if a.source == b.source == "map":
            continue  # a table in both: its leaves are compared
        if a.default != b.default or type(a.default) is not type(b.default):
            out.append(DefaultChange(path, a.default, b.default, _is_image_pin(path)))
    return tuple(sorted(out, key=lambda c: c.path))


def doc(version: str, path: ValuePath) -> str | None:
    """The chart's doc line for `path` in `version`."""
    return chart.doc_of(version, path)


# ------------------------------------------------------------------ CRDs and gateway-api


def crd_changes(from_version: str, to_version: str) -> tuple[list[str], list[str]]:
    """The kinds whose CRD `to_version` adds, and those it no longer ships."""
    cat = catalog.load()
    before = {c.kind for c in cat.release_for(from_version).crds}
    after = {c.kind for c in cat.release_for(to_version).crds}
    return sorted(after - before), sorted(before - after)


def crd(version: str, kind: str) -> catalog.Crd | None:
    """The CRD of `kind` in `version`'s facts, if it ships one."""
    return next((c for c in catalog.load().release_for(version).crds if c.kind == kind), None)


def gateway_api(from_version: str, to_version: str) -> tuple[str, str] | None:
    """The gateway-api releases the two Cilium minors name, when they differ."""
    table = catalog.load().gateway_api
    old, new = table[minor(from_version)], table[minor(to_version)]
    return None if old == new else (old, new)
