"""Checking an object of a Cilium kind against its CRD's schema, as the API server would.

The schema is read as nixgen.facts.shapes describes it, the description the Nix CRD modules
are generated from too (nixgen.nix.crds), so the check here and the one in Nix agree.

Checked: the apiVersion is one the release serves for the kind; JSON types (integer, number,
string, boolean, array, object; int-or-string); `enum`; `required`; `minLength`/`maxLength`
(in bytes), `minimum`/`maximum`, `minItems`/`maxItems`; `pattern` (where nixgen.facts.regex
translates it; matched against the UTF-8 bytes, as Nix matches); fields the API server would
prune (not in `properties`, no `additionalProperties`, no
`x-kubernetes-preserve-unknown-fields`), in `metadata` too; the `oneOf`/`anyOf`/`allOf` Cilium
uses to require one of several fields. A null field counts as absent. A patch (a change to an
object the chart renders) is judged without required fields or one-of shapes. Gateway API
objects are judged the same way against the gateway-api CRDs (`validate_gateway`). Not checked: `format` (cidr, ipv4, date-time…), CEL rules (`x-kubernetes-validations`),
list uniqueness, and the patterns nixgen.facts.regex leaves out.

A value nixgen only knows as Nix (an emit.Raw expression, a function call) is accepted
anywhere; both branches of a plan.Split or an emit.If are checked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nixgen.facts.shapes import Choice, Release, Shape

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
    from nixgen.facts import catalog, shapes

    release = catalog.load().release_for(version)
    kind = obj.get("kind")
    crd = next((c for c in release.crds if c.kind == kind), None)
    if crd is None:
        return [Problem("kind", f"Cilium {release.version} ships no CRD for kind {kind!r}")]
    return _against(obj, crd.group, crd.served, crd.storage_version,
                    shapes.release(release.version), f"Cilium {release.version}", patch,
                    "import the release again with `nixgen catalog import`")  # fmt: skip


def validate_gateway(obj: dict[str, Any], release: str,
                     patch: bool = False) -> list[Problem] | None:  # fmt: skip
    """As `validate`, for an object of a Gateway API kind against the CRDs of gateway-api
    `release`; None when nixgen has no schemas of that release, or of that kind in it (say,
    an experimental-channel kind)."""
    from nixgen.facts import gatewayapi, shapes

    known = gatewayapi.kinds(release)
    facts = None if known is None else known.get(obj.get("kind"))  # type: ignore[arg-type]
    if facts is None:
        return None
    return _against(obj, facts.group, facts.served, facts.storage,
                    shapes.of_store(gatewayapi.schema_nodes(release)),
                    f"gateway-api {release}", patch,
                    "import the release with `nixgen catalog import-gateway-api`")  # fmt: skip


def _against(obj: dict[str, Any], group: str, served: tuple[str, ...], storage: str,
             found: Release | None, owner: str, patch: bool, hint: str) -> list[Problem]:
    kind = obj.get("kind")
    if patch:
        version = storage
    else:
        api = obj.get("apiVersion")
        if not isinstance(api, str):
            return [Problem("apiVersion", f"must be a string such as {group + '/' + storage!r}")]
        its_group, _, version = api.rpartition("/")
        if its_group != group:
            return [Problem("apiVersion", f"{kind} is in group {group}, not "
                                          f"{its_group or '(core)'}")]  # fmt: skip
        if version not in served:
            return [Problem("apiVersion", f"{owner} does not serve {api} for {kind} "
                                          f"(served: {', '.join(served)})")]  # fmt: skip
    root = found.root(str(kind), version) if found is not None else None
    if root is None:
        return [Problem("", f"nixgen has no schema of {kind} {version} for {owner}: {hint}")]
    out: list[Problem] = []
    _Walk(out, required=not patch).check(obj, root, "")
    return out


def _unknown(v: Any) -> bool:
    """A value only Nix knows (emit.Raw, emit.Call)."""
    return hasattr(v, "expr") or (hasattr(v, "func") and hasattr(v, "args"))


def _branches(v: Any) -> tuple[Any, ...] | None:
    if hasattr(v, "local") and hasattr(v, "production"):  # plan.Split
        return v.local, v.production
    if hasattr(v, "then_") and hasattr(v, "else_"):  # emit.If
        return v.then_, v.else_
    return None


def _mapping(v: Any) -> dict[str, Any] | None:
    if isinstance(v, dict):
        return v
    items = getattr(v, "items", None)  # emit.Attrs
    return items if isinstance(items, dict) else None


def _child(path: str, key: str) -> str:
    if _IDENT.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _show(v: Any) -> str:
    """A scalar as JSON (as Nix's builtins.toJSON writes it: UTF-8, not escaped)."""
    if isinstance(v, (str, int, float, bool)) or v is None:
        return json.dumps(v, ensure_ascii=False)
    return type(v).__name__


def _json_type(v: Any) -> str:
    """The JSON type of a value, as a message names it ("an integer")."""
    from nixgen.checks.values import json_type

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
def _regex(text: str) -> re.Pattern[bytes]:
    """A translated pattern, matched against a string's UTF-8 bytes, as Nix matches it."""
    return re.compile(text.encode("ascii"))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _present(m: dict[str, Any], key: str, shape: Shape) -> bool:
    """Whether `m` sets `key`: a null counts as absent unless the schema allows null."""
    return key in m and (m[key] is not None or shape.nullable)


class _Walk:
    def __init__(self, out: list[Problem], required: bool = True) -> None:
        self.out = out
        # Off for a patch: it carries only what it changes, and merges with an object that has
        # the rest (so neither required fields nor the one-of shapes they make are judged).
        self.required = required

    def check(self, v: Any, shape: Shape, path: str) -> None:
        if _unknown(v):
            return
        branches = _branches(v)
        if branches is not None:
            for one in branches:
                self.check(one, shape, path)
            return
        if not self.type_ok(v, shape, path):
            return
        if shape.enum is not None and not any(_same(v, e) for e in shape.enum):
            choices = ", ".join(e if isinstance(e, str) else json.dumps(e) for e in shape.enum)
            self.out.append(Problem(path, f"{_show(v)} is not one of {choices}"))
        if shape.type in ("string", "int-or-string") and isinstance(v, str):
            self.string(v, shape, path)
        elif shape.type in ("integer", "number"):
            self.number(v, shape, path)
        elif shape.type == "array":
            self.array(v, shape, path)
        elif shape.type == "object":
            self.object(_mapping(v) or {}, shape, path)

    def type_ok(self, v: Any, shape: Shape, path: str) -> bool:
        if v is None and shape.nullable:
            return False  # null is allowed and there is nothing more to check
        if shape.type == "any":
            return True
        if shape.type == "int-or-string":
            if isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)):
                return True
            wanted = "an integer or a string"
        elif _type_ok(v, shape.type):
            return True
        else:
            wanted = _TYPES[shape.type]
        if v is None:
            shown = "null"
        elif isinstance(v, (list, tuple)) or _mapping(v) is not None:
            shown = _json_type(v)
        else:
            shown = f"{_show(v)} ({_json_type(v)})"
        self.out.append(Problem(path, f"{shown} is not {wanted}"))
        return False

    def string(self, v: str, shape: Shape, path: str) -> None:
        size = len(v.encode("utf-8"))
        if shape.min_length is not None and size < shape.min_length:
            self.out.append(Problem(path, f"{_show(v)} is shorter than {shape.min_length}"))
        if shape.max_length is not None and size > shape.max_length:
            self.out.append(Problem(path, f"is longer than {shape.max_length} characters"))
        pattern = shape.pattern
        if pattern is not None and pattern.regex is not None \
                and not _regex(pattern.regex).fullmatch(v.encode("utf-8")):  # fmt: skip
            self.out.append(Problem(path, f"{_show(v)} does not match {pattern.source}"))

    def number(self, v: float, shape: Shape, path: str) -> None:
        low, high = shape.minimum, shape.maximum
        if low is not None and (v < low or (shape.exclusive_minimum and v == low)):
            self.out.append(Problem(path, f"{_show(v)} is below the minimum {_number(low)}"))
        if high is not None and (v > high or (shape.exclusive_maximum and v == high)):
            self.out.append(Problem(path, f"{_show(v)} is above the maximum {_number(high)}"))

    def array(self, v: list[Any] | tuple[Any, ...], shape: Shape, path: str) -> None:
        if shape.min_items is not None and len(v) < shape.min_items:
            self.out.append(Problem(path, f"needs at least {shape.min_items} items"))
        if shape.max_items is not None and len(v) > shape.max_items:
            self.out.append(Problem(path, f"takes at most {shape.max_items} items"))
        if shape.items is not None:
            for i, item in enumerate(v):
                self.check(item, shape.items, f"{path}[{i}]")

    def object(self, m: dict[str, Any], shape: Shape, path: str) -> None:
        fields = shape.field_map
        for f in shape.fields if self.required else ():
            if f.required and not _present(m, f.name, f.shape):
                self.out.append(Problem(_child(path, f.name), "is required but missing"))
        for key, value in m.items():
            if key in fields:
                if value is not None or fields[key].shape.nullable:
                    self.check(value, fields[key].shape, _child(path, key))
            elif shape.values is not None:
                self.check(value, shape.values, _child(path, key))
            elif not shape.open:
                self.out.append(Problem(_child(path, key), _no_such_field(key, sorted(fields))))
        for choice in shape.choices if self.required else ():
            self.choice(m, shape, choice, path)

    def choice(self, m: dict[str, Any], shape: Shape, choice: Choice, path: str) -> None:
        fields = shape.field_map
        count = sum(all(name in fields and _present(m, name, fields[name].shape)
                        or (name not in fields and m.get(name) is not None) for name in branch)
                    for branch in choice.branches)  # fmt: skip
        total = len(choice.branches)
        if {"oneOf": count == 1, "anyOf": count >= 1, "allOf": count == total}[choice.op]:
            return
        self.out.append(Problem(path, choice_message(choice, count)))


