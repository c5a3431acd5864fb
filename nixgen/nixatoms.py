"""Nix values as Python data, the vocabulary every stage shares: markers for what is not plain
data, literals written exactly, and the check that a value can be written at all. nixgen.nix.emit
lays values out as nixfmt does.

Values: None, bool, int, float, str, list/tuple, dict (str keys), and markers: `Raw` (a Nix
expression written verbatim, e.g. `config.clusterHost`), `If` (a value chosen by a condition,
written `c` / `!c` when its branches are true and false), `Attrs` (an attrset that must not be
written as a dotted path) and `Call` (a function application such as `lib.mkIf c { ... }`).
Nothing here knows a binding of any template: conditions and expressions come in as text.

Escaping (Nix's lexer, checked against nix-instantiate):
- strings are written in double quotes; `\\`, `"` are backslash-escaped, newline, carriage
  return and tab become `\\n`, `\\r`, `\\t`; other characters (any Unicode, other control
  characters) are written as they are. NUL cannot live in a Nix string: an error.
- `${` is written `\\${`. Nix reads `$$` as a literal pair, so a run of dollars is copied pairwise
  and `$${x}` stays `$${x}` (Nix reads that back as `$${x}`).
- attribute names are bare when they are identifiers and not keywords, quoted otherwise.
- ints must fit Nix's signed 64 bits; the smallest one has no literal and is written
  `(-9223372036854775807 - 1)`.
- floats: Nix parses floats exactly, but prints them (`builtins.toJSON`, hence what Helm gets)
  with 6 significant digits. A float that this would change is rejected (quote it as a string
  instead), as are NaN, infinities and subnormals (Nix's parser refuses the latter).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nixgen.errors import NixgenError

KEYWORDS = frozenset({"if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*\Z")
_SELECT = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*\Z")
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


class NixError(NixgenError):
    """A value that cannot be written as Nix; `path` says where it sits."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


def is_attr_path(text: str) -> bool:
    """Whether `text` is a Nix attribute path such as `config.clusterHost` (no keywords)."""
    return bool(_SELECT.match(text)) and not KEYWORDS.intersection(text.split("."))


# The names a user's Nix expression may start from: the module system's arguments, which a
# generated module never binds itself, so an expression cannot reach the module's own bindings.
USER_ROOTS = ("config", "lib", "options", "pkgs")


def user_expression_problem(text: Any) -> str | None:
    """Why `text` is not a Nix expression a user may give (an attribute path starting from one
    of USER_ROOTS, such as `config.clusterHost`); None when it is one."""
    if not isinstance(text, str) or not is_attr_path(text):
        return f"{text!r} is not a Nix attribute path such as config.clusterHost"
    root = text.split(".", 1)[0]
    if root not in USER_ROOTS:
        return (f"{text!r} starts from {root!r}: a Nix expression starts from one of "
                f"{', '.join(USER_ROOTS)} (such as config.clusterHost)")
    return None


@dataclass(frozen=True)
class Raw:
    """A Nix expression written as it is, e.g. `config.clusterHost`."""

    expr: str

    @property
    def atomic(self) -> bool:
        """Whether it can stand as a list element or an argument without parentheses."""
        return is_attr_path(self.expr)


@dataclass(frozen=True)
class InNix(Raw):
    """A value the user gives in Nix: nixgen has no default for it (such as production's
    k8sServiceHost without hetzkube's clusterHost). The module writes `null` (its option's
    default) and nixgen's checks treat it as they treat any expression, as not known; `expr`
    names the option (`cfg.settings.k8sServiceHost`) for what prints values."""


@dataclass(frozen=True)
class If:
    """`if condition then then_ else else_`."""

    condition: str
    then_: Any
    else_: Any


@dataclass(frozen=True)
class Prose:
    """Text for people (an option's description): a string on the line of its binding where
    it fits, else an indented string wrapped to the line width."""

    text: str


@dataclass(frozen=True)
class Attrs:
    """An attrset that is written as `{ ... }` even when it has a single attribute."""

    items: Mapping[str, Any]


@dataclass(frozen=True)
class Call:
    """A function application `func arg ...`, e.g. `lib.mkIf (!cfg.isLocal) { ... }`. When it
    does not fit on one line, its last argument (an attrset or a list) opens on the same line
    and is expanded, as nixfmt prints `builtins.toJSON { ... }` and `lib.mkIf c { ... }`."""

    func: str
    args: tuple[Any, ...]


