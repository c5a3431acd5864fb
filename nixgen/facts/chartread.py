"""Reading a released Cilium chart (a chart folder or its .tgz) into chart facts, and writing
them into a chart store (nixgen.facts.chart reads it).

`python -m nixgen.facts.chartread cilium-X.Y.Z.tgz ...` stores the facts of released charts;
`nixgen catalog import` does the same beside the catalog it extends."""

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

from nixgen import tree
from nixgen.errors import NixgenError
from nixgen.facts import chart, gotemplate, locations
from nixgen.facts.valuepath import ValuePath, dotted
from nixgen.facts.versions import numbers
from nixgen.output import write_atomic


class ChartError(NixgenError):
    """A chart nixgen cannot read facts from."""


_FREE = ("any",)  # a value of any type
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
    {"types", "default", "source", "open"}}, "refused": {dotted: {"when", "message"}},
    "docs": {dotted: str}}`.

    `refused` holds the keys the templates `fail` on whenever they are set (keys the chart
    removed), with the chart's message and when it fails: "truthy" (a value Go's `if` takes as
    true) or "nonempty" (anything but an empty string)."""
    import yaml  # imported where YAML is read: not at start-up

    files = _chart_files(os.fspath(path))
    for name in ("Chart.yaml", "values.yaml"):
        if name not in files:
            raise ChartError(f"{path}: no {name}")
    version = str(yaml.safe_load(files["Chart.yaml"]).get("version", ""))
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
        raise ChartError(f"{path}: Chart.yaml's version {version!r} is not X.Y.Z")
    values = yaml.safe_load(files["values.yaml"]) or {}
    schema = json.loads(files["values.schema.json"]) if "values.schema.json" in files else {}

    leaves = {p: v for p, v in tree.leaves(values, nix=False) if p}
    maps = {p[:i] for p in leaves for i in range(1, len(p))}
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
    reads = gotemplate.read_templates(files)
    for p in sorted(reads.paths):
        if p in leaves or p in maps:
            continue
        if any(p[:i] in leaves for i in range(1, len(p))):
            continue  # below a leaf: an open map covers it, else the read is not a value path
        paths[p] = {"types": ["any"], "default": None, "source": "template", "open": False}
    for p in sorted(reads.ranged & maps):
        # A map of known keys that a template ranges over passes on any key it holds.
        paths[p] = {"types": ["object"], "default": None, "source": "map", "open": True}
    refused = {dotted(p): {"when": when, "message": message}
               for p, (message, when) in sorted(reads.refused.items())}  # fmt: skip
    docs = {dotted(p): d for p, d in _docs_of(files["values.yaml"]).items()
            if p in paths or p in maps}  # fmt: skip
    return {"version": version, "paths": {dotted(p): paths[p] for p in sorted(paths)},
            "refused": refused, "docs": dict(sorted(docs.items()))}  # fmt: skip


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
# A line of a doc comment that is an example, not description: a command line.
_EXAMPLE = r"(--[a-z]|helm\s+(install|upgrade|template)\s|\$\s)"


def _docs_of(text: str) -> dict[ValuePath, str]:
    """The helm-docs description of each key, by the key below it, including keys that
    values.yaml only shows as comments (`# policyAuditMode: false`): the comment that starts
    with `# --` (a `(type)` left out), continued by `# text` lines up to a line that is not
    description: an empty `#`, `# @default -- ...`, `# @schema`, a commented key or YAML
    (`#   enabled:`), a command line (`#   --set a=b`, `# $ helm install ...`). helm-docs runs
    on through such examples; nixgen's one-line doc stops before them."""
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
            # `# -- text` (and `# --- text`) starts a doc; `#   --set a=b` is an example.
            start = re.match(r"-{2,}(?:\s+|$)", body)
            if start:
                text = body[start.end():]
                doc, collecting = [re.sub(r"^\([^)]*\)\s*", "", text)], True
                continue
            if collecting and re.match(_EXAMPLE, body):
                collecting = False  # a command line after the description: an example
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
        refused = ",\n".join(json.dumps([text, fact["when"], fact["message"]], ensure_ascii=False,
                                         separators=(",", ":"))
                              for text, fact in read.get("refused", {}).items())  # fmt: skip
        refused = f"[\n{refused}\n]" if refused else "[]"
        write_atomic(Path(folder, f"{version}.json"),
                     f'{{"version":"{version}","paths":[\n{body}\n],\n"refused":{refused}}}\n')
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
