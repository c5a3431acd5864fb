"""The Helm values each Cilium chart release knows (path, type, default, one-line doc), and a
check of a final values tree against them.

Facts per release live in nixgen/data/chart/<version>.json (paths, types, defaults) and
nixgen/data/chart/docs.json (docs, shared by all releases), so a check reads one small file and
only `doc` reads the docs. They are made from the released chart tarballs by
`python -m nixgen.facts.chart cilium-X.Y.Z.tgz ...`, or by `nixgen catalog import`, which writes them
into the store beside the catalog it extends (`store_path`); a catalog named by $NIXGEN_CATALOG
brings its store, read before the shipped one. Removed and renamed keys, with what replaces
them, are curated by hand in nixgen/data/chart-changes.json.

A path is a tuple of keys; written out it is dotted, with a key that is not a plain name in
double quotes: `nodeSelector."kubernetes.io/os"`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
STORE_DIR = os.path.join(DATA_DIR, "chart")
CHANGES_FILE = os.path.join(DATA_DIR, "chart-changes.json")

Path = tuple[str, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_DOTTED_PART = re.compile(r'"(?:[^"\\]|\\.)*"|[^."]+')


class UnknownChart(ValueError):
    """A Cilium release nixgen has no chart facts for."""


class ChartError(ValueError):
    """A chart nixgen cannot read facts from."""


# ------------------------------------------------------------------ paths


def dotted(path: Iterable[str]) -> str:
    """`("nodeSelector", "kubernetes.io/os")` → `nodeSelector."kubernetes.io/os"`."""
    return ".".join(k if _PLAIN_KEY.match(k) else json.dumps(k) for k in path)


def split_dotted(text: str) -> Path:
    """The inverse of `dotted`."""
    parts: list[str] = []
    pos = 0
    while pos <= len(text):
        m = _DOTTED_PART.match(text, pos)
        if not m:
            raise ValueError(f"{text!r} is not a dotted value path")
        part = m.group()
        parts.append(json.loads(part) if part.startswith('"') else part)
        pos = m.end()
        if pos == len(text):
            break
        if text[pos] != ".":
            raise ValueError(f"{text!r} is not a dotted value path")
        pos += 1
    return tuple(parts)


def _as_path(path: Path | str) -> Path:
    return split_dotted(path) if isinstance(path, str) else tuple(path)


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        raise UnknownChart(f"{version!r} is not a version of the form X.Y.Z") from None


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


# ------------------------------------------------------------------ facts of one release


@dataclass(frozen=True)
class PathInfo:
    """What a chart knows about one value path.

    `source` is "values" (a leaf of values.yaml), "template" (only read by the templates, no
    default), "map" (a map with known keys below it), or "free" (a key below an open map that
    the chart does not list). `open` means any key below it is accepted."""

    path: Path
    types: tuple[str, ...]
    default: Any
    source: str
    open: bool = False

    @property
    def type(self) -> str:
        """The types for a message: `boolean`, `string or integer`."""
        return " or ".join(self.types)


_FREE = ("any",)


class Chart:
    """The values of one chart release. Build it with `load`."""

    def __init__(self, version: str, rows: Mapping[Path, tuple[tuple[str, ...], Any, str]],
                 store: str | None = None):  # fmt: skip
        self.version = version
        self._rows = rows  # path → (types, default, flags); flags: "o" open, "t" template-only
        self._store = store or STORE_DIR  # the folder whose docs.json has this release's docs

    @cached_property
    def _maps(self) -> frozenset[Path]:
        return frozenset(p[:i] for p in self._rows for i in range(1, len(p)))

    @cached_property
    def _known(self) -> list[Path]:
        return sorted(set(self._rows) | self._maps)

    def paths(self) -> list[Path]:
        """Every path the chart lists (leaves, open maps, template reads), sorted."""
        return sorted(self._rows)

    def info(self, path: Path | str) -> PathInfo | None:
        """What the chart knows about `path`; None when it is unknown."""
        return self._info(_as_path(path), with_default=True)

    def _info(self, path: Path, with_default: bool) -> PathInfo | None:
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

    def _map_default(self, path: Path) -> dict[str, Any]:
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

    def known(self, path: Path | str) -> bool:
        return self.info(path) is not None

    def nearest(self, path: Path | str) -> str | None:
        """A known dotted path close to `path` (a typo's likely meaning), or None."""
        import difflib

        path = _as_path(path)
        # Match below the deepest known ancestor, so a typo is compared with its siblings
        # (and their children), not with the whole chart.
        base: Path = ()
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

    def doc(self, path: Path | str) -> str | None:
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


def store_path(catalog_file: str | os.PathLike[str]) -> str:
    """The chart store that goes with a catalog file: the folder `chart` beside it (for the
    shipped catalog, nixgen/data/chart)."""
    return os.path.join(os.path.dirname(os.path.abspath(catalog_file)), "chart")


def stores() -> list[str]:
    """The stores nixgen reads, first match wins: the one beside $NIXGEN_CATALOG's catalog
    (where `nixgen catalog import` writes), then the shipped one."""
    from nixgen.facts import catalog

    mine = store_path(catalog.catalog_path())
    return [mine, STORE_DIR] if mine != os.path.abspath(STORE_DIR) else [STORE_DIR]


def _stored(folder: str) -> list[str]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [n[: -len(".json")] for n in names if n[0].isdigit() and n.endswith(".json")]


def versions() -> list[str]:
    """The releases with stored chart facts, oldest first."""
    return sorted({v for folder in stores() for v in _stored(folder)}, key=_version_key)


def load(version: str) -> Chart:
    """The chart facts of Cilium `version`, which must be one of `versions()`."""
    return _load(version, tuple(stores()))


@cache
def _load(version: str, folders: tuple[str, ...]) -> Chart:
    files = [os.path.join(folder, f"{version}.json") for folder in folders]
    found = [f for f in files if os.path.isfile(f)]
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version) or not found:
        known = ", ".join(versions())
        raise UnknownChart(f"nixgen has no chart facts for Cilium {version} (known: {known})")
    with open(found[0], encoding="utf-8") as handle:
        raw = json.load(handle)
    rows = {}
    for entry in raw["paths"]:
        text, types, default = entry[0], entry[1], entry[2]
        rows[split_dotted(text)] = (tuple(types.split("|")), default, entry[3] if len(entry) > 3
                                    else "")  # fmt: skip
    return Chart(raw["version"], rows, os.path.dirname(found[0]))


