"""`--set dotted.path=value`: Helm's notation of one free-form value, read into a path and a
value (nixgen.input.config merges them over the config's `values`)."""

from __future__ import annotations

import json
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


def parse_set(expr: str, flag: str = "--set") -> tuple[list[str], Any]:
    """`a.b\\.c=v` → (["a", "b.c"], value). `\\.`, `\\=` and `\\\\` escape inside the path;
    `flag` names the option in messages."""
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
                raise SetError(f"{flag} {expr!r}: empty key in the path (write KEY.SUB=VALUE)")
            return keys, parse_value(expr[i + 1 :])
        else:
            cur.append(c)
        i += 1
    raise SetError(f"{flag} {expr!r}: expected PATH=VALUE")
