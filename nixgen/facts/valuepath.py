"""Helm value paths: a path is a tuple of keys; written out it is dotted, with a key that is
not a plain name in double quotes: `nodeSelector."kubernetes.io/os"`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

ValuePath = tuple[str, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_DOTTED_PART = re.compile(r'"(?:[^"\\]|\\.)*"|[^."]+')


def dotted(path: Iterable[str]) -> str:
    """`("nodeSelector", "kubernetes.io/os")` → `nodeSelector."kubernetes.io/os"`."""
    return ".".join(k if _PLAIN_KEY.match(k) else json.dumps(k) for k in path)


def split_dotted(text: str) -> ValuePath:
    """The inverse of `dotted`."""
    if '"' not in text:  # plain keys only (most paths)
        plain = text.split(".")
        if all(plain):
            return tuple(plain)
    parts: list[str] = []
    pos = 0
    while pos <= len(text):
        m = _DOTTED_PART.match(text, pos)
        if not m:
            raise ValueError(f"{text!r} is not a dotted value path")
        part = m.group()
        parts.append(json.loads(part) if part.startswith('"') else part)
        pos = m.end()
        if pos == len(text):
            break
        if text[pos] != ".":
            raise ValueError(f"{text!r} is not a dotted value path")
        pos += 1
    return tuple(parts)


def as_path(path: ValuePath | str) -> ValuePath:
    """A path given as keys or as its dotted text, as keys."""
    return split_dotted(path) if isinstance(path, str) else tuple(path)

