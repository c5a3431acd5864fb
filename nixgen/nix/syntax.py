"""The Nix expressions nixgen writes as code rather than as data, as a small syntax tree: the
rules' boolean conditions (`!(on (final.a or false) && ...)`), applications with list arguments
(`lib.mkAliasOptionModule [ "cilium" "helmValues" ] [ "cilium" "settings" ]`).

The vocabulary (`Expr` and its cases) is small on purpose: identifiers and literals, simple
strings (with simple interpolations), selections with an `or` default, lists, parentheses,
applications, binary operators and `!`. The constructors (`call`, `chain`, `invert`)
parenthesise as Nix's precedence needs; `flat` writes an expression on one line.
nixgen.nix.pretty lays an expression out as nixfmt does.
"""

from __future__ import annotations

from typing import Any, Union

from nixgen.nixatoms import NixError, attr_name, string


class Node:
    """A value object: equal to another of its class with equal fields (plain classes rather
    than dataclasses, which cost a run's start more)."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Tok(Node):
    """An identifier, a number, true/false/null, or another single token written as is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Str(Node):
    """A double-quoted string on one line; `parts` are text (str) and interpolated
    expressions, which must be simple (identifiers, selections, applications of those)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Any, ...]) -> None:
        self.parts = parts


class Sel(Node):
    """`base.a.b`, with `or default` when given."""

    __slots__ = ("base", "path", "default")

    def __init__(self, base: str, path: tuple[str, ...], default: Any = None) -> None:
        self.base = base
        self.path = path
        self.default = default


class Lst(Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items


class Par(Node):
    __slots__ = ("expr",)

    def __init__(self, expr: Any) -> None:
        self.expr = expr


class App(Node):
    """`f a` (curried: `f a b` is App(App(f, a), b))."""

    __slots__ = ("func", "arg")

    def __init__(self, func: Any, arg: Any) -> None:
        self.func = func
        self.arg = arg


class Op(Node):
    """`a op b`; `a && b && c` is Op(Op(a, b), c) or any nesting of the same operator."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Any, right: Any) -> None:
        self.op = op
        self.left = left
        self.right = right


class Inv(Node):
    """`!expr`."""

    __slots__ = ("expr",)

    def __init__(self, expr: Any) -> None:
        self.expr = expr


Expr = Union[Tok, Str, Sel, Lst, Par, App, Op, Inv]
EXPRESSIONS = (Tok, Str, Sel, Lst, Par, App, Op, Inv)
TERMS = (Tok, Str, Sel, Lst, Par)
COMPARISONS = frozenset({"<", ">", "<=", ">=", "==", "!="})
# Binding strength (Nix's operator precedence): a higher number binds tighter.
STRENGTH = {"->": 1, "||": 2, "&&": 3, "==": 4, "!=": 4, "<": 5, ">": 5, "<=": 5, ">=": 5,
            "//": 6, "!": 7, "+": 8, "-": 8, "*": 9, "/": 9, "++": 10}  # fmt: skip


def call(func: str | Expr, *args: Expr) -> Expr:
    """`func arg ...`, each argument parenthesised where it must be."""
    out: Expr = Tok(func) if isinstance(func, str) else func
    for arg in args:
        bare = isinstance(arg, TERMS) and not (isinstance(arg, Sel) and arg.default is not None)
        out = App(out, arg if bare else Par(arg))  # `f (a.b or c)`, not `f a.b or c`
    return out


# Operators nixfmt lays out as concatenations (parsing them, as it assumes, to the right).
CONCATENATIONS = frozenset({"++", "//", "+"})


def chain(op: str, operands: list[Expr]) -> Expr:
    """`a op b op c`, an operand that binds less tightly than `op` parenthesised."""
    if not operands:
        raise ValueError("an operator chain needs operands")
    wrapped = [o if _binds(o, STRENGTH[op]) else Par(o) for o in operands]
    if op in CONCATENATIONS:  # a ++ (b ++ c)
        out = wrapped[-1]
        for operand in reversed(wrapped[:-1]):
            out = Op(op, operand, out)
        return out
    out = wrapped[0]
    for operand in wrapped[1:]:
        out = Op(op, out, operand)
    return out


def invert(expr: Expr) -> Expr:
    """`!expr` (`!(expr)` where `!` would bind tighter than `expr`); `!!x` is `x`, `!(a == b)`
    is `a != b`."""
    if isinstance(expr, Par):
        expr = expr.expr
    if isinstance(expr, Inv):
        return expr.expr.expr if isinstance(expr.expr, Par) else expr.expr
    if isinstance(expr, Op) and expr.op in ("==", "!="):
        return Op("!=" if expr.op == "==" else "==", expr.left, expr.right)
    return Inv(expr if _binds(expr, STRENGTH["!"] + 1) else Par(expr))


def _binds(expr: Expr, strength: int) -> bool:
    """Whether `expr` can stand as an operand of an operator of `strength` unparenthesised."""
    if isinstance(expr, Op):
        return STRENGTH[expr.op] > strength
    if isinstance(expr, Inv):
        return STRENGTH["!"] >= strength
    return True  # terms and applications bind tightest


def flat(expr: Expr) -> str:
    """The expression on one line (as nixfmt writes it when it fits)."""
    if isinstance(expr, Tok):
        return expr.text
    if isinstance(expr, Str):
        return _string_text(expr)
    if isinstance(expr, Sel):
        text = expr.base + "".join("." + attr_name(k) for k in expr.path)
        return text if expr.default is None else f"{text} or {flat(expr.default)}"
    if isinstance(expr, Lst):
        return "[ " + " ".join(flat(i) for i in expr.items) + " ]" if expr.items else "[ ]"
    if isinstance(expr, Par):
        return f"({flat(expr.expr)})"
    if isinstance(expr, App):
        return f"{flat(expr.func)} {flat(expr.arg)}"
    if isinstance(expr, Op):
        return f"{flat(expr.left)} {expr.op} {flat(expr.right)}"
    return "!" + flat(expr.expr)


def _string_text(s: Str) -> str:
    out = []
    for part in s.parts:
        if isinstance(part, str):
            out.append(string(part)[1:-1])
        else:
            if not simple(part):
                raise NixError("", "an interpolation nixgen writes must be simple")
            out.append("${" + flat(part) + "}")
    return '"' + "".join(out) + '"'


def simple(e: Expr) -> bool:
    """nixfmt's isSimple: what may stand in an interpolation, or absorb as a simple
    application's argument."""
    if isinstance(e, (Tok, Str)):
        return not isinstance(e, Tok) or _token_simple(e.text)
    if isinstance(e, Sel):
        return e.default is None
    if isinstance(e, Par):
        return simple(e.expr)
    if isinstance(e, App):
        if isinstance(e.func, App) and isinstance(e.func.func, App):
            return False
        return simple(e.func) and simple(e.arg)
    return False


def _token_simple(t: str) -> bool:
    """Identifiers and numbers are simple; true/false/null are identifiers to nixfmt too."""
    return t[:1].isalnum() or t[:1] in "_-"

