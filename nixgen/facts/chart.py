"""The Helm values each Cilium chart release knows: path, type, default and one-line doc, and
the keys its templates refuse (a removed key the chart `fail`s on, with the chart's message).

Facts per release live in nixgen/data/chart/<version>.json (paths, types, defaults, refused
keys) and nixgen/data/chart/docs.json (docs, shared by all releases), so a lookup reads one small
file and only `doc` reads the docs. nixgen.facts.chartread makes them from the released chart
tarballs (`python -m nixgen.facts.chartread`, or `nixgen catalog import`, which writes them into
the store beside the catalog it extends); a catalog named by $NIXGEN_CATALOG brings its store,
read before the shipped one. Value paths are nixgen.facts.valuepath's.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import locations
from nixgen.facts.valuepath import ValuePath, as_path, dotted, split_dotted
from nixgen.facts.versions import VERSION_RE, numbers


class UnknownChart(NixgenError):
    """A Cilium release nixgen has no chart facts for."""


# ------------------------------------------------------------------ facts of one release


@dataclass(frozen=True)
class PathInfo:
    """What a chart knows about one value path.

    `source` is "values" (a leaf of values.yaml), "template" (only read by the templates, no
    default), "map" (a map with known keys below it), or "free" (a key below an open map that
    the chart does not list). `open` means any key below it is accepted."""

    path: ValuePath
    types: tuple[str, ...]
    default: Any
    source: str
    open: bool = False

    @property
    def type(self) -> str:
        """The types for a message: `boolean`, `string or integer`."""
        return " or ".join(self.types)


_FREE = ("any",)


@dataclass(frozen=True)
class Refusal:
    """A key the chart's templates `fail` on whenever it is set, the way a chart rejects a key
    it removed: the chart's own message, and when it fails: "truthy" (on a value Go's `if`
    takes as true: not false, 0, null or empty) or "nonempty" (on anything but an empty
    string: the chart tests the key through `toString`)."""

    path: ValuePath
    when: str
    message: str

    def refuses(self, value: Any) -> bool:
        """Whether the chart fails on `value` (plain data) at this key."""
        if value is None:  # Helm drops a null before the templates see it
            return False
        if self.when == "nonempty":
            return value != ""
        return value not in (False, 0, "") and value != {} and value != []


class Chart:
    """The values of one chart release. Build it with `load`."""

    def __init__(self, version: str, rows: Mapping[ValuePath, tuple[tuple[str, ...], Any, str]],
                 store: str | None = None,
                 refused: Mapping[ValuePath, Refusal] | None = None):  # fmt: skip
        self.version = version
        self._rows = rows  # path → (types, default, flags); flags: "o" open, "t" template-only
        # The folder whose docs.json has this release's docs.
        self._store = store or locations.CHART_STORE
        self._refused = dict(refused or {})

    @cached_property
    def _refused_above(self) -> frozenset[ValuePath]:
        return frozenset(p[:i] for p in self._refused for i in range(len(p)))

    def refusal(self, path: ValuePath | str) -> Refusal | None:
        """The chart's refusal of `path` when its templates fail whenever it is set, else
        None."""
        return self._refused.get(as_path(path))

    def refuses_below(self, path: ValuePath | str) -> bool:
        """Whether some key the chart refuses lies below `path` (or `path` is the root)."""
        return as_path(path) in self._refused_above

    def refusals(self) -> list[Refusal]:
        """Every key the chart refuses, by path."""
        return [self._refused[p] for p in sorted(self._refused)]

    @cached_property
    def _maps(self) -> frozenset[ValuePath]:
        return frozenset(p[:i] for p in self._rows for i in range(1, len(p)))

    @cached_property
    def _known(self) -> list[ValuePath]:
        return sorted(set(self._rows) | self._maps)

    def paths(self) -> list[ValuePath]:
        """Every path the chart lists (leaves, open maps, template reads), sorted."""
        return sorted(self._rows)

    def info(self, path: ValuePath | str, with_default: bool = True) -> PathInfo | None:
        """What the chart knows about `path`; None when it is unknown. A check that needs no
        defaults saves building a map's with `with_default=False`."""
        path = as_path(path)
        row = self._rows.get(path)
        if row is not None:
            types, default, flags = row
            source = "template" if "t" in flags else "values"
            if path in self._maps:
                if source == "values":  # an open map whose default lists some keys
                    source = "map"
                    default = self._map_default(path) if with_default else None
                elif "any" not in types:  # read whole by a template and below it too
                    types = (*types, "object")
            return PathInfo(path, types, default, source, "o" in flags or types == _FREE)
        if path in self._maps:
            default = self._map_default(path) if with_default else None
            return PathInfo(path, ("object",), default, "map")
        for i in range(len(path) - 1, 0, -1):
            above = self._rows.get(path[:i])
            if above is not None and ("o" in above[2] or above[0] == _FREE):
                return PathInfo(path, _FREE, None, "free", True)
        return None

    def defaults(self) -> dict[str, Any]:
        """The chart's default values (values.yaml), as a tree."""
        return self._map_default(())

    def _map_default(self, path: ValuePath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        n = len(path)
        for p, (_, default, flags) in sorted(self._rows.items()):
            if p[:n] == path and len(p) > n and "t" not in flags and p not in self._maps:
                node = out
                for key in p[n:-1]:
                    node = node.setdefault(key, {})
                if isinstance(node, dict):
                    node[p[-1]] = default
        return out

    def known(self, path: ValuePath | str) -> bool:
        return self.info(path) is not None

    def nearest(self, path: ValuePath | str) -> str | None:
        """A known dotted path close to `path` (a typo's likely meaning), or None."""
        import difflib  # only a path the chart does not know needs it: not at start-up

        path = as_path(path)
        # Match below the deepest known ancestor, so a typo is compared with its siblings
        # (and their children), not with the whole chart.
        base: ValuePath = ()
        for i in range(len(path) - 1, 0, -1):
            if path[:i] in self._maps:
                base = path[:i]
                break
        n = len(base)
        candidates = {".".join(p[n:]): p for p in self._known
                      if len(p) == len(path) and p[:n] == base}  # fmt: skip
        wanted = ".".join(path[n:])
        # One slip of a key (a letter missing, extra, wrong or swapped) when only one known
        # path is that close; difflib's ratio alone misses these in short keys (`nxme`).
        slips = [d for d in candidates if _one_edit(wanted, d)]
        if len(slips) == 1:
            return dotted(candidates[slips[0]])
        found = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.8)
        return dotted(candidates[found[0]]) if found else None

    def doc(self, path: ValuePath | str) -> str | None:
        """The chart's one-line description of `path`, if it has one."""
        return _doc(self._store, self.version, path)

    def __repr__(self) -> str:
        return f"Chart({self.version!r}, {len(self._rows)} paths)"


