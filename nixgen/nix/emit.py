"""The one place where Python data becomes Nix source: the layout of values (nixgen.nixatoms)
as nixfmt writes them.

Every value that reaches a generated module passes through `expr`, `binding` or `bindings`;
templates hold structure only and never put quotes around data themselves.

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

from collections.abc import Mapping
from typing import Any

from nixgen.nix.syntax import EXPRESSIONS
from nixgen.nixatoms import (
    Call,
    If,
    NixError,
    Prose,
    Raw,
    indented_block,
    string,
    atom,
    attr_name,
    child_path,
    is_attr_path,
    mapping,
)

WIDTH = 100
# Prose this short stays a string even where its line is long (a deeply nested description).
PROSE_MIN = 40


def wrap(text: str, width: int) -> list[str]:
    """`text`'s words in lines of at most `width` columns (a longer word alone on its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _branches(v: Any) -> tuple[str, Any, Any] | None:
    if isinstance(v, If):
        return v.condition, v.then_, v.else_
    return None


def _negative(text: str) -> bool:
    return text.startswith("-")


# ---------------------------------------------------------------- structure


def _dotted(key: str, v: Any, path: str) -> tuple[str, Any, str]:
    """Join a chain of single-key attrsets into one dotted attribute path."""
    names = [attr_name(key, path)]
    path = child_path(path, key)
    while isinstance(v, dict) and len(v) == 1:
        (k, v), = v.items()
        names.append(attr_name(k, path))
        path = child_path(path, k)
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
    text = atom(v, path)
    if text is not None:
        return text
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
    m = mapping(v)
    if m is not None:
        if not m:
            return "{ }"
        if len(m) > 1:  # nixfmt separates bindings by hard line breaks
            return None
        ((key, value),) = m.items()
        name, value, sub = _dotted(key, value, path)
        if mapping(value):  # a non-empty attrset after `=` is always expanded
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
    if isinstance(v, If) and is_attr_path(text):  # `c` for `if c then true else false`
        return False
    return (
        isinstance(v, (If, Call)) or (isinstance(v, Raw) and not v.atomic)
        or _negative(text)
    )


def _check_item(v: Any, path: str) -> None:
    if _branches(v) is not None and _flat(v, path) is None:
        raise NixError(path, "a profile split inside a list must fit on one line; split the list")


def _item(v: Any, indent: int, trailing: int, path: str, in_list: bool) -> str:
    """`v` standing on its own line(s) at column `indent`."""
    if isinstance(v, EXPRESSIONS):
        from nixgen.nix import pretty  # nixfmt's layout of code: loaded where code is written

        return pretty.expression(v, indent)[indent:]
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
    m = mapping(v)
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
    m = mapping(v)
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
    if isinstance(v, EXPRESSIONS):
        from nixgen.nix import pretty  # nixfmt's layout of code: loaded where code is written

        return pretty.binding(name, v, indent)
    head = " " * indent + name + " ="
    if isinstance(v, Prose):
        text = string(v.text, path)
        if len(head) + 1 + len(text) + 1 <= WIDTH or len(v.text) <= PROSE_MIN:
            return f"{head} {text};"
        return f"{head} {indented_block(wrap(v.text, WIDTH - indent - 2), indent)};"
    if mapping(v):  # a non-empty attrset after `=` is always expanded
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



def document(v: Any) -> str:
    """A whole Nix file holding just `v`, as nixfmt lays it out."""
    return expr(v, 0) + "\n"
