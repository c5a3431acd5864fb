"""Reading a released Cilium chart (a chart folder or its .tgz) into chart facts, and writing
them into a chart store (nixgen.facts.chart reads it).

`python -m nixgen.facts.chartread cilium-X.Y.Z.tgz ...` stores the facts of released charts;
`nixgen catalog import` does the same beside the catalog it extends. Reading needs PyYAML
(`pip install 'nixgen[import]'`); nothing else in nixgen does."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import chart, locations
from nixgen.facts.valuepath import ValuePath, dotted
from nixgen.facts.versions import numbers
from nixgen.nix.output import write_atomic


class ChartError(NixgenError):
    """A chart nixgen cannot read facts from."""


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
    import yaml  # an optional dependency (nixgen[import]): only reading a chart needs it

    files = _chart_files(os.fspath(path))
    for name in ("Chart.yaml", "values.yaml"):
        if name not in files:
            raise ChartError(f"{path}: no {name}")
    version = str(yaml.safe_load(files["Chart.yaml"]).get("version", ""))
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
        raise ChartError(f"{path}: Chart.yaml's version {version!r} is not X.Y.Z")
    values = yaml.safe_load(files["values.yaml"]) or {}
    schema = json.loads(files["values.schema.json"]) if "values.schema.json" in files else {}

    leaves: dict[ValuePath, Any] = {}
    maps: set[ValuePath] = set()
    _flatten(values, (), leaves, maps)
    paths: dict[ValuePath, dict[str, Any]] = {}
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


def _flatten(node: Any, at: ValuePath, leaves: dict[ValuePath, Any], maps: set[ValuePath]) -> None:
    if isinstance(node, dict) and node:
        if at:
            maps.add(at)
        for key, value in node.items():
            _flatten(value, (*at, str(key)), leaves, maps)
    elif at:
        leaves[at] = node


def _template_reads(files: Mapping[str, str]) -> set[ValuePath]:
    found: set[ValuePath] = set()
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


def _schema_node(schema: Mapping[str, Any], path: ValuePath) -> Mapping[str, Any] | None:
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


def _schema_types(schema: Mapping[str, Any], path: ValuePath) -> tuple[str, ...] | None:
    node = _schema_node(schema, path)
    types = list(dict.fromkeys(_node_types(node))) if node is not None else []
    if not types or types == ["null"]:  # a type the schema leaves open
        return None
    return tuple(types)


def _schema_open(schema: Mapping[str, Any], path: ValuePath) -> bool:
    node = _schema_node(schema, path)
    if node is None or "object" not in _node_types(node):
        return False
    extra = node.get("additionalProperties")
    return not node.get("properties") or (extra is not None and extra is not False)


def _default_types(default: Any) -> tuple[str, ...]:
    kind = _YAML_TYPES.get(type(default))
    return (kind,) if kind else chart._FREE


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


def _docs_of(text: str) -> dict[ValuePath, str]:
    """helm-docs comments (`# -- text`, continued by `# text` lines) by the key below them,
    including keys that values.yaml only shows as comments (`# policyAuditMode: false`)."""
    docs: dict[ValuePath, str] = {}
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


def write_store(charts: Iterable[Mapping[str, Any]],
                folder: str = locations.CHART_STORE) -> list[str]:
    """Write the facts of `charts` (from `read_chart`) into `folder`: one <version>.json each,
    and their docs merged into docs.json beside the other releases' docs. Returns the file names
    written."""
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
    for read in charts:
        version = read["version"]
        rows = []
        for text, fact in read["paths"].items():
            flags = ("o" if fact["open"] else "") + ("t" if fact["source"] == "template" else "")
            row = [text, "|".join(fact["types"]), fact["default"]] + ([flags] if flags else [])
            rows.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        body = ",\n".join(rows)
        write_atomic(Path(folder, f"{version}.json"),
                     f'{{"version":"{version}","paths":[\n{body}\n]}}\n')  # fmt: skip
        written.append(f"{version}.json")
        by_version[version] = dict(read["docs"])
    all_versions = sorted(by_version, key=numbers)
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
    write_atomic(Path(docs_file), f"{head}\n{lines}\n}}}}\n")
    chart.forget()
    return [*written, "docs.json"]


def main(argv: list[str] | None = None) -> int:
    """`python -m nixgen.facts.chartread [--out FOLDER] CHART...`: store the facts of released
    charts."""
    parser = argparse.ArgumentParser(prog="python -m nixgen.facts.chartread",
                                     description=main.__doc__)
    parser.add_argument("charts", nargs="+", help="chart .tgz files or chart directories")
    parser.add_argument("--out", default=locations.CHART_STORE, help="folder of the stored facts")
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
