"""The one walk over a release's stored CRD schemas (nixgen.facts.crds): each schema becomes a
Shape, the description of what the API server keeps and accepts there. Python interprets the
shapes (nixgen.checks.crd) and the CRD modules write them as Nix (nixgen.nix.crds: option
types for nixidy, the table the hetzkube module's check reads), so the checks of an object in
Python and in Nix read one description and cannot disagree.

A shape says:
- its JSON type: object, array, string, integer, number, boolean, int-or-string (Kubernetes'
  `x-kubernetes-int-or-string`), or any (no type: anything goes);
- for an object, its fields (name, shape, description, whether required) in the schema's
  order; a map's value shape (`additionalProperties`); whether unknown fields are kept
  unchecked (`x-kubernetes-preserve-unknown-fields`, `additionalProperties: true`) — else the
  API server drops them, which nixgen refuses;
- `enum`; `nullable`; the bounds minLength/maxLength (counted in bytes, as Nix counts),
  minimum/maximum (exclusive or not), minItems/maxItems; `pattern`, translated by
  nixgen.facts.regex into one expression both sides match whole (a pattern it does not
  translate is checked on neither side);
- choices: `oneOf`/`anyOf`/`allOf` whose branches each require some fields (Cilium's way of
  saying "exactly one of endpointSelector, nodeSelector"). An `allOf` of enums narrows the
  enum; an `anyOf` of integer and string is the int-or-string it sits on. Any other branch
  shape is not checked (`Release.dropped` lists what a release leaves out).

A field set to null counts as absent (the API server prunes nulls of non-nullable fields, and
easykubenix and nixidy drop them), except that an unknown field is refused whatever its value.
`metadata` is Kubernetes' ObjectMeta (OBJECT_META), whose unknown fields the API server drops
too; its `name` is required.

Shapes are built once per stored node and shared: the policy rules of CiliumNetworkPolicy and
CiliumClusterwideNetworkPolicy are one Shape, written once by the Nix generators."""

from __future__ import annotations

from functools import cache
from typing import Any

TYPES = ("object", "array", "string", "integer", "number", "boolean", "int-or-string", "any")


class Field:
    __slots__ = ("name", "shape", "required")

    def __init__(self, name: str, shape: Shape, required: bool = False) -> None:
        self.name = name
        self.shape = shape
        self.required = required

    @property
    def description(self) -> str:
        return self.shape.description


class Choice:
    """`op` ("oneOf", "anyOf" or "allOf") over branches, each the fields it requires."""

    __slots__ = ("op", "branches")

    def __init__(self, op: str, branches: tuple[tuple[str, ...], ...]) -> None:
        self.op = op
        self.branches = branches


class Pattern:
    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source  # the CRD's own pattern, for messages

    @property
    def regex(self) -> str | None:
        """nixgen.facts.regex.translate(source), matched against the whole string; None when
        nixgen does not translate the pattern, which then goes unchecked (translated when first
        needed: most checks meet few patterns)."""
        return _translated(self.source)


@cache
def _translated(source: str) -> str | None:
    from nixgen.facts import regex

    return regex.translate(source)