def choice_message(choice: Choice, count: int) -> str:
    """What an object that breaks `choice` (with `count` branches met) is told."""
    fields = ", ".join(" and ".join(branch) for branch in choice.branches)
    if choice.op == "oneOf":
        return (f"sets more than one of {fields}: set exactly one" if count
                else f"sets none of {fields}: set exactly one")  # fmt: skip
    if choice.op == "anyOf":
        return f"sets none of {fields}: set at least one"
    return f"does not set all of {fields}"


def _number(v: float) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _no_such_field(key: str, names: list[str]) -> str:
    message = "the CRD has no such field: the API server would drop it"
    close = suggestion(key, names)
    if close is not None:
        return f"{message} (did you mean {close}?)"
    if not names:
        return f"{message} (no fields are allowed here)"
    return message


def suggestion(key: str, names: list[str]) -> str | None:
    """The field a misspelt `key` most likely means: the first (in sorted order) of those at
    the smallest edit distance, if that is at most 2 and at most a third of the key's
    length. The Nix check (templates/nix/_crdcheck.nix.j2) suggests by the same rule."""
    best, found = None, None
    for name in sorted(names):
        d = edit_distance(key, name)
        if best is None or d < best:
            best, found = d, name
    if best is None or best > 2 or 3 * best > len(key):
        return None
    return found


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
