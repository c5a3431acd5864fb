"""`--set dotted.path=value`: Helm's notation of one free-form value, read into a path and a
value (nixgen.input.config merges them over the config's `values`)."""

from __future__ import annotations

from typing import Any

from nixgen.errors import NixgenError
from nixgen.input.limits import MAX_DEPTH, InputLimit, loads_json, too_deep


class SetError(NixgenError):
    """A --set that is not PATH=VALUE."""


def parse_value(text: str) -> Any:
    """JSON when it parses (`true`, `3`, `[1]`, `{"a":1}`, `"x"`), else the text itself.
    NaN and Infinity are not JSON: they stay strings. JSON nixgen refuses (a key given twice,
    nesting beyond its limit) is an InputLimit."""
    try:
        return loads_json(text)
    except InputLimit:
        raise
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
                raise SetError(f"{flag} {_short(expr)}: empty key in the path (write KEY.SUB=VALUE)")
            if len(keys) > MAX_DEPTH:
                raise SetError(f"{flag} {_short(expr)}: a path of {len(keys)} keys (nixgen's limit "
                               f"is {MAX_DEPTH})")  # fmt: skip
            try:
                value = parse_value(expr[i + 1 :])
            except InputLimit as err:
                raise SetError(f"{flag} {_short(expr)}: the value: {err}") from None
            if too_deep(value, MAX_DEPTH - len(keys), free_form=False) is not None:
                raise SetError(f"{flag} {_short(expr)}: the path and the value nest more than "
                               f"{MAX_DEPTH} levels deep (nixgen's limit)")  # fmt: skip
            return keys, value
        else:
            cur.append(c)
        i += 1
    raise SetError(f"{flag} {_short(expr)}: expected PATH=VALUE")


def _short(expr: str) -> str:
    """The --set argument for a message, cut when long."""
    return repr(expr) if len(expr) <= 80 else repr(expr[:60]) + f"… ({len(expr)} characters)"
