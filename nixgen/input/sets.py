"""Free-form Helm values: `--set dotted.path=value` and the deep merge that applies them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from nixgen.errors import NixgenError


class SetError(NixgenError):
    """A --set that is not PATH=VALUE."""


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_value(text: str) -> Any:
    """JSON when it parses (`true`, `3`, `[1]`, `{"a":1}`, `"x"`), else the text itself.
    NaN and Infinity are not JSON: they stay strings."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return text


def parse_set(expr: str) -> tuple[list[str], Any]:
    """`a.b\\.c=v` → (["a", "b.c"], value). `\\.`, `\\=` and `\\\\` escape inside the path."""
    keys: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(expr):
        c = expr[i]
        if c == "\\" and i + 1 < len(expr) and expr[i + 1] in ".=\\":
            cur.append(expr[i + 1])
            i += 2
            continue
        if c == ".":
            keys.append("".join(cur))
            cur = []
        elif c == "=":
            keys.append("".join(cur))
            if any(k == "" for k in keys):
                raise SetError(f"--set {expr!r}: empty key in the path (write KEY.SUB=VALUE)")
            return keys, parse_value(expr[i + 1 :])
        else:
            cur.append(c)
        i += 1
    raise SetError(f"--set {expr!r}: expected PATH=VALUE")


def nest(path: list[str], value: Any) -> dict[str, Any]:
    out: Any = value
    for key in reversed(path):
        out = {key: out}
    return out


def deep_merge(base: Any, over: Any) -> Any:
    """`over` on top of `base`: attrsets merge key by key, anything else replaces (like
    `lib.recursiveUpdate`). Neither input is modified."""
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return over


def lookup(values: Mapping[str, Any], path: tuple[str, ...] | str, default: Any = None) -> Any:
    """The value at `path` (keys, or one dotted string) in a values tree, else `default`."""
    node: Any = values
    for key in path.split(".") if isinstance(path, str) else path:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return node


def leaf_paths(tree: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The paths of a values tree's leaves; an empty table and a Nix expression (`{nix}`, in
    the config's notation) are leaves."""
    if isinstance(tree, dict) and tree and tree.keys() != {"nix"}:
        for key, value in tree.items():
            yield from leaf_paths(value, (*prefix, key))
    else:
        yield prefix


def overlapping(path: tuple[str, ...], paths: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The first of `paths` that `path` sets, or sits inside, or sits above; else None."""
    return next((p for p in paths if p[: len(path)] == path or path[: len(p)] == p), None)
