"""Helm's own input: a values file (YAML or JSON) as `helm install -f FILE` reads it, or the
values of a Flux `HelmRelease` or an Argo CD `Application` that deploys Cilium.

What a file holds is data, always: a table `{nix: ...}` or `{"$nix": ...}` in it is a table with
that key, never a Nix expression. Several files merge as Helm merges `-f a -f b`
(`nixgen.tree.deep_merge`: tables merge key by key, anything else replaces, a `null` stays and
then removes the chart's default).

YAML is read as Helm's parser reads it (YAML 1.1: `yes`/`on` are booleans, a boolean or number
key becomes its text), except that a date stays a string, as it does for Helm. Refused, each
with one line: a key given twice in one table (Helm keeps the last and drops the first without a
word), aliases that expand past `MAX_NODES` values or refer to themselves, nesting deeper than
`MAX_DEPTH`, and values JSON cannot hold (`!!binary`, `!!set`, timestamps).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from nixgen import nixatoms
from nixgen.errors import ConfigError
from nixgen.input.sets import SetError, parse_set
from nixgen.tree import deep_merge, nest

if TYPE_CHECKING:
    from pathlib import Path

# Past these, a file is refused: an alias bomb, or nesting no Helm values need.
MAX_NODES = 200_000
MAX_DEPTH = 100

_EXACT_VERSION = re.compile(r"v?([0-9]+\.[0-9]+\.[0-9]+)\Z")


class ValuesFile(NamedTuple):
    """One file's Helm values. `shown` names it in messages (as the user gave it), `recorded`
    in a generated file's header (relative to that file); `kind` is `values`, `HelmRelease` or
    `Application`, `version` the Cilium release a HelmRelease or Application pins (exactly).
    (A named tuple: cheap to define.)"""

    shown: str
    recorded: str
    values: Mapping[str, Any]
    kind: str = "values"
    version: str | None = None
    warnings: tuple[str, ...] = ()

    def source(self, path: tuple[str, ...]) -> str:
        """Where the value at `path` comes from, for messages."""
        from nixgen.facts.valuepath import dotted

        kind = "values file" if self.kind == "values" else self.kind
        where = f"{kind} {self.shown}"
        return f"{where}: {dotted(path)}" if path else where


class _Refused(Exception):
    """What is wrong, and the line it is on (0: none)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def read(path: Path, shown: str, recorded: str | None = None) -> ValuesFile:
    """The values file at `path` (`shown` in messages); ConfigError naming it and the line when
    it cannot be read as Helm values."""
    where = f"values file {shown}"
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{where}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    try:
        docs = _json_docs(text) if path.suffix == ".json" else _yaml_docs(text)
        return _from_docs(docs, shown, recorded if recorded is not None else shown)
    except _Refused as err:
        line = f" (line {err.line})" if err.line else ""
        raise ConfigError(f"{where}{line}: {err}") from None


def read_all(names: list[str] | tuple[str, ...], base: Any = None,
             record_from: Any = None) -> tuple[ValuesFile, ...]:
    """The values files `names` (relative to the folder `base`, else the current one), each
    shown as it is named there, relative to the current folder when `base` is another, and
    recorded relative to the folder `record_from` (as named, without one)."""
    from pathlib import Path

    out = []
    for name in names:
        path = Path(base or ".", name)
        shown = name if base is None else _relative(path, Path.cwd(), outside=False)
        recorded = name if record_from is None else _relative(path, Path(record_from))
        out.append(read(path, shown, recorded))
    return tuple(out)


def _relative(path: Any, folder: Any, outside: bool = True) -> str:
    """`path` relative to `folder`; without `outside`, absolute when it is not below it."""
    import os

    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    if not outside and relative.split(os.sep)[0] == os.pardir:
        return os.path.abspath(path)
    return relative.replace(os.sep, "/")


def from_text(text: str, shown: str) -> ValuesFile:
    """A values file's values from its YAML text (for tests and the importer)."""
    try:
        return _from_docs(_yaml_docs(text), shown, shown)
    except _Refused as err:
        line = f" (line {err.line})" if err.line else ""
        raise ConfigError(f"values file {shown}{line}: {err}") from None


def merged(files: tuple[ValuesFile, ...]) -> dict[str, Any]:
    """The files' values merged in order, as Helm merges `-f a -f b`."""
    out: dict[str, Any] = {}
    for file in files:
        out = deep_merge(out, file.values)
    return out


# ------------------------------------------------------------------ YAML, JSON