# ---------------------------------------------------------------- literals


_PLAIN = re.compile(r'[^"\\$\n\r\t\x00\ud800-\udfff]*\Z')


def string(s: str, path: str = "") -> str:
    """A Nix string literal that Nix reads back as exactly `s`."""
    if _PLAIN.match(s):
        return f'"{s}"'  # nothing to escape (most strings)
    if "\0" in s:
        raise NixError(path, "a Nix string cannot hold a NUL character")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        raise NixError(path, "a lone surrogate is not valid Unicode text")
    out = ['"']
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "$":
            nxt = s[i + 1] if i + 1 < n else ""
            if nxt == "$":
                out.append("$$")  # Nix reads `$$` as two literal dollars
                i += 2
                continue
            out.append("\\$" if nxt == "{" else "$")
        else:
            out.append(_ESCAPES.get(c, c))
        i += 1
    out.append('"')
    return "".join(out)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def indented_block(lines: list[str], indent: int) -> str:
    """A Nix indented string over several lines, opening where the current line ends and
    closing at column `indent`, its lines at `indent` + 2 (which Nix strips): for a long text
    such as a JSON document, one item a line. Nix reads back the lines, each ending in a
    newline."""
    quotes = "''"
    pad = " " * (indent + 2)
    body = []
    for line in lines:
        if any(c in line for c in "\n\r\0"):
            raise NixError("", "a line of an indented string must be one line")
        body.append(pad + line.replace(quotes, "'" + quotes).replace("${", quotes + "${"))
    return quotes + "\n" + "\n".join(body) + "\n" + " " * indent + quotes


def attr_name(name: str, path: str = "") -> str:
    if not isinstance(name, str):
        raise NixError(path, f"attribute name {name!r} is not a string")
    if _IDENT.match(name) and name not in KEYWORDS:
        return name
    return string(name, path)


def _int(v: int, path: str) -> str:
    if not INT_MIN <= v <= INT_MAX:
        raise NixError(path, f"integer {v} does not fit in Nix's 64-bit integers")
    if v == INT_MIN:
        return f"({INT_MIN + 1} - 1)"
    return str(v)


def _float(v: float, path: str) -> str:
    if not math.isfinite(v):
        raise NixError(path, f"{v} is not a finite number; Nix has no literal for it")
    if v != 0 and abs(v) < 2.2250738585072014e-308:
        raise NixError(path, f"{v!r} is a subnormal float, which Nix's parser rejects")
    if float(f"{v:.6g}") != v:
        raise NixError(
            path,
            f"float {v!r} has more than 6 significant digits, and Nix prints floats with 6; "
            "write it as a string",
        )
    text = repr(v)
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"  # Nix needs a dot in every float literal
    return mantissa + e + exponent


def atom(v: Any, path: str) -> str | None:
    """The text of a scalar, or None when `v` is not a scalar."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return _int(v, path)
    if isinstance(v, float):
        return _float(v, path)
    if isinstance(v, str):
        return string(v, path)
    if isinstance(v, InNix):
        return "null"
    if isinstance(v, Raw):
        return v.expr
    return None


def mapping(v: Any) -> Mapping[str, Any] | None:
    """The attributes of an attrset value (a dict or an `Attrs`), else None."""
    if isinstance(v, Attrs):
        return v.items
    if isinstance(v, dict):
        return v
    return None


def child_path(path: str, key: str) -> str:
    """Where a key sits below `path`, for messages (`a.b`)."""
    return f"{path}.{key}" if path else key


def check(v: Any, path: str = "") -> None:
    """Raise NixError, naming `path`, where `v` holds something Nix cannot: a NUL in a
    string, an integer beyond 64 bits, a float Nix would print differently, a non-string key."""
    m = mapping(v)
    if m is not None:
        for key, value in m.items():
            attr_name(key, path)
            check(value, child_path(path, key))
    elif isinstance(v, (list, tuple)):
        for i, value in enumerate(v):
            check(value, f"{path}[{i}]")
    elif atom(v, path) is None:
        raise NixError(path, f"cannot write a {type(v).__name__} as Nix")

