"""Reading CustomResourceDefinition YAMLs, and the store of their schemas per release.

The store is one JSON file beside the catalog (catalog.json → catalog.schemas.json):

    {"nodes": {hash: node}, "index": {release: {kind: {served version: hash}}}}

A node is an openAPIV3Schema cut down to what nixgen.facts.shapes reads (see _KEEP), its
description trimmed to its first sentence (trim_description), with every sub-schema of an
object's `properties`, an array's `items` and a map's `additionalProperties` replaced by the
hash of its own node, so schemas shared by kinds, versions and releases are stored once. A hash
is the first 16 hex digits of the SHA-256 of the node's sorted JSON."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import locations, versions
from nixgen.output import write_atomic


class CrdError(NixgenError):
    """A YAML file that is not a usable CRD."""


def read_crd(text: str) -> dict[str, Any] | None:
    """kind, group, namespaced and versions ({name, served, storage, deprecated, schema}, in the
    file's order; schema is the openAPIV3Schema of a served version, else None) of a CRD YAML.
    None when the file holds no CRD."""
    found = read_crds(text)
    if len(found) > 1:
        raise CrdError("more than one CRD in one file")
    return found[0] if found else None


def read_crds(text: str) -> list[dict[str, Any]]:
    """Every CRD of a YAML file (of one or several documents), as read_crd reads one; other
    documents are skipped."""
    import yaml  # imported where YAML is read: not at start-up

    try:
        docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError as err:
        raise CrdError(f"not YAML: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise CrdError("YAML nested too deeply to read") from None
    return [_crd(d) for d in docs if d.get("kind") == "CustomResourceDefinition"]


def _crd(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec") or {}
    if not isinstance(spec, dict):
        raise CrdError("a CRD whose spec is not a table")
    names = spec.get("names") or {}
    if not isinstance(names, dict):
        raise CrdError("a CRD whose spec.names is not a table")
    kind, group, scope = names.get("kind"), spec.get("group"), spec.get("scope")
    plural = names.get("plural")
    missing = [k for k, v in (("spec.group", group), ("spec.names.kind", kind),
                              ("spec.names.plural", plural), ("spec.scope", scope))
               if not isinstance(v, str) or not v]  # fmt: skip
    if missing:
        raise CrdError(f"a CRD without {', '.join(missing)}")
    versions = []
    given = spec.get("versions") or []
    if not isinstance(given, list) or not all(isinstance(e, dict) for e in given):
        raise CrdError(f"{kind}: spec.versions is not a list of tables")
    for entry in given:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise CrdError(f"{kind}: a version without a name")
        served = entry.get("served") is True
        holder = entry.get("schema") or {}
        schema = holder.get("openAPIV3Schema") if served and isinstance(holder, dict) else None
        if served and not isinstance(schema, dict):
            raise CrdError(f"{kind} {name}: a served version without an openAPIV3Schema")
        versions.append({"name": name, "served": served, "storage": entry.get("storage") is True,
                         "deprecated": entry.get("deprecated") is True, "schema": schema})  # fmt: skip
    if len([v for v in versions if v["storage"]]) != 1:
        raise CrdError(f"{kind}: not exactly one storage version")
    if not any(v["served"] for v in versions):
        raise CrdError(f"{kind}: no served version")
    return {"kind": kind, "group": group, "plural": plural, "namespaced": scope == "Namespaced",
            "versions": versions}  # fmt: skip


def catalog_facts(crd: dict[str, Any]) -> dict[str, Any]:
    """The catalog's record of a CRD read by read_crd (without dir and file)."""
    out: dict[str, Any] = {
        "kind": crd["kind"],
        "group": crd["group"],
        "plural": crd["plural"],
        "storageVersion": next(v["name"] for v in crd["versions"] if v["storage"]),
        "servedVersions": sorted(v["name"] for v in crd["versions"] if v["served"]),
        "namespaced": crd["namespaced"],
    }
    deprecated = sorted(v["name"] for v in crd["versions"] if v["deprecated"])
    if deprecated:
        out["deprecatedVersions"] = deprecated
    unserved = sorted(v["name"] for v in crd["versions"] if not v["served"])
    if unserved:  # defined ahead of time (1.20's CiliumPodIPPool v2): not yet usable
        out["unservedVersions"] = unserved
    return out


# ------------------------------------------------------------------ the schema store

# What the schema walk reads (nixgen.facts.shapes); defaults, formats, CEL rules and list/map
# markers go, and descriptions are trimmed.
_KEEP = (
    "type", "required", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "nullable",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
)  # fmt: skip


# The longest description kept; a first sentence beyond it is cut at a word.
DESCRIPTION_LIMIT = 200
# A full stop that ends a sentence: followed by a space or the end, and not that of an
# abbreviation Kubernetes' API docs use mid-sentence.
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.(?=\s|$)")


def trim_description(text: str) -> str:
    """A schema description as nixgen stores it: on one line, its first sentence, at most
    DESCRIPTION_LIMIT characters (a longer one is cut at a word and ends in "...")."""
    text = " ".join(text.split())
    end = _SENTENCE_END.search(text)
    if end is not None:
        text = text[: end.end()]
    if len(text) > DESCRIPTION_LIMIT:
        cut = text[: DESCRIPTION_LIMIT - 4]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:") + " ..."
    return text


def _hash(node: dict[str, Any]) -> str:
    text = json.dumps(node, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _compact(schema: dict[str, Any], nodes: dict[str, Any]) -> str:
    """Add `schema` and its sub-schemas to `nodes`; its hash."""
    node: dict[str, Any] = {k: schema[k] for k in _KEEP if k in schema}
    description = schema.get("description")
    if isinstance(description, str) and description.strip():
        node["description"] = trim_description(description)
    if isinstance(schema.get("properties"), dict):
        node["properties"] = {k: _compact(v, nodes) for k, v in schema["properties"].items()}
    if isinstance(schema.get("items"), dict):
        node["items"] = _compact(schema["items"], nodes)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        node["additionalProperties"] = _compact(extra, nodes)
    elif isinstance(extra, bool):
        node["additionalProperties"] = extra
    for key in ("oneOf", "anyOf", "allOf"):
        if isinstance(schema.get(key), list):
            node[key] = [_compact(s, nodes) for s in schema[key]]
    digest = _hash(node)
    nodes[digest] = node
    return digest


def store_schemas(target: Path, release: str, crds: list[dict[str, Any]]) -> None:
    """Record the served versions' schemas of `crds` (read_crd results) as `release`'s in the
    store `target`, dropping nodes no release uses any more."""
    data = _read_store(str(target))
    nodes: dict[str, Any] = dict(data["nodes"])
    entry = compact_served(crds, nodes)
    index = {**data["index"], release: entry}
    index = dict(sorted(index.items(), key=lambda kv: versions.parse(kv[0])))
    out = {"nodes": used_nodes(nodes, index), "index": index}
    write_atomic(target, json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")
    _load_store.cache_clear()


def compact_served(crds: list[dict[str, Any]], nodes: dict[str, Any]) -> dict[str, Any]:
    """kind → served version → hash of its schema, the schemas added to `nodes`."""
    return {
        crd["kind"]: {v["name"]: _compact(v["schema"], nodes) for v in crd["versions"] if v["served"]}
        for crd in sorted(crds, key=lambda c: c["kind"])
    }


def used_nodes(nodes: dict[str, Any], index: dict[str, Any]) -> dict[str, Any]:
    """The nodes some release of `index` (release → kind → version → hash) uses, by hash."""
    used: set[str] = set()
    todo = [h for kinds in index.values() for byv in kinds.values() for h in byv.values()]
    while todo:
        digest = todo.pop()
        if digest in used:
            continue
        used.add(digest)
        todo.extend(_children(nodes[digest]))
    return {h: nodes[h] for h in sorted(used)}


def _children(node: dict[str, Any]) -> list[str]:
    out = list((node.get("properties") or {}).values())
    if "items" in node:
        out.append(node["items"])
    if isinstance(node.get("additionalProperties"), str):
        out.append(node["additionalProperties"])
    for key in ("oneOf", "anyOf", "allOf"):
        out.extend(node.get(key) or [])
    return out


def _read_store(path: str) -> dict[str, Any]:
    """A schema store as data (empty when there is none); CrdError for a file that is none."""
    try:
        with open(path, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        return {"nodes": {}, "index": {}}
    except OSError as err:
        raise CrdError(f"{path}: cannot read the schema store: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:
        raise CrdError(f"{path}: the schema store is not JSON: {err}") from None
    if not (isinstance(data, dict) and isinstance(data.get("nodes"), dict)
            and isinstance(data.get("index"), dict)
            and all(isinstance(v, dict) for v in data["index"].values())):
        raise CrdError(f"{path}: not nixgen's schema store (an object of nodes and index)")
    return data


_load_store = cache(_read_store)


def schema_nodes(release: str) -> tuple[dict[str, dict[str, str]], dict[str, Any]] | None:
    """kind → served version → hash for `release`, and the nodes: from the store beside the
    catalog nixgen reads, else from the one shipped with nixgen (a catalog copied and extended
    by `nixgen catalog import` gets a store of its own with just the new releases)."""
    for path in (locations.schema_store(locations.catalog_path()),
                 locations.schema_store(locations.SHIPPED_CATALOG)):
        data = _load_store(path)
        if release in data["index"]:
            return data["index"][release], data["nodes"]
    return None