def _one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one character deleted, inserted, replaced, or two neighbours
    swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        substituted = a[i + 1 :] == b[i + 1 :]
        swapped = i + 1 < len(a) and (a[i], a[i + 1]) == (b[i + 1], b[i])
        swapped = swapped and a[i + 2 :] == b[i + 2 :]
        return substituted or swapped
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


def stores() -> list[str]:
    """The stores nixgen reads, first match wins: the one beside $NIXGEN_CATALOG's catalog
    (where `nixgen catalog import` writes), then the shipped one."""
    shipped = locations.CHART_STORE
    mine = locations.chart_store(locations.catalog_path())
    return [mine, shipped] if mine != os.path.abspath(shipped) else [shipped]


def _stored(folder: str) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [n[: -len(".json")] for n in names if n[0].isdigit() and n.endswith(".json")]


def versions() -> list[str]:
    """The releases with stored chart facts, oldest first."""
    return sorted({v for folder in stores() for v in _stored(folder)}, key=numbers)


def load(version: str) -> Chart:
    """The chart facts of Cilium `version`, which must be one of `versions()`."""
    return _load(version, tuple(stores()))


@cache
def _load(version: str, folders: tuple[str, ...]) -> Chart:
    files = [os.path.join(folder, f"{version}.json") for folder in folders]
    found = [f for f in files if os.path.isfile(f)]
    if not VERSION_RE.match(version) or not found:
        known = ", ".join(versions())
        raise UnknownChart(f"nixgen has no chart facts for Cilium {version} (known: {known})")
    try:
        with open(found[0], encoding="utf-8") as handle:
            raw = json.load(handle)
        rows = {}
        for entry in raw["paths"]:
            text, types, default = entry[0], entry[1], entry[2]
            rows[split_dotted(text)] = (tuple(types.split("|")), default,
                                        entry[3] if len(entry) > 3 else "")  # fmt: skip
        refused = {}
        for text, when, message in raw.get("refused", []):
            path = split_dotted(text)
            refused[path] = Refusal(path, when, message)
        return Chart(str(raw["version"]), rows, os.path.dirname(found[0]), refused)
    except OSError as err:
        raise UnknownChart(f"{found[0]}: cannot read it: {err.strerror or err}") from None
    except (ValueError, LookupError, TypeError, AttributeError, RecursionError) as err:
        raise UnknownChart(f"{found[0]}: not nixgen's chart facts "
                           f"({type(err).__name__}: {err})") from None  # fmt: skip


def doc_of(version: str, path: ValuePath | str) -> str | None:
    """The chart's one-line description of `path` in Cilium `version`, read from the docs alone
    (without the release's paths): what the module's option descriptions need."""
    for folder in stores():
        if os.path.isfile(os.path.join(folder, f"{version}.json")):
            return _doc(folder, version, path)
    return None


def _doc(folder: str, version: str, path: ValuePath | str) -> str | None:
    variants = _docs(folder).get(dotted(as_path(path)))
    if variants is None:
        return None
    if isinstance(variants, str):
        return variants
    for text, names in variants:
        if version in names.split():
            return text
    return None


@cache
def _docs(folder: str) -> dict[str, Any]:
    path = os.path.join(folder, "docs.json")
    try:
        with open(path, encoding="utf-8") as handle:
            docs = json.load(handle)["docs"]
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise UnknownChart(f"{path}: cannot read it: {err.strerror or err}") from None
    except (ValueError, LookupError, TypeError, RecursionError) as err:
        raise UnknownChart(f"{path}: not nixgen's chart docs ({type(err).__name__}: {err})") from None
    if not isinstance(docs, dict):
        raise UnknownChart(f"{path}: not nixgen's chart docs (docs is not an object)")
    return docs


def forget() -> None:
    """Read the stores again on the next lookup (after new facts were written into one)."""
    _load.cache_clear()
    _docs.cache_clear()
