"""Writing TOML that `tomllib` reads back as exactly the data given (`nixgen import` writes
configs with it): keys bare only when TOML allows (`A-Za-z0-9_-`), strings in double quotes
with every character TOML forbids there escaped, floats as Python's shortest exact text
(`inf`, `nan` as TOML spells them), tables as `[a.b]` headers down to `header_depth` and as
dotted keys below, lists and the tables in them inline. TOML has no null: a None is an error
naming where it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from nixgen.errors import NixgenError

_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}  # fmt: skip


class TomlError(NixgenError):
    """A value TOML cannot hold; the message names where it is."""


def key(name: str) -> str:
    """A key, bare when TOML allows it, else quoted."""
    return name if _BARE.match(name) else string(name)


def dotted(path: tuple[str, ...] | list[str]) -> str:
    return ".".join(key(k) for k in path)


def string(text: str) -> str:
    """A basic string TOML reads back as `text`."""
    out = ['"']
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        elif 0xD800 <= ord(c) <= 0xDFFF:
            raise TomlError("a lone surrogate is not valid Unicode text")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def value(data: Any, where: str = "") -> str:
    """An inline value: a scalar, an array, or an inline table."""
    if data is None:
        raise TomlError(f"{where or 'the value'}: TOML has no null")
    if data is True:
        return "true"
    if data is False:
        return "false"
    if isinstance(data, int):
        return str(data)
    if isinstance(data, float):
        if math.isnan(data):
            return "nan"
        if math.isinf(data):
            return "inf" if data > 0 else "-inf"
        text = repr(data)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(data, str):
        return string(data)
    if isinstance(data, (list, tuple)):
        return "[" + ", ".join(value(v, f"{where}[{i}]") for i, v in enumerate(data)) + "]"
    if isinstance(data, Mapping):
        if not data:
            return "{}"
        items = (f"{key(k)} = {value(v, _child(where, k))}" for k, v in data.items())
        return "{ " + ", ".join(items) + " }"
    raise TomlError(f"{where or 'the value'}: TOML cannot hold a {type(data).__name__}")


def _child(where: str, name: str) -> str:
    return f"{where}.{key(name)}" if where else key(name)


def assignments(table: Mapping[str, Any], at: tuple[str, ...] = ()) -> list[str]:
    """`a.b = v` lines for every leaf of `table` (an empty table, a list or a scalar), keys
    dotted below the table."""
    out = []
    for name, data in table.items():
        path = (*at, name)
        if isinstance(data, Mapping) and data:
            out += assignments(data, path)
        else:
            out.append(f"{dotted(path)} = {value(data, dotted(path))}")
    return out


def dumps(data: Mapping[str, Any], header_depth: int = 2) -> str:
    """`data` as a TOML document: a table down to `header_depth` levels gets a header."""
    return "\n".join(section(data, (), header_depth)).rstrip("\n") + "\n"


def section(data: Mapping[str, Any], at: tuple[str, ...], header_depth: int) -> list[str]:
    """The lines of the table at `at` (its header first, unless it is the root): its leaves,
    then its tables; those `header_depth` levels deep or deeper as dotted keys."""
    lines: list[str] = []
    tables = []
    for name, child in data.items():
        if isinstance(child, Mapping) and child:
            if len(at) + 1 <= header_depth:
                tables.append(name)
                continue
            lines += assignments(child, (name,))
        else:
            lines.append(f"{key(name)} = {value(child, dotted((*at, name)))}")
    if at and (lines or not tables):
        lines.insert(0, f"[{dotted(at)}]")
    for name in tables:
        if lines:
            lines.append("")
        lines += section(data[name], (*at, name), header_depth)
    return lines