def doc_of(version: str, path: Path | str) -> str | None:
    """The chart's one-line description of `path` in Cilium `version`, read from the docs alone
    (without the release's paths): what the module's option descriptions need."""
    for folder in stores():
        if os.path.isfile(os.path.join(folder, f"{version}.json")):
            return _doc(folder, version, path)
    return None


def _doc(folder: str, version: str, path: Path | str) -> str | None:
    variants = _docs(folder).get(dotted(_as_path(path)))
    if variants is None:
        return None
    if isinstance(variants, str):
        return variants
    for text, versions in variants:
        if version in versions.split():
            return text
    return None


@cache
def _docs(folder: str) -> dict[str, Any]:
    with open(os.path.join(folder, "docs.json"), encoding="utf-8") as handle:
        return json.load(handle)["docs"]


# ------------------------------------------------------------------ checking a values tree


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


_JSON_TYPES = {"boolean": "boolean", "integer": "integer", "number": "number",
               "string": "string", "array": "array", "object": "object"}  # fmt: skip


def json_type(value: Any) -> str:
    """The JSON type name of a plain value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _fits(value: Any, types: tuple[str, ...]) -> bool:
    if "any" in types:
        return True
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


def check(values: Mapping[str, Any], chart: Chart, since: str | None = None) -> list[Problem]:
    """Problems of a final Helm values tree for `chart`: unknown paths and values of the wrong
    type. Raw Nix expressions are accepted anywhere; both sides of a profile split or a
    condition are checked. With `since` (the release the values were written for), an unknown
    path that release knew says what replaced it."""
    out: list[Problem] = []
    _check_map(values, (), chart, since, out)
    return out


def _check_map(values: Mapping[str, Any], at: Path, chart: Chart, since: str | None,
               out: list[Problem]) -> None:  # fmt: skip
    for key in sorted(values, key=str):
        path = (*at, str(key))
        info = chart._info(path, with_default=False)  # a check needs no defaults
        if info is None:
            try:
                why = removed_in(path, since, chart.version) if since else None
            except UnknownChart:  # no facts for the earlier release: no history to tell
                why = None
            guess = chart.nearest(path)
            hint = why or (f"did you mean {guess}?" if guess else None)
            message = f"{dotted(path)}: Cilium {chart.version}'s chart has no such value"
            out.append(Problem(dotted(path), f"{message} ({hint})" if hint else message))
            continue
        _check_value(values[key], info, chart, since, out)


def _check_value(value: Any, info: PathInfo, chart: Chart, since: str | None,
                 out: list[Problem]) -> None:  # fmt: skip
    # nixgen's Nix markers, by their shape so that nixgen.nix.emit is not imported here.
    if hasattr(value, "expr"):  # Raw: a Nix expression whose value is not known here
        return
    if hasattr(value, "local") and hasattr(value, "production"):  # Split
        _check_value(value.local, info, chart, since, out)
        _check_value(value.production, info, chart, since, out)
        return
    if hasattr(value, "then_") and hasattr(value, "else_"):  # If
        _check_value(value.then_, info, chart, since, out)
        _check_value(value.else_, info, chart, since, out)
        return
    if hasattr(value, "items") and not isinstance(value, Mapping) and isinstance(
            value.items, Mapping):  # Attrs  # fmt: skip
        value = value.items
    if value is None:
        # Helm drops a key set to null before it validates, so null only removes the default.
        return
    if isinstance(value, Mapping):
        if "object" not in info.types and "any" not in info.types:
            out.append(Problem(dotted(info.path), f"{dotted(info.path)}: the chart expects "
                                                  f"{info.type}, got object"))  # fmt: skip
        elif info.source != "free":
            _check_map(value, info.path, chart, since, out)
        return
    if isinstance(value, list | tuple | str | int | float) and not _fits(value, info.types):
        out.append(Problem(dotted(info.path), f"{dotted(info.path)}: the chart expects "
                                              f"{info.type}, got {json_type(value)}"))  # fmt: skip


# ------------------------------------------------------------------ removed keys


@cache
def _changes() -> dict[str, dict[str, str]]:
    with open(CHANGES_FILE, encoding="utf-8") as handle:
        return json.load(handle)["removed"]


def removed_in(path: Path | str, from_version: str, to_version: str) -> str | None:
    """Why `path`, known to the chart of `from_version`, is unknown to that of `to_version`:
    one line such as `removed in Cilium 1.19: set kubeProxyReplacement=true instead`. None
    when the path is known to the target or was unknown to the source."""
    path = _as_path(path)
    source, target = load(from_version), load(to_version)
    if target.known(path) or not source.known(path):
        return None
    low, high = _version_key(from_version), _version_key(to_version)
    if high < low:
        return f"added after Cilium {_minor(to_version)}"
    text = dotted(path)
    for minor, entries in sorted(_changes().items(), key=lambda kv: _version_key(kv[0])):
        if low[:2] < _version_key(minor)[:2] <= high[:2] and text in entries:
            return f"removed in Cilium {minor}: {entries[text]}"
    gone = to_version
    for version in versions():
        if low < _version_key(version) <= high and not load(version).known(path):
            gone = version
            break
    return f"removed in Cilium {_minor(gone)}"


# ------------------------------------------------------------------ reading a released chart


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_VALUES = rf"\(?\s*(?:\$(?:{_IDENT})?)?\.Values((?:\.{_IDENT})*)\s*\)?"
_QUOTED = r'((?:\s+"[^"]+")+)'
# Patterns of the maintainer path stay strings (compiled on first use, by re's cache), so
# importing this module for a check costs no regex compilation.
_READS = [
    rf"(?:\$(?:{_IDENT})?)?\.Values((?:\.{_IDENT})+)",  # .Values.a.b, $.Values.a
    rf"hasKey\s+{_VALUES}{_QUOTED}",  # hasKey .Values.a "b"
    rf"index\s+{_VALUES}{_QUOTED}",  # index .Values.a "b" "c"
]
# dig "b" "c" DEFAULT .Values.a
_DIG = rf'dig{_QUOTED}\s+(?:\([^()]*\)|"[^"]*"|\S+)\s+{_VALUES}'
_YAML_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
               dict: "object"}  # fmt: skip
# Maps of free-form Kubernetes fields: any key is accepted below them even when the chart's
# default lists some (nodeSelector has kubernetes.io/os; resources has limits and requests).
_OPEN_NAMES = frozenset({"nodeSelector", "annotations", "labels", "podAnnotations", "podLabels",
                         "matchLabels", "resources", "initResources", "securityContext",
                         "podSecurityContext", "affinity", "updateStrategy", "extraConfig",
                         "commonLabels", "requests", "limits", "seLinuxOptions"})  # fmt: skip


def read_chart(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The facts of a chart directory or a chart .tgz: `{"version", "paths": {dotted:
    {"types", "default", "source", "open"}}, "docs": {dotted: str}}`."""
    import yaml  # only the maintainer path that reads upstream YAML needs it

    files = _chart_files(os.fspath(path))
    for name in ("Chart.yaml", "values.yaml"):
        if name not in files:
            raise ChartError(f"{path}: no {name}")
    version = str(yaml.safe_load(files["Chart.yaml"]).get("version", ""))
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
        raise ChartError(f"{path}: Chart.yaml's version {version!r} is not X.Y.Z")
    values = yaml.safe_load(files["values.yaml"]) or {}
    schema = json.loads(files["values.schema.json"]) if "values.schema.json" in files else {}

    leaves: dict[Path, Any] = {}
    maps: set[Path] = set()
    _flatten(values, (), leaves, maps)
    paths: dict[Path, dict[str, Any]] = {}
    for p, default in leaves.items():
        types = _schema_types(schema, p) or _default_types(default)
        is_open = (default == {} or (default is None and "object" in types) or
                   _schema_open(schema, p))  # fmt: skip
        paths[p] = {"types": list(types), "default": _jsonable(default), "source": "values",
                    "open": is_open}  # fmt: skip
    for p in sorted(maps):
        if p[-1] in _OPEN_NAMES or _schema_open(schema, p):
            paths[p] = {"types": ["object"], "default": None, "source": "map", "open": True}
    for p in sorted(_template_reads(files)):
        if p in leaves or p in maps:
            continue
        if any(p[:i] in leaves for i in range(1, len(p))):
            continue  # below a leaf: an open map covers it, else the read is not a value path
        paths[p] = {"types": ["any"], "default": None, "source": "template", "open": False}
    docs = {dotted(p): d for p, d in _docs_of(files["values.yaml"]).items()
            if p in paths or p in maps}  # fmt: skip
    return {"version": version, "paths": {dotted(p): paths[p] for p in sorted(paths)},
            "docs": dict(sorted(docs.items()))}  # fmt: skip


