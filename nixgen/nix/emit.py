"""The one place where Python data becomes Nix source.

Every value that reaches a generated module passes through `expr`, `binding` or `bindings`;
templates hold structure only and never put quotes around data themselves.

Values: None, bool, int, float, str, list/tuple, dict (str keys), and markers: `Raw` (a Nix
expression written verbatim, e.g. `config.clusterHost`), `If` (a value chosen by a condition,
written `c` / `!c` when its branches are true and false), `Attrs` (an attrset that must not be
written as a dotted path) and `Call` (a function application such as `lib.mkIf c { ... }`). The
emitter knows no binding of any template: conditions and expressions come in as text.

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

Layout (nixfmt 1.4.0, RFC 166, width 100), derived from tests/fixtures/nixfmt:
- an attrset or list with two or more elements is always expanded, one per line (nixfmt
  separates them by hard line breaks); `{ }`, `[ ]`, `{ a = x; }` and `[ x ]` stay on one line
  when they fit, except that a non-empty attrset on the right of `=` is always expanded;
- "fits" means the line, up to its next possible break (so with its `;`) and not counting its
  indentation, is at most 100 wide (nixfmt measures a line from its first token);
- a binding that does not fit: lists and applications open on the `=` line; an `if` moves to the
  next line, on one line if it fits there, else as `if c then` / branch / `else` / branch;
  strings, and applications whose last argument is a string, stay on the `=` line after at most
  four plain names; anything else moves to the next;
- strings and other atoms are never broken, however long;
- a function application that does not fit opens its last argument (attrset or list) on its
  own line, `f a {` ... `}`; as a list element it is parenthesised, `(f a {` ... `})`;
- an attrset with a single attribute is written as a dotted path (`hubble.relay.enabled = x;`)
  unless it is an `Attrs`. A dotted path only ever joins one chain of single keys, so no two
  bindings of one attrset can share a prefix and Nix never sees a duplicate.

Attribute order is the order of the mapping (the plan builds it deterministically); nothing here
depends on hashing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nixgen.errors import NixgenError

WIDTH = 100
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


@dataclass(frozen=True)
class Raw:
    """A Nix expression written as it is, e.g. `config.clusterHost`."""

    expr: str

    @property
    def atomic(self) -> bool:
        """Whether it can stand as a list element or an argument without parentheses."""
        return is_attr_path(self.expr)


@dataclass(frozen=True)
class If:
    """`if condition then then_ else else_`."""

    condition: str
    then_: Any
    else_: Any


def _branches(v: Any) -> tuple[str, Any, Any] | None:
    if isinstance(v, If):
        return v.condition, v.then_, v.else_
    return None


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


# ---------------------------------------------------------------- atoms


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


def _atom(v: Any, path: str) -> str | None:
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
    if isinstance(v, Raw):
        return v.expr
    return None


def _negative(text: str) -> bool:
    return text.startswith("-")


# ---------------------------------------------------------------- structure


def _mapping(v: Any) -> Mapping[str, Any] | None:
    if isinstance(v, Attrs):
        return v.items
    if isinstance(v, dict):
        return v
    return None


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _dotted(key: str, v: Any, path: str) -> tuple[str, Any, str]:
    """Join a chain of single-key attrsets into one dotted attribute path."""
    names = [attr_name(key, path)]
    path = _child(path, key)
    while isinstance(v, dict) and len(v) == 1:
        (k, v), = v.items()
        names.append(attr_name(k, path))
        path = _child(path, k)
    return ".".join(names), v, path


def _cond(v: If) -> str | None:
    """`c` / `!c` for a choice between true and false, else None."""
    if v.then_ is True and v.else_ is False:
        return v.condition
    if v.then_ is False and v.else_ is True:
        return f"!{v.condition}" if is_attr_path(v.condition) else f"!({v.condition})"
    return None


def _flat(v: Any, path: str) -> str | None:
    """`v` on one line, or None when nixfmt would never put it on one line."""
    atom = _atom(v, path)
    if atom is not None:
        return atom
    branches = _branches(v)
    if branches is not None:
        c = _cond(v)
        if c is not None:
            return c
        condition, then_, else_ = branches
        a, b = _flat(then_, path), _flat(else_, path)
        if a is None or b is None:
            return None
        return f"if {condition} then {a} else {b}"
    if isinstance(v, (list, tuple)):
        if not v:
            return "[ ]"
        if len(v) > 1:
            return None
        item = _flat_item(v[0], f"{path}[0]")
        return None if item is None else f"[ {item} ]"
    if isinstance(v, Call):
        parts = [v.func]
        for i, arg in enumerate(v.args):
            text = _flat_item(arg, f"{path}<arg {i}>")
            if text is None:
                return None
            parts.append(text)
        return " ".join(parts)
    m = _mapping(v)
    if m is not None:
        if not m:
            return "{ }"
        if len(m) > 1:  # nixfmt separates bindings by hard line breaks
            return None
        ((key, value),) = m.items()
        name, value, sub = _dotted(key, value, path)
        if _mapping(value):  # a non-empty attrset after `=` is always expanded
            return None
        text = _flat(value, sub)
        return None if text is None else f"{{ {name} = {text}; }}"
    raise NixError(path, f"cannot write a {type(v).__name__} as Nix")


def _flat_item(v: Any, path: str) -> str | None:
    """`v` as a list element: compound expressions need parentheses there."""
    text = _flat(v, path)
    if text is None:
        return None
    if _needs_parens(v, text):
        return f"({text})"
    return text


def _needs_parens(v: Any, text: str) -> bool:
    """Whether `v` must be parenthesised as a list element or a function argument."""
    return (
        isinstance(v, (If, Call)) or (isinstance(v, Raw) and not v.atomic)
        or _negative(text)
    )


def _check_item(v: Any, path: str) -> None:
    if _branches(v) is not None and _flat(v, path) is None:
        raise NixError(path, "a profile split inside a list must fit on one line; split the list")


def _item(v: Any, indent: int, trailing: int, path: str, in_list: bool) -> str:
    """`v` standing on its own line(s) at column `indent`."""
    if in_list:
        _check_item(v, path)
        text = _flat_item(v, path)
    else:
        text = _flat(v, path)
    if text is not None and (len(text) + trailing <= WIDTH or not _breakable(v)):
        return text
    if in_list and isinstance(v, Call):
        return f"({_broken(v, indent, path)})"
    return _broken(v, indent, path)


def _breakable(v: Any) -> bool:
    if isinstance(v, Call):
        return bool(v.args) and _breakable(v.args[-1])
    m = _mapping(v)
    return bool(m) or (isinstance(v, (list, tuple)) and len(v) > 0) or isinstance(v, If)


def _broken(v: Any, indent: int, path: str) -> str:
    """`v` over several lines; the first line continues the current one."""
    pad = " " * indent
    if isinstance(v, Call):
        if not _breakable(v) or isinstance(v.args[-1], If):
            raise NixError(path, f"{v.func} ...: only a last attrset or list argument can break")
        head = [v.func]
        for i, arg in enumerate(v.args[:-1]):
            text = _flat_item(arg, f"{path}<arg {i}>")
            if text is None:
                raise NixError(path, f"{v.func} ...: only its last argument may span lines")
            head.append(text)
        last = v.args[-1]
        if isinstance(last, Call):  # `f (` / the inner application / `)`, as nixfmt writes it
            inner = _item(last, indent + 2, 0, path, in_list=False)
            return " ".join(head) + " (\n" + " " * (indent + 2) + inner + "\n" + pad + ")"
        return " ".join(head) + " " + _broken(last, indent, path)
    m = _mapping(v)
    if m is not None:
        body = bindings(m, indent + 2, path)
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(v, (list, tuple)):
        lines = []
        for i, item in enumerate(v):
            text = _item(item, indent + 2, 0, f"{path}[{i}]", in_list=True)
            lines.append(" " * (indent + 2) + text)
        return "[\n" + "\n".join(lines) + "\n" + pad + "]"
    text = _flat(v, path)
    if text is None:
        raise NixError(path, "cannot lay out this value")  # pragma: no cover - If handled by callers
    return text


def _simple_lhs(name: str) -> bool:
    """nixfmt keeps a right side on the `=` line unconditionally only after at most four
    plain (unquoted) attribute names."""
    return '"' not in name and name.count(".") <= 3


def binding(name: str, v: Any, indent: int, path: str = "") -> str:
    """`name = v;` at column `indent` (`name` already written as Nix)."""
    head = " " * indent + name + " ="
    if _mapping(v):  # a non-empty attrset after `=` is always expanded
        return f"{head} {_broken(v, indent, path)};"
    text = _flat(v, path)
    if text is not None and len(name) + 3 + len(text) + 1 <= WIDTH:
        return f"{head} {text};"
    inner = indent + 2
    pad = " " * inner
    branches = _branches(v)
    if branches is not None:
        if text is not None and len(text) + 1 <= WIDTH:
            return f"{head}\n{pad}{text};"  # the whole `if` fits on the next line
        condition, then_, else_ = branches
        a = _item(then_, inner + 2, 0, path, in_list=False)
        b = _item(else_, inner + 2, 1, path, in_list=False)
        pad2 = " " * (inner + 2)
        return f"{head}\n{pad}if {condition} then\n{pad2}{a}\n{pad}else\n{pad2}{b};"
    if _breakable(v):  # lists and applications open on the `=` line
        return f"{head} {_broken(v, indent, path)};"
    assert text is not None
    ends_in_string = isinstance(v, str) or (isinstance(v, Call) and bool(v.args)
                                            and isinstance(v.args[-1], str))  # fmt: skip
    if ends_in_string and _simple_lhs(name):
        # a string, or an application to one, stays beside a short plain name, however long
        return f"{head} {text};"
    return f"{head}\n{pad}{text};"


def bindings(m: Mapping[str, Any], indent: int, path: str = "") -> str:
    """The bindings of an attrset, one per line, at column `indent` (no trailing newline)."""
    lines = []
    for key, value in m.items():
        name, value, sub = _dotted(key, value, path)
        lines.append(binding(name, value, indent, sub))
    return "\n".join(lines)


def expr(v: Any, indent: int = 0, path: str = "") -> str:
    """`v` as a Nix expression starting at column `indent` (not after an `=`)."""
    if _branches(v) is not None and _flat(v, path) is None:
        raise NixError(path, "a profile split must be written as a binding")
    return _item(v, indent, 0, path, in_list=False)


def item(v: Any, indent: int, path: str = "") -> str:
    """`v` as an element of a list whose elements stand at column `indent`."""
    return _item(v, indent, 0, path, in_list=True)


def check(v: Any, path: str = "") -> None:
    """Raise NixError, naming `path`, where `v` holds something Nix cannot: a NUL in a
    string, an integer beyond 64 bits, a float Nix would print differently, a non-string key."""
    m = _mapping(v)
    if m is not None:
        for key, value in m.items():
            attr_name(key, path)
            check(value, _child(path, key))
    elif isinstance(v, (list, tuple)):
        for i, value in enumerate(v):
            check(value, f"{path}[{i}]")
    elif _atom(v, path) is None:
        raise NixError(path, f"cannot write a {type(v).__name__} as Nix")


def document(v: Any) -> str:
    """A whole Nix file holding just `v`, as nixfmt lays it out."""
    return expr(v, 0) + "\n"