class Shape:
    """What the schema says of one place (see the module's docstring). Plain slots, not a
    dataclass: nixgen builds a few hundred per check and imports this module on the way."""

    __slots__ = ("type", "description", "nullable", "enum", "fields", "values", "open", "items",
                 "min_length", "max_length", "minimum", "maximum", "exclusive_minimum",
                 "exclusive_maximum", "min_items", "max_items", "pattern", "choices", "key",
                 "dropped", "__weakref__")  # fmt: skip

    def __init__(self, type: str, description: str = "", nullable: bool = False,
                 enum: tuple[Any, ...] | None = None, fields: tuple[Field, ...] = (),
                 values: Shape | None = None, open: bool = False, items: Shape | None = None,
                 min_length: int | None = None, max_length: int | None = None,
                 minimum: float | None = None, maximum: float | None = None,
                 exclusive_minimum: bool = False, exclusive_maximum: bool = False,
                 min_items: int | None = None, max_items: int | None = None,
                 pattern: Pattern | None = None, choices: tuple[Choice, ...] = (),
                 key: str = "", dropped: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.type = type
        self.description = description
        self.nullable = nullable
        self.enum = enum
        self.fields = fields  # in the schema's order
        self.values = values  # a map's value shape
        self.open = open  # unknown fields kept, unchecked
        self.items = items
        self.min_length = min_length
        self.max_length = max_length
        self.minimum = minimum
        self.maximum = maximum
        self.exclusive_minimum = exclusive_minimum
        self.exclusive_maximum = exclusive_maximum
        self.min_items = min_items
        self.max_items = max_items
        self.pattern = pattern
        self.choices = choices
        self.key = key  # the stored node's hash ("" for nixgen's own shapes)
        self.dropped = dropped  # what of the schema here goes unchecked, and why

    @property
    def field_map(self) -> dict[str, Field]:
        return _field_map(self)

    @property
    def is_record(self) -> bool:
        """An object with fields of its own: a record in Nix, a row of the modules' table."""
        return self.type == "object" and bool(self.fields)


@cache
def _field_map(shape: Shape) -> dict[str, Field]:
    return {f.name: f for f in shape.fields}


def _string(description: str = "") -> Shape:
    return Shape("string", description)


def _string_map(description: str) -> Shape:
    return Shape("object", description, values=_string())


def _object_meta() -> Shape:
    owner = Shape("object", "An object this one depends on.", fields=(
        Field("apiVersion", _string("API version of the referent."), True),
        Field("blockOwnerDeletion", Shape("boolean", "Whether the owner cannot be deleted "
                                                     "before this object.")),
        Field("controller", Shape("boolean", "Whether the reference points to the managing "
                                             "controller.")),
        Field("kind", _string("Kind of the referent."), True),
        Field("name", _string("Name of the referent."), True),
        Field("uid", _string("UID of the referent."), True),
    ))  # fmt: skip
    return Shape("object", "Standard object metadata.", fields=(
        Field("annotations", _string_map("Annotations: a map of strings tools keep with the "
                                         "object.")),
        Field("creationTimestamp", Shape("string", "When the object was created (set by the "
                                                   "server).", nullable=True)),
        Field("deletionGracePeriodSeconds", Shape("integer", "Seconds allowed for a graceful "
                                                             "deletion (set by the server).")),
        Field("deletionTimestamp", Shape("string", "When the object will be deleted (set by the "
                                                   "server).", nullable=True)),
        Field("finalizers", Shape("array", "Finalizers that must be empty before the object is "
                                           "deleted.", items=_string())),
        Field("generateName", _string("A prefix the server uses to make a name, when none is "
                                      "given.")),
        Field("generation", Shape("integer", "The generation of the desired state (set by the "
                                             "server).")),
        Field("labels", _string_map("Labels: a map of strings that selectors match.")),
        Field("managedFields", Shape("array", "Which manager owns which fields (set by the "
                                              "server).", items=Shape("object", open=True))),
        Field("name", _string("Name of the object, unique within its namespace."), True),
        Field("namespace", _string("Namespace of the object; cluster-scoped kinds have none.")),
        Field("ownerReferences", Shape("array", "Objects this one depends on.", items=owner)),
        Field("resourceVersion", _string("The version of the object the server holds.")),
        Field("selfLink", _string("Deprecated: a link to the object.")),
        Field("uid", _string("The object's unique id (set by the server).")),
    ))  # fmt: skip


# Kubernetes' ObjectMeta, as the API server keeps it for every custom resource.
OBJECT_META = _object_meta()


class Release:
    """The shapes of one release: kind → served version → root shape, each walked from the
    store the first time it is asked for (a check of one object walks one kind)."""

    def __init__(self, index: dict[str, dict[str, str]], walker: _Walker) -> None:
        self.index = index
        self.walker = walker

    def root(self, kind: str, version: str) -> Shape | None:
        digest = self.index.get(kind, {}).get(version)
        return None if digest is None else self.walker.root(digest)

    @property
    def roots(self) -> dict[str, dict[str, Shape]]:
        return {kind: {v: self.walker.root(digest) for v, digest in sorted(byv.items())}
                for kind, byv in sorted(self.index.items())}  # fmt: skip

    @property
    def dropped(self) -> list[str]:
        """What the walk leaves unchecked in this release (patterns, combinators), sorted."""
        found = {d for kinds in self.roots.values() for root in kinds.values()
                 for s in all_shapes(root) for d in s.dropped}  # fmt: skip
        found |= {f"pattern {s.pattern.source}" for kinds in self.roots.values()
                  for root in kinds.values() for s in all_shapes(root)
                  if s.pattern is not None and s.pattern.regex is None}  # fmt: skip
        return sorted(found)


def release(version: str) -> Release | None:
    """The shapes of the release nixgen has schemas for under `version` (its own, or its
    minor's nearest, as the catalog picks); None when the store has none. One per process and
    store; the shapes of nodes several releases share are shared too."""
    from nixgen.facts import crds

    return of_store(crds.schema_nodes(version))


def of_store(found: tuple[dict[str, dict[str, str]], dict[str, Any]] | None) -> Release | None:
    """The shapes of one release's entry of a schema store (kind → version → digest, and the
    store's nodes), as nixgen.facts.crds and nixgen.facts.gatewayapi read them; None for
    none."""
    if found is None:
        return None
    index, nodes = found
    key = (id(nodes), id(index))
    if key not in _RELEASES:
        walker = _WALKERS.get(id(nodes))
        if walker is None or walker.nodes is not nodes:
            walker = _WALKERS[id(nodes)] = _Walker(nodes)
        _RELEASES[key] = (nodes, index, Release(index, walker))
    return _RELEASES[key][2]


# Per store (by identity; each entry holds its store, so the id stays its own).
_WALKERS: dict[int, _Walker] = {}
_RELEASES: dict[tuple[int, int], tuple[Any, Any, Release]] = {}


class _Walker:
    def __init__(self, nodes: dict[str, Any]) -> None:
        self.nodes = nodes
        self.shapes: dict[str, Shape] = {}
        self.roots: dict[str, Shape] = {}

    def root(self, digest: str) -> Shape:
        if digest not in self.roots:
            base = self.shape(digest)
            fields = tuple(Field(f.name, OBJECT_META, f.required) if f.name == "metadata" else f
                           for f in base.fields)  # fmt: skip
            if "metadata" not in base.field_map:
                fields += (Field("metadata", OBJECT_META),)
            self.roots[digest] = _replace(base, fields=fields)
        return self.roots[digest]

    def shape(self, digest: str) -> Shape:
        if digest not in self.shapes:
            self.shapes[digest] = self.build(self.nodes[digest], digest)
        return self.shapes[digest]

    def build(self, node: dict[str, Any], digest: str) -> Shape:
        kind = node.get("type")
        if node.get("x-kubernetes-int-or-string"):
            kind = "int-or-string"
        elif kind not in TYPES:
            kind = "any"
        args: dict[str, Any] = {"type": kind, "key": digest,
                                "description": node.get("description", "")}  # fmt: skip
        dropped: list[str] = []
        if node.get("nullable"):
            args["nullable"] = True
        enum = node.get("enum")
        if isinstance(enum, list):
            args["enum"] = tuple(enum)
        if kind == "object":
            required = set(node.get("required") or ())
            props = node.get("properties") or {}
            args["fields"] = tuple(Field(name, self.shape(child), name in required)
                                   for name, child in props.items())  # fmt: skip
            extra = node.get("additionalProperties")
            if isinstance(extra, str):
                args["values"] = self.shape(extra)
            args["open"] = bool(node.get("x-kubernetes-preserve-unknown-fields")) or extra is True
        if kind == "array" and isinstance(node.get("items"), str):
            args["items"] = self.shape(node["items"])
        for key, name in (("minLength", "min_length"), ("maxLength", "max_length"),
                          ("minItems", "min_items"), ("maxItems", "max_items"),
                          ("minimum", "minimum"), ("maximum", "maximum")):  # fmt: skip
            if isinstance(node.get(key), (int, float)) and not isinstance(node[key], bool):
                args[name] = node[key]
        args["exclusive_minimum"] = node.get("exclusiveMinimum") is True
        args["exclusive_maximum"] = node.get("exclusiveMaximum") is True
        if isinstance(node.get("pattern"), str) and kind in ("string", "int-or-string", "any"):
            args["pattern"] = Pattern(node["pattern"])
        args["choices"], args["enum"] = self.choices(node, kind, args.get("enum"), dropped)
        return Shape(**args, dropped=tuple(dropped))

    def choices(self, node: dict[str, Any], kind: str, enum: tuple[Any, ...] | None,
                dropped: list[str]) -> tuple[tuple[Choice, ...], tuple[Any, ...] | None]:
        out = []
        for op in ("oneOf", "anyOf", "allOf"):
            branches = [self.nodes[d] for d in node.get(op) or ()]
            if not branches:
                continue
            if all(set(b) <= {"properties", "required"} and b.get("required")
                   and set(b.get("properties") or {}) <= set(b["required"])
                   and all(not self.nodes[c] for c in (b.get("properties") or {}).values())
                   for b in branches):  # fmt: skip
                out.append(Choice(op, tuple(tuple(b["required"]) for b in branches)))
            elif op == "allOf" and all(set(b) == {"enum"} for b in branches):
                for b in branches:
                    enum = tuple(e for e in (enum if enum is not None else b["enum"])
                                 if any(_same(e, x) for x in b["enum"]))  # fmt: skip
            elif op == "anyOf" and kind == "int-or-string" and all(
                    b == {"type": "integer"} or b == {"type": "string"} for b in branches):
                continue
            else:
                dropped.append(f"{op} of {len(branches)} branches beyond required fields")
        return tuple(out), enum


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _replace(shape: Shape, **changes: Any) -> Shape:
    given = {name: getattr(shape, name) for name in Shape.__slots__ if name != "__weakref__"}
    return Shape(**{**given, **changes})


def all_shapes(shape: Shape) -> list[Shape]:
    """`shape` and every shape below it, each once (by identity)."""
    seen: dict[int, Shape] = {}
    todo = [shape]
    while todo:
        s = todo.pop()
        if id(s) in seen:
            continue
        seen[id(s)] = s
        todo.extend(f.shape for f in s.fields)
        todo.extend(x for x in (s.items, s.values) if x is not None)
    return list(seen.values())
