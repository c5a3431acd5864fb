"""Checking an object of a Cilium kind against its CRD's schema, as the API server would.

Checked: the apiVersion is one the release serves for the kind; JSON types (integer, number,
string, boolean, array, object; int-or-string); `enum`; `required`; `minLength`/`maxLength`,
`minimum`/`maximum`, `minItems`/`maxItems`; `pattern` (with Python's `re`, searched like Go's
regexp.MatchString; a pattern Python cannot compile is skipped); fields the API server would
prune (not in `properties`, no `additionalProperties`, no `x-kubernetes-preserve-unknown-fields`);
`oneOf`/`anyOf`/`allOf` (Cilium uses them to require one of several fields).
Not checked: `format` (cidr, ipv4, date-time…), CEL rules (`x-kubernetes-validations`), list
uniqueness, and `metadata` beyond name, namespace, labels and annotations.

A value nixgen only knows as Nix (a `Raw` expression, a function `Call`) is accepted anywhere;
both branches of a profile `Split` or an `If` are checked."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from nixgen.facts import catalog, crds
from nixgen.nixatoms import Attrs, Call, If, Raw
from nixgen.plan.model import Split
from nixgen.tree import json_type

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path of the value, e.g. spec.egress[0].toEntities[0]
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def validate(obj: dict[str, Any], version: str, patch: bool = False) -> list[Problem]:
    """What the API server of a cluster running Cilium `version` would refuse or drop in
    `obj` ({apiVersion, kind, metadata, spec, ...}), an object of a Cilium kind. A `patch`
    carries no apiVersion (it is judged by the kind's storage version) and only what it
    changes: nothing is required of it. Raises versions.UnknownVersion for a Cilium minor
    nixgen has no facts for."""
    release = catalog.load().release_for(version)
    kind = obj.get("kind")
    crd = next((c for c in release.crds if c.kind == kind), None)
    if crd is None:
        return [Problem("kind", f"Cilium {release.version} ships no CRD for kind {kind!r}")]
    return _against(obj, crd.group, crd.served, crd.storage_version,
                    crds.schema_nodes(release.version), f"Cilium {release.version}", patch,
                    "import the release again with `nixgen catalog import`")  # fmt: skip


def validate_gateway(obj: dict[str, Any], release: str,
                     patch: bool = False) -> list[Problem] | None:  # fmt: skip
    """As `validate`, for an object of a Gateway API kind against the CRDs of gateway-api
    `release`; None when nixgen has no schemas of that release, or of that kind in it (say,
    an experimental-channel kind)."""
    from nixgen.facts import gatewayapi

    known = gatewayapi.kinds(release)
    facts = None if known is None else known.get(obj.get("kind"))  # type: ignore[arg-type]
    if facts is None:
        return None
    return _against(obj, facts.group, facts.served, facts.storage,
                    gatewayapi.schema_nodes(release), f"gateway-api {release}", patch,
                    "import the release with `nixgen catalog import-gateway-api`")  # fmt: skip


def _against(obj: dict[str, Any], group: str, served: tuple[str, ...], storage: str,
             found: tuple[dict[str, dict[str, str]], dict[str, Any]] | None, owner: str,
             patch: bool, hint: str) -> list[Problem]:  # fmt: skip
    kind = obj.get("kind")
    if patch:
        version = storage
    else:
        api = obj.get("apiVersion")
        if not isinstance(api, str):
            return [Problem("apiVersion", f"must be a string such as {group}/{storage!r}")]
        its_group, _, version = api.rpartition("/")
        if its_group != group:
            return [Problem("apiVersion", f"{kind} is in group {group}, not {its_group or '(core)'}")]
        if version not in served:
            return [Problem("apiVersion", f"{owner} does not serve {api} for {kind} "
                                          f"(served: {', '.join(served)})")]  # fmt: skip
    digest = found[0].get(str(kind), {}).get(version) if found else None
    if found is None or digest is None:
        return [Problem("", f"nixgen has no schema of {kind} {version} for {owner}: {hint}")]
    out: list[Problem] = []
    _Walk(found[1], out, required=not patch).root(obj, digest)
    return out


def _unknown(v: Any) -> bool:
    """A value only Nix knows."""
    return isinstance(v, (Raw, Call))


def _branches(v: Any) -> tuple[Any, ...] | None:
    if isinstance(v, Split):
        return v.local, v.production
    if isinstance(v, If):
        return v.then_, v.else_
    return None


def _mapping(v: Any) -> dict[str, Any] | None:
    if isinstance(v, dict):
        return v
    if isinstance(v, Attrs) and isinstance(v.items, dict):
        return v.items
    return None


def _child(path: str, key: str) -> str:
    if _IDENT.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _show(v: Any) -> str:
    return json.dumps(v) if isinstance(v, (str, int, float, bool)) or v is None else type(v).__name__


def _json_type(v: Any) -> str:
    """The JSON type of a value, as a message names it ("an integer")."""
    name = json_type(v.items if _mapping(v) is not None and not isinstance(v, dict) else v)
    return _TYPES.get(name, name)


_TYPES = {"integer": "an integer", "number": "a number", "string": "a string",
          "boolean": "a boolean", "array": "an array", "object": "an object"}  # fmt: skip


def _type_ok(v: Any, wanted: str) -> bool:
    if wanted == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if wanted == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if wanted == "string":
        return isinstance(v, str)
    if wanted == "boolean":
        return isinstance(v, bool)
    if wanted == "array":
        return isinstance(v, (list, tuple))
    if wanted == "object":
        return _mapping(v) is not None
    return True


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:
        return None  # RE2 syntax Python lacks (\PC): not checked


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class _Walk:
    def __init__(self, nodes: dict[str, Any], out: list[Problem], prune: bool = True,
                 required: bool = True) -> None:  # fmt: skip
        self.nodes = nodes
        self.out = out
        self.prune = prune  # off inside oneOf/anyOf branches, which only add constraints
        # Off for a patch: it carries only what it changes, and merges with an object that has
        # the rest (so neither required fields nor the one-of shapes they make are judged).
        self.required = required

    def root(self, obj: dict[str, Any], digest: str) -> None:
        node = self.nodes[digest]
        meta = obj.get("metadata")
        rest = {k: v for k, v in obj.items() if k != "metadata"}
        self.check(rest, digest, "", skip_required=("metadata",))
        if self.required and "metadata" in (node.get("required") or ()) and meta is None:
            self.out.append(Problem("metadata", "is required but missing"))
        if meta is not None:
            self.metadata(meta)

    def metadata(self, meta: Any) -> None:
        if _unknown(meta) or _branches(meta) is not None:
            return
        m = _mapping(meta)
        if m is None:
            self.out.append(Problem("metadata", f"{_json_type(meta)} is not an object"))
            return
        if self.required and "name" not in m and "generateName" not in m:
            self.out.append(Problem("metadata.name", "is required but missing"))
        for key in ("name", "namespace", "generateName"):
            if key in m:
                self.scalar_string(m[key], f"metadata.{key}")
        for key in ("labels", "annotations"):
            if key in m:
                self.string_map(m[key], f"metadata.{key}")

    def scalar_string(self, v: Any, path: str) -> None:
        for one in _branches(v) or (v,):
            if not _unknown(one) and not isinstance(one, str):
                self.out.append(Problem(path, f"{_json_type(one)} is not a string"))

    def string_map(self, v: Any, path: str) -> None:
        for one in _branches(v) or (v,):
            if _unknown(one):
                continue
            m = _mapping(one)
            if m is None:
                self.out.append(Problem(path, f"{_json_type(one)} is not an object"))
                continue
            for key, value in m.items():
                self.scalar_string(value, _child(path, key))

    def check(self, v: Any, digest: str, path: str, skip_required: tuple[str, ...] = ()) -> None:
        if _unknown(v):
            return
        branches = _branches(v)
        if branches is not None:
            for one in branches:
                self.check(one, digest, path, skip_required)
            return
        node = self.nodes[digest]
        if not self.type_ok(v, node, path):
            return
        if "enum" in node and not any(_same(v, e) for e in node["enum"]):
            choices = ", ".join(e if isinstance(e, str) else json.dumps(e) for e in node["enum"])
            self.out.append(Problem(path, f"{_show(v)} is not one of {choices}"))
        if isinstance(v, str):
            self.string(v, node, path)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            self.number(v, node, path)
        elif isinstance(v, (list, tuple)):
            self.array(v, node, path)
        elif _mapping(v) is not None:
            self.object(_mapping(v) or {}, node, path, skip_required)
        self.combinations(v, node, path)

    def type_ok(self, v: Any, node: dict[str, Any], path: str) -> bool:
        if node.get("x-kubernetes-int-or-string"):
            if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
                return True
            wanted = "an integer or a string"
        elif "type" in node:
            if v is None and node.get("nullable"):
                return False  # null is allowed and there is nothing more to check
            if _type_ok(v, node["type"]):
                return True
            wanted = _TYPES.get(node["type"], node["type"])
        else:
            return True
        shown = f"{_show(v)} ({_json_type(v)})" if v is not None else "null"
        self.out.append(Problem(path, f"{shown} is not {wanted}"))
        return False

    def string(self, v: str, node: dict[str, Any], path: str) -> None:
        if "minLength" in node and len(v) < node["minLength"]:
            self.out.append(Problem(path, f"{_show(v)} is shorter than {node['minLength']}"))
        if "maxLength" in node and len(v) > node["maxLength"]:
            self.out.append(Problem(path, f"is longer than {node['maxLength']} characters"))
        pattern = _pattern(node["pattern"]) if "pattern" in node else None
        if pattern is not None and not pattern.search(v):
            self.out.append(Problem(path, f"{_show(v)} does not match {node['pattern']}"))

    def number(self, v: float, node: dict[str, Any], path: str) -> None:
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and (v < low or (node.get("exclusiveMinimum") and v == low)):
            self.out.append(Problem(path, f"{_show(v)} is below the minimum {low}"))
        if high is not None and (v > high or (node.get("exclusiveMaximum") and v == high)):
            self.out.append(Problem(path, f"{_show(v)} is above the maximum {high}"))

    def array(self, v: list[Any] | tuple[Any, ...], node: dict[str, Any], path: str) -> None:
        if "minItems" in node and len(v) < node["minItems"]:
            self.out.append(Problem(path, f"needs at least {node['minItems']} items"))
        if "maxItems" in node and len(v) > node["maxItems"]:
            self.out.append(Problem(path, f"takes at most {node['maxItems']} items"))
        if "items" in node:
            for i, item in enumerate(v):
                self.check(item, node["items"], f"{path}[{i}]")

    def object(self, m: dict[str, Any], node: dict[str, Any], path: str,
               skip_required: tuple[str, ...]) -> None:  # fmt: skip
        # The fields given first: a misspelt one (listners) says more than the required field
        # it leaves missing (listeners).
        props: dict[str, str] = node.get("properties") or {}
        extra = node.get("additionalProperties")
        keeps = node.get("x-kubernetes-preserve-unknown-fields") or extra is True
        for key, value in m.items():
            if key in props:
                self.check(value, props[key], _child(path, key))
            elif isinstance(extra, str):
                self.check(value, extra, _child(path, key))
            elif self.prune and not keeps:
                self.out.append(Problem(_child(path, key), _no_such_field(key, props)))
        for key in node.get("required") or () if self.required else ():
            if key not in m and key not in skip_required:
                self.out.append(Problem(_child(path, key), "is required but missing"))

    def combinations(self, v: Any, node: dict[str, Any], path: str) -> None:
        if not self.required:
            return
        for key in ("allOf", "anyOf", "oneOf"):
            if key not in node:
                continue
            matches = [self.matches(v, d) for d in node[key]]
            count = sum(matches)
            if key == "allOf" and count == len(matches):
                continue
            if key == "anyOf" and count >= 1:
                continue
            if key == "oneOf" and count == 1:
                continue
            self.out.append(Problem(path, self.combination_message(key, node[key], count)))

    def matches(self, v: Any, digest: str) -> bool:
        found: list[Problem] = []
        _Walk(self.nodes, found, prune=False).check(v, digest, "")
        return not found

    def combination_message(self, key: str, branches: list[str], count: int) -> str:
        needs = [self.nodes[d].get("required") or [] for d in branches]
        if all(len(r) == 1 for r in needs):
            fields = ", ".join(r[0] for r in needs)
            if key == "oneOf":
                return (f"sets more than one of {fields}: set exactly one" if count
                        else f"sets none of {fields}: set exactly one")  # fmt: skip
            if key == "anyOf":
                return f"sets none of {fields}: set at least one"
        word = {"allOf": "all", "anyOf": "any", "oneOf": "exactly one"}[key]
        return f"does not match {word} of the shapes the CRD allows here"


def _no_such_field(key: str, props: dict[str, str]) -> str:
    message = "the CRD has no such field: the API server would drop it"
    close = difflib.get_close_matches(key, sorted(props), n=1, cutoff=0.6)
    if close:
        return f"{message} (did you mean {close[0]}?)"
    if not props:
        return f"{message} (no fields are allowed here)"
    return message