def _chart_files(path: str) -> dict[str, str]:
    """Chart-relative name → text of values.yaml, values.schema.json, Chart.yaml, templates/*."""
    wanted = re.compile(r"(Chart\.yaml|values\.yaml|values\.schema\.json|templates/.+)\Z")
    out: dict[str, str] = {}
    if os.path.isdir(path):
        for folder, _, names in os.walk(path):
            for name in names:
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                if wanted.match(rel):
                    with open(full, encoding="utf-8", errors="replace") as handle:
                        out[rel] = handle.read()
        return out
    import tarfile

    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar.getmembers():
                rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
                if member.isfile() and "/charts/" not in f"/{rel}" and wanted.match(rel):
                    handle = tar.extractfile(member)
                    if handle is not None:
                        out[rel] = handle.read().decode("utf-8", errors="replace")
    except (OSError, tarfile.TarError) as err:
        raise ChartError(f"{path}: {err}") from None
    return out


def _flatten(node: Any, at: Path, leaves: dict[Path, Any], maps: set[Path]) -> None:
    if isinstance(node, dict) and node:
        if at:
            maps.add(at)
        for key, value in node.items():
            _flatten(value, (*at, str(key)), leaves, maps)
    elif at:
        leaves[at] = node


def _template_reads(files: Mapping[str, str]) -> set[Path]:
    found: set[Path] = set()
    for name, text in files.items():
        # validate.yaml reads removed keys only to reject them.
        if not name.startswith("templates/") or name.endswith("/validate.yaml"):
            continue
        for pattern in _READS:
            for m in re.finditer(pattern, text):
                chain = tuple(k for k in m.group(1).split(".") if k)
                quoted = tuple(re.findall(r'"([^"]+)"', m.group(2))) if m.lastindex == 2 else ()
                found.add(chain + quoted)
        for m in re.finditer(_DIG, text):
            found.add(tuple(k for k in m.group(2).split(".") if k) +
                      tuple(re.findall(r'"([^"]+)"', m.group(1))))  # fmt: skip
    # `.Values.AsMap` is a method of the values object, not a value.
    return {p[: p.index("AsMap")] if "AsMap" in p else p for p in found} - {()}


