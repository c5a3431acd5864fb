"""Reading CustomResourceDefinition YAMLs, and the store of their schemas per release.

The store is one JSON file beside the catalog (catalog.json → catalog.schemas.json):

    {"nodes": {hash: node}, "index": {release: {kind: {served version: hash}}}}

A node is an openAPIV3Schema cut down to what nixgen.checks.crd reads (see _KEEP), with every
sub-schema of an object's `properties`, an array's `items` and a map's `additionalProperties`
replaced by the hash of its own node, so schemas shared by kinds, versions and releases are
stored once. A hash is the first 16 hex digits of the SHA-256 of the node's sorted JSON."""

from __future__ import annotations

import hashlib
import json
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
    import yaml  # imported where YAML is read: not at start-up

    try:
        docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError as err:
        raise CrdError(f"not YAML: {str(err).splitlines()[0]}") from None
    found = [d for d in docs if d.get("kind") == "CustomResourceDefinition"]
    if not found:
        return None
    if len(found) > 1:
        raise CrdError("more than one CRD in one file")
    spec = found[0].get("spec") or {}
    names = spec.get("names") or {}
    kind, group, scope = names.get("kind"), spec.get("group"), spec.get("scope")
    missing = [k for k, v in (("spec.group", group), ("spec.names.kind", kind),
                              ("spec.scope", scope)) if not isinstance(v, str) or not v]  # fmt: skip
    if missing:
        raise CrdError(f"a CRD without {', '.join(missing)}")
    versions = []
    for entry in spec.get("versions") or []:
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise CrdError(f"{kind}: a version without a name")
        served = entry.get("served") is True
        schema = ((entry.get("schema") or {}).get("openAPIV3Schema")) if served else None
        if served and not isinstance(schema, dict):
            raise CrdError(f"{kind} {name}: a served version without an openAPIV3Schema")
        versions.append({"name": name, "served": served, "storage": entry.get("storage") is True,
                         "deprecated": entry.get("deprecated") is True, "schema": schema})  # fmt: skip
    if len([v for v in versions if v["storage"]]) != 1:
        raise CrdError(f"{kind}: not exactly one storage version")
    if not any(v["served"] for v in versions):
        raise CrdError(f"{kind}: no served version")
    return {"kind": kind, "group": group, "namespaced": scope == "Namespaced",
            "versions": versions}  # fmt: skip


def catalog_facts(crd: dict[str, Any]) -> dict[str, Any]:
    """The catalog's record of a CRD read by read_crd (without dir and file)."""
    out: dict[str, Any] = {
        "kind": crd["kind"],
        "group": crd["group"],
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

# What the validator reads; descriptions, defaults, formats, CEL rules and list/map markers go.
_KEEP = (
    "type", "required", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "nullable",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
)  # fmt: skip


def _hash(node: dict[str, Any]) -> str:
    text = json.dumps(node, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _compact(schema: dict[str, Any], nodes: dict[str, Any]) -> str:
    """Add `schema` and its sub-schemas to `nodes`; its hash."""
    node: dict[str, Any] = {k: schema[k] for k in _KEEP if k in schema}
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
    try:
        data = json.loads(target.read_text("utf-8"))
    except FileNotFoundError:
        data = {"nodes": {}, "index": {}}
    nodes: dict[str, Any] = dict(data["nodes"])
    entry = {
        crd["kind"]: {v["name"]: _compact(v["schema"], nodes) for v in crd["versions"] if v["served"]}
        for crd in sorted(crds, key=lambda c: c["kind"])
    }
    index = {**data["index"], release: entry}
    index = dict(sorted(index.items(), key=lambda kv: versions.parse(kv[0])))
    used: set[str] = set()
    todo = [h for kinds in index.values() for byv in kinds.values() for h in byv.values()]
    while todo:
        digest = todo.pop()
        if digest in used:
            continue
        used.add(digest)
        todo.extend(_children(nodes[digest]))
    out = {"nodes": {h: nodes[h] for h in sorted(used)}, "index": index}
    write_atomic(target, json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")
    _load_store.cache_clear()


def _children(node: dict[str, Any]) -> list[str]:
    out = list((node.get("properties") or {}).values())
    if "items" in node:
        out.append(node["items"])
    if isinstance(node.get("additionalProperties"), str):
        out.append(node["additionalProperties"])
    for key in ("oneOf", "anyOf", "allOf"):
        out.extend(node.get(key) or [])
    return out


@cache
def _load_store(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        data = {"nodes": {}, "index": {}}
    return data


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
