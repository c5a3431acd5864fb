"""Bounds on what nixgen reads from a user, so that hostile or broken input is one clear error
and not a crash deep inside a parser or a walk:

- nesting: free-form data (`values`, an `[[objects]]` entry, a policy in `policies.extra`)
  nests at most MAX_DEPTH levels of tables and lists, and a `--set` path has at most
  MAX_DEPTH segments; elsewhere a config nests at most MAX_DEPTH levels from its top (its typed
  sections are a handful deep). Kubernetes objects and Helm values stay far below it.
- size: a config file is at most MAX_BYTES.
- JSON: a key given twice in one object is refused (Python's reader would keep the last one
  silently, where TOML refuses it), and so is nesting beyond what the reader can follow.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64
MAX_BYTES = 16 * 1024 * 1024

# Where free-form data starts, by the config's top-level key: how many path elements lie
# above it (values.<here>, objects[i].<here>, policies.extra[i].<here>).
_FREE_FORM = {"values": 1, "objects": 2, "policies": 3}


class InputLimit(ValueError):
    """Input beyond one of the bounds; `str(err)` says which and where."""


def _dup_refusing(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputLimit(f"the key {json.dumps(key, ensure_ascii=False)} is given twice in "
                             "one object")  # fmt: skip
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_json(text: str) -> Any:
    """JSON as Python data, refusing duplicate keys and nesting the reader cannot follow
    (InputLimit); ValueError for text that is not JSON (NaN and Infinity are not)."""
    try:
        return json.loads(text, object_pairs_hook=_dup_refusing, parse_constant=_no_constant)
    except RecursionError:
        raise InputLimit(f"nested more than {MAX_DEPTH} levels deep (nixgen's limit)") from None


def _shown(path: tuple[Any, ...]) -> str:
    """A path for a message, its middle elided when long."""
    parts = [f"[{p}]" if isinstance(p, int) else str(p) for p in path]

    def joined(items: list[str]) -> str:
        return "".join(p if p.startswith("[") or i == 0 else "." + p for i, p in enumerate(items))

    if len(parts) <= 8:
        return joined(parts)
    return f"{joined(parts[:4])}…{joined(parts[-2:]).lstrip('.')}"


def too_deep(data: Any, limit: int = MAX_DEPTH,
             free_form: bool = True) -> tuple[Any, ...] | None:
    """The first path at which `data`, a config document, nests deeper than `limit`; None
    when it does not. Iterative: it walks any depth. With `free_form`, depth in
    the free-form sections counts from where they start; else from the top."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, (list, tuple)):
            children = list(enumerate(node))
        else:
            continue
        offset = _FREE_FORM.get(path[0], 0) if free_form and path else 0
        if children and len(path) - offset >= limit:
            return path
        for key, value in reversed(children):
            stack.append((value, (*path, key)))
    return None


def check_depth(data: Any, what: str = "") -> None:
    """InputLimit naming the path when `data` (a config document) nests too deeply."""
    path = too_deep(data)
    if path is not None:
        section = path[0] if path[0] in _FREE_FORM else None
        scope = f"below {section}" if section else "from the top of a config"
        prefix = f"{what}: " if what else ""
        raise InputLimit(f"{prefix}{_shown(path)}: nested more than {MAX_DEPTH} levels deep "
                         f"{scope} (nixgen's limit)")  # fmt: skip