def _schema_node(schema: Mapping[str, Any], path: Path) -> Mapping[str, Any] | None:
    node: Any = schema
    for key in path:
        node = node.get("properties", {}).get(key) if isinstance(node, Mapping) else None
        if node is None:
            return None
    return node if isinstance(node, Mapping) else None


def _node_types(node: Mapping[str, Any]) -> list[str]:
    kind = node.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [str(k) for k in kind]
    out: list[str] = []
    for branch in [*node.get("anyOf", []), *node.get("oneOf", [])]:
        out += _node_types(branch) if isinstance(branch, Mapping) else []
    if not out and "enum" in node:
        out = [_YAML_TYPES.get(type(v), "null") if v is not None else "null"
               for v in node["enum"]]  # fmt: skip
    return out


def _schema_types(schema: Mapping[str, Any], path: Path) -> tuple[str, ...] | None:
    node = _schema_node(schema, path)
    types = list(dict.fromkeys(_node_types(node))) if node is not None else []
    if not types or types == ["null"]:  # a type the schema leaves open
        return None
    return tuple(types)


def _schema_open(schema: Mapping[str, Any], path: Path) -> bool:
    node = _schema_node(schema, path)
    if node is None or "object" not in _node_types(node):
        return False
    extra = node.get("additionalProperties")
    return not node.get("properties") or (extra is not None and extra is not False)