def _loader_class() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    timestamp = "tag:yaml.org,2002:timestamp"

    class Loader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers = {
            first: [r for r in resolvers if r[0] != timestamp]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = (type(key), key) in seen  # `on` (true) and `1` differ
                except TypeError:  # an unhashable key
                    raise _Refused("a table key must be a plain value",
                                   key_node.start_mark.line + 1) from None
                if duplicate:
                    raise _Refused(f"the key {_key_text(key)} is given twice in one table (Helm "
                                   "keeps the last and drops what the first one set): merge them",
                                   key_node.start_mark.line + 1)  # fmt: skip
                seen.add((type(key), key))
            self.flatten_mapping(node)  # `<<` merges first, the table's own keys over them
            out = {}
            for key_node, value_node in node.value:
                key = _key_string(self.construct_object(key_node, deep=True),
                                  key_node.start_mark.line + 1)
                out[key] = self.construct_object(value_node, deep=deep)
            return out

    return Loader


_LOADER: Any = None


def _yaml_docs(text: str) -> list[Any]:
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader_class()
    loader = _LOADER(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            _check_graph(node)
            docs.append(_plain(loader.construct_document(node), node))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise _Refused(f"invalid YAML: {problem}", mark.line + 1 if mark else 0) from None
    finally:
        loader.dispose()
    return docs


def _json_docs(text: str) -> list[Any]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _Refused(f"the key {_key_text(key)} is given twice in one object")
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_no_constant)
    except RecursionError:
        raise _Refused(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:
        if isinstance(err, _Refused):
            raise
        raise _Refused(f"invalid JSON: {err}") from None
    _depth(data)
    return [data]


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON value")


def _check_graph(root: Any) -> None:
    """Refuse a document whose aliases refer to themselves, expand past MAX_NODES values, or
    nest past MAX_DEPTH: checked on the composed nodes, before anything is built."""
    import yaml

    done: dict[int, tuple[int, int]] = {}  # node → (expanded size, height)
    active: set[int] = set()

    def walk(node: Any, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in done:
            size, height = done[key]
        else:
            if key in active:
                raise _Refused("a YAML alias refers to a table or list it sits in",
                               node.start_mark.line + 1)  # fmt: skip
            if depth > MAX_DEPTH:
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
            active.add(key)
            if isinstance(node, yaml.MappingNode):
                children = [child for pair in node.value for child in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = node.value
            else:
                children = []
            size, height = 1, 0
            for child in children:
                child_size, child_height = walk(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_NODES:
                    raise _Refused(f"its aliases expand to more than {MAX_NODES} values",
                                   node.start_mark.line + 1)  # fmt: skip
            active.discard(key)
            done[key] = (size, height)
        if depth + height > MAX_DEPTH:
            raise _Refused(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        return size, height

    walk(root, 0)


def _depth(data: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise _Refused(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(data, dict):
        for value in data.values():
            _depth(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            _depth(value, depth + 1)


def _key_text(key: Any) -> str:
    return json.dumps(key) if isinstance(key, str) else repr(key)


def _key_string(key: Any, line: int) -> str:
    """A key as Helm's parser gives it: a boolean, number or null key is its text."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    if key is None:
        return "null"
    if not isinstance(key, str):
        raise _Refused(f"the key {key!r} is not text", line)
    return key


def _plain(data: Any, node: Any) -> Any:
    """`data` as JSON-like values, as Helm's parser gives them: a boolean or integer key is its
    text; anything JSON cannot hold is refused. Shared (aliased) parts are copied."""
    line = node.start_mark.line + 1 if node is not None else 0
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            out[_key_string(key, line)] = _plain(value, None)
        return out
    if isinstance(data, list):
        return [_plain(value, None) for value in data]
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    what = {"bytes": "a !!binary value", "set": "a !!set"}.get(type(data).__name__,
                                                              f"a {type(data).__name__}")
    raise _Refused(f"{what} is not a value Helm reads from a values file", line)


# ------------------------------------------------------------------ HelmRelease, Application


def _from_docs(docs: list[Any], shown: str, recorded: str) -> ValuesFile:
    docs = [d for d in docs if d is not None]
    wrappers = [d for d in docs if _wrapper_kind(d) is not None]
    if wrappers:
        return _unwrap(wrappers, shown, recorded)
    if not docs:
        return ValuesFile(shown, recorded, {})
    first = docs[0]
    if not isinstance(first, dict):
        raise _Refused("the top level must be a table of Helm values")
    notes = (f"values file {shown}: only its first YAML document is read, as Helm reads a values "
             "file",) if len(docs) > 1 else ()  # fmt: skip
    _check_nix(first)
    return ValuesFile(shown, recorded, first, warnings=notes)


def _wrapper_kind(doc: Any) -> str | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("apiVersion"), str):
        return None
    group = doc["apiVersion"].split("/")[0]
    if doc.get("kind") == "HelmRelease" and group == "helm.toolkit.fluxcd.io":
        return "HelmRelease"
    if doc.get("kind") == "Application" and group == "argoproj.io":
        return "Application"
    return None


def _unwrap(wrappers: list[dict[str, Any]], shown: str, recorded: str) -> ValuesFile:
    found = [(doc, kind, source) for doc in wrappers
             for kind in [_wrapper_kind(doc)]
             for source in _cilium_sources(doc, kind)]  # fmt: skip
    names = ", ".join(sorted({f"{_wrapper_kind(d)} {_name(d)}" for d in wrappers}))
    if not found:
        raise _Refused(f"{names} deploys no Cilium chart")
    if len(found) > 1:
        raise _Refused(f"{len(found)} Cilium charts are deployed here ({names}): give the one "
                       "to read in a file of its own")  # fmt: skip
    doc, kind, source = found[0]
    name = f"{kind} {_name(doc)}"
    if kind == "HelmRelease":
        values, version, notes = _helm_release(source, name)
    else:
        values, version, notes = _application(source, name)
    where = f"{kind} {shown}"
    _check_nix(values)
    return ValuesFile(shown, recorded, values, kind, version,
                      tuple(f"{where}: {n}" for n in notes))  # fmt: skip


def _name(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata")
    return str(meta.get("name", "?")) if isinstance(meta, dict) else "?"


def _cilium_sources(doc: dict[str, Any], kind: str | None) -> list[dict[str, Any]]:
    """The parts of a wrapper that deploy the Cilium chart (the HelmRelease itself, or each
    source of an Application)."""
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "HelmRelease":
        chart = _dig(spec, "chart", "spec", "chart")
        ref = spec.get("chartRef")
        cilium = chart == "cilium" or (chart is None and isinstance(ref, dict)
                                       and "cilium" in str(ref.get("name", "")))  # fmt: skip
        return [spec] if cilium else []
    sources = [spec["source"]] if isinstance(spec.get("source"), dict) else []
    if isinstance(spec.get("sources"), list):
        sources += [s for s in spec["sources"] if isinstance(s, dict)]
    return [s for s in sources
            if s.get("chart") == "cilium" or str(s.get("path", "")).rstrip("/").endswith(
                "kubernetes/cilium")]  # fmt: skip


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _exact(version: Any) -> str | None:
    match = _EXACT_VERSION.match(version) if isinstance(version, str) else None
    return match.group(1) if match else None


def _helm_release(spec: dict[str, Any], name: str) -> tuple[dict[str, Any], str | None,
                                                            list[str]]:  # fmt: skip
    values = spec.get("values") or {}
    if not isinstance(values, dict):
        raise _Refused(f"{name}: spec.values must be a table of Helm values")
    notes = []
    if spec.get("valuesFrom"):
        notes.append("spec.valuesFrom (ConfigMaps and Secrets in the cluster) is not read: "
                     "give those values with -f as well")  # fmt: skip
    return values, _exact(_dig(spec, "chart", "spec", "version")), notes


def _application(source: dict[str, Any], name: str) -> tuple[dict[str, Any], str | None,
                                                              list[str]]:  # fmt: skip
    helm = source.get("helm") or {}
    if not isinstance(helm, dict):
        raise _Refused(f"{name}: helm must be a table")
    notes = []
    values: Any = {}
    if isinstance(helm.get("valuesObject"), dict):
        values = helm["valuesObject"]
        if helm.get("values"):
            notes.append("helm.values is not read: Argo CD takes helm.valuesObject instead")
    elif helm.get("values"):
        text = helm["values"]
        if not isinstance(text, str):
            raise _Refused(f"{name}: helm.values must be a string of YAML")
        try:
            inner = _yaml_docs(text)
        except _Refused as err:
            raise _Refused(f"{name}: helm.values: {err}") from None
        inner = [d for d in inner if d is not None]
        values = inner[0] if inner else {}
        if not isinstance(values, dict):
            raise _Refused(f"{name}: helm.values must hold a table of Helm values")
    for parameter in helm.get("parameters") or ():
        values = deep_merge(values, _parameter(parameter, name))
    for key in ("valueFiles", "fileParameters"):
        if helm.get(key):
            notes.append(f"helm.{key} (files in the source repository) is not read: give them "
                         "with -f as well")  # fmt: skip
    return values, _exact(source.get("targetRevision")), notes


def _parameter(parameter: Any, name: str) -> dict[str, Any]:
    """An Application's helm parameter as Helm's `--set` (or `--set-string`) gives it."""
    if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
        raise _Refused(f"{name}: helm.parameters: each needs a name")
    text = str(parameter.get("value", ""))
    if "[" in parameter["name"]:
        raise _Refused(f"{name}: helm.parameters: {parameter['name']}: list indices are not "
                       "read; give the list in valuesObject")  # fmt: skip
    try:
        keys, _ = parse_set(parameter["name"] + "=")
    except SetError as err:
        raise _Refused(f"{name}: helm.parameters: {err}") from None
    value: Any = text
    if not parameter.get("forceString"):
        if text in ("true", "false"):
            value = text == "true"
        elif text == "null":
            value = None
        elif re.fullmatch(r"-?(0|[1-9][0-9]{0,17})", text):
            value = int(text)
    return nest(keys, value)


def _check_nix(values: Mapping[str, Any]) -> None:
    """Refuse what Nix cannot hold (a NUL in a string, an integer past 64 bits, a float Nix
    would print differently), naming the key."""
    try:
        nixatoms.check(values)
    except nixatoms.NixError as err:
        raise _Refused(f"{err.path}: {err.reason}" if err.path else err.reason) from None
