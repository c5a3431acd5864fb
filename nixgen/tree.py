"""Values trees: the nested tables and lists that Helm values, a config's sections and
Kubernetes objects are, and the one walk of each kind over them.

A tree holds plain data (dicts with string keys, lists, scalars) and, where a value is not
plain, markers: a Nix expression (`{"$nix" = ...}` in the config's notation,
nixgen.nixatoms.Raw once lowered), a value per profile (`{local, production}`,
nixgen.plan.model.Split once lowered), and the emitter's own (If, Attrs, Call). The walks here
know no marker: a caller says what a marker means through the function it passes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

Keys = tuple[str, ...]


class Sentinel:
    """A value that stands for no value (a default that is not there, a node left to a walk),
    unlike any other and printed by its name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


# What `rebuild`'s `replace` answers for a node it leaves to the walk.
DESCEND: Any = Sentinel("DESCEND")


def lookup(values: Mapping[str, Any], path: Iterable[str] | str, default: Any = None) -> Any:
    """The value at `path` (keys, or one dotted string) in a values tree, else `default`."""
    node: Any = values
    for key in path.split(".") if isinstance(path, str) else path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def nest(path: Iterable[str], value: Any) -> Any:
    """`value` at `path` in an otherwise empty tree: (a, b), 1 → {a: {b: 1}}."""
    out: Any = value
    for key in reversed(list(path)):
        out = {key: out}
    return out


def put(tree: dict[str, Any], keys: Keys, value: Any) -> None:
    """Set `value` at `keys` in `tree`, making the tables on the way."""
    for key in keys[:-1]:
        tree = tree.setdefault(key, {})
    tree[keys[-1]] = value


def deep_merge(base: Any, over: Any) -> Any:
    """`over` on top of `base`: tables merge key by key, anything else replaces (like
    `lib.recursiveUpdate`). Neither input is modified."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return over


def without_none(tree: Any) -> Any:
    """`tree` less its None leaves, and less the tables that leaves empty."""
    if not isinstance(tree, dict):
        return tree
    out = {}
    for key, value in tree.items():
        if value is None:
            continue
        if isinstance(value, dict) and value:
            value = without_none(value)
            if not value:
                continue
        out[key] = value
    return out


def leaves(tree: Any, nix: bool = True, at: Keys = ()) -> Iterator[tuple[Keys, Any]]:
    """(path, value) of each leaf: anything but a non-empty table (an empty table is a leaf);
    with `nix`, a `{"$nix" = ...}` table (the config's notation of a Nix expression) is a leaf
    too. A tree that is itself a leaf has one, at the empty path."""
    if isinstance(tree, dict) and tree and not (nix and tree.keys() == {"$nix"}):
        for key, value in tree.items():
            yield from leaves(value, nix, (*at, str(key)))
    else:
        yield at, tree


def overlapping(path: Keys, paths: Iterable[Keys]) -> Keys | None:
    """The first of `paths` that `path` sets, or sits inside, or sits above; else None."""
    return next((p for p in paths if p[: len(path)] == path or path[: len(p)] == p), None)


def without(tree: Mapping[str, Any], paths: Collection[Keys], at: Keys = ()) -> dict[str, Any]:
    """`tree` less the subtrees at `paths`, and less the tables that leaves empty (a table
    that was empty already stays)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        here = (*at, key)
        if here in paths:
            continue
        if isinstance(value, Mapping) and value and any(p[: len(here)] == here for p in paths):
            value = without(value, paths, here)
            if not value:
                continue
        out[key] = value
    return out


def rebuild(tree: Any, replace: Callable[[Any], Any]) -> Any:
    """`tree` with every node for which `replace` has an answer replaced by that answer, and
    every other node rebuilt from its rebuilt children: tables as dicts, lists and tuples as
    lists, anything else as it is. `replace` answers `DESCEND` for a node it leaves to the
    walk (it may call `rebuild` itself for what a marker holds)."""
    new = replace(tree)
    if new is not DESCEND:
        return new
    if isinstance(tree, dict):
        return {k: rebuild(v, replace) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [rebuild(v, replace) for v in tree]
    return tree


def contains(tree: Any, found: Callable[[Any], bool], tables: bool = True) -> bool:
    """Whether `found` holds for some node of `tree`, looking into lists (and, with `tables`,
    into tables)."""
    if found(tree):
        return True
    if tables and isinstance(tree, dict):
        return any(contains(v, found, tables) for v in tree.values())
    if isinstance(tree, (list, tuple)):
        return any(contains(v, found, tables) for v in tree)
    return False


def json_type(value: Any) -> str:
    """The JSON type name of a plain value (a marker's class name otherwise)."""
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


def shown(value: Any, limit: int = 80) -> str:
    """A value for a message, as the user wrote it in JSON (a value holding something JSON
    cannot say falls back to text), cut to about `limit` characters."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Key:
    """A values tree as a hashable key, for a cache of what is a function of the tree: two
    keys are equal when their trees print alike (the same keys in the same order, the same
    types), which is when they make the same Nix."""

    __slots__ = ("tree", "_text", "_hash")

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self._text = repr(tree)
        self._hash = hash(self._text)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and self._text == other._text