def _default_types(default: Any) -> tuple[str, ...]:
    kind = _YAML_TYPES.get(type(default))
    return (kind,) if kind else _FREE


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # YAML timestamps and the like


_KEY_LINE = r"""(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s#'"{\[\-][^:#]*?)\s*:(?:\s+(.*))?$"""
_COMMENTED_KEY = r"#\s?(\s*)([A-Za-z_][A-Za-z0-9_]*):(?:\s.*)?$"


def _docs_of(text: str) -> dict[Path, str]:
    """helm-docs comments (`# -- text`, continued by `# text` lines) by the key below them,
    including keys that values.yaml only shows as comments (`# policyAuditMode: false`)."""
    docs: dict[Path, str] = {}
    stack: list[tuple[int, str | None]] = []  # (indent, key); None: inside a list item
    doc: list[str] | None = None
    collecting = False
    skip_deeper: int | None = None  # inside a block scalar
    lines = text.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if skip_deeper is not None:
            if not stripped or indent > skip_deeper:
                continue
            skip_deeper = None
        if not stripped:
            doc, collecting = None, False
            continue
        if stripped.startswith("#"):
            body = stripped[1:].strip()
            if body.startswith("--"):
                doc, collecting = [re.sub(r"^\([^)]*\)\s*", "", body[2:].strip())], True
                continue
            m = re.match(_COMMENTED_KEY, stripped)
            if doc and m and not m.group(1) and _ends_block(lines, number + 1, indent):
                parents = [k for i, k in stack if i < indent]
                if None not in parents:
                    docs.setdefault((*parents, m.group(2)), _one_line(doc))
                doc, collecting = None, False  # the doc was the commented key's
            elif m:
                collecting = False  # an example inside the doc (`# ref: ...`)
            elif collecting and (not body or body.startswith("@")):
                collecting = False
            elif collecting:
                doc.append(body)  # type: ignore[union-attr]
            continue
        m = re.match(_KEY_LINE, line)
        if not m:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if m.group(2):  # `- key: value`: a list item, whose keys are not value paths
            stack.append((indent, None))
        else:
            key = m.group(3)
            key = key[1:-1] if key[0] in "'\"" else key
            parents = [k for _, k in stack]
            if doc and None not in parents:
                docs[(*parents, key)] = _one_line(doc)  # type: ignore[arg-type]
            stack.append((indent, key))
            value = (m.group(4) or "").strip()
            if value[:1] in ("|", ">"):
                skip_deeper = indent
        doc, collecting = None, False
    return docs


def _ends_block(lines: list[str], start: int, indent: int) -> bool:
    """Whether a commented-out key ends its doc: what follows the comments after it is a blank
    line, another doc, or a key of an outer map, not a key of its own level (whose doc it was
    an example in)."""
    for line in lines[start:]:
        stripped = line.strip()
        if not stripped or stripped.startswith("# --"):
            return True
        if not stripped.startswith("#"):
            return len(line) - len(line.lstrip(" ")) < indent
    return True


def _one_line(lines: list[str]) -> str:
    return " ".join(part for part in lines if part).strip()


# ------------------------------------------------------------------ the stored form


def write_store(charts: Iterable[Mapping[str, Any]], folder: str = STORE_DIR) -> list[str]:
    """Write the facts of `charts` (from `read_chart`) into `folder`: one <version>.json each,
    and their docs merged into docs.json beside the other releases' docs. Returns the file names
    written."""
    from pathlib import Path as FilePath

    from nixgen.nix.output import write_atomic

    os.makedirs(folder, exist_ok=True)
    docs_file = os.path.join(folder, "docs.json")
    by_version: dict[str, dict[str, str]] = {}  # version → dotted → doc
    if os.path.exists(docs_file):
        with open(docs_file, encoding="utf-8") as handle:
            stored = json.load(handle)
        for text, variants in stored["docs"].items():
            if isinstance(variants, str):
                variants = [[variants, " ".join(stored["versions"])]]
            for doc, names in variants:
                for version in names.split():
                    by_version.setdefault(version, {})[text] = doc
    written = []
    for chart in charts:
        version = chart["version"]
        rows = []
        for text, fact in chart["paths"].items():
            flags = ("o" if fact["open"] else "") + ("t" if fact["source"] == "template" else "")
            row = [text, "|".join(fact["types"]), fact["default"]] + ([flags] if flags else [])
            rows.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        body = ",\n".join(rows)
        write_atomic(FilePath(folder, f"{version}.json"),
                     f'{{"version":"{version}","paths":[\n{body}\n]}}\n')  # fmt: skip
        written.append(f"{version}.json")
        by_version[version] = dict(chart["docs"])
    all_versions = sorted(by_version, key=_version_key)
    merged: dict[str, Any] = {}
    for text in sorted({t for docs in by_version.values() for t in docs}):
        variants: dict[str, list[str]] = {}
        for version in all_versions:
            if text in by_version[version]:
                variants.setdefault(by_version[version][text], []).append(version)
        if len(variants) == 1 and len(next(iter(variants.values()))) == len(all_versions):
            merged[text] = next(iter(variants))
        else:
            merged[text] = [[doc, " ".join(names)] for doc, names in variants.items()]
    lines = ",\n".join(f"{json.dumps(k, ensure_ascii=False)}:"
                       f"{json.dumps(v, ensure_ascii=False, separators=(',', ':'))}"
                       for k, v in merged.items())  # fmt: skip
    head = f'{{"versions":{json.dumps(all_versions)},"docs":{{'
    write_atomic(FilePath(docs_file), f"{head}\n{lines}\n}}}}\n")
    _load.cache_clear()
    _docs.cache_clear()
    return [*written, "docs.json"]


def main(argv: list[str] | None = None) -> int:
    """`python -m nixgen.facts.chart [--out FOLDER] CHART...`: store the facts of released charts."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m nixgen.facts.chart", description=main.__doc__)
    parser.add_argument("charts", nargs="+", help="chart .tgz files or chart directories")
    parser.add_argument("--out", default=STORE_DIR, help="folder of the stored facts")
    args = parser.parse_args(argv)
    try:
        facts = [read_chart(c) for c in args.charts]
    except ChartError as err:
        print(f"nixgen: {err}", file=sys.stderr)
        return 2
    for name in write_store(facts, args.out):
        print(os.path.join(args.out, name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
