"""nixfmt's own layout algorithm, for the Nix expressions nixgen writes as code rather than as
data: the rules' boolean conditions (`!(on (final.a or false) && ...)`), applications with list
arguments (`lib.mkAliasOptionModule [ "cilium" "helmValues" ] [ "cilium" "settings" ]`).

A faithful port of the parts of nixfmt 1.4.0 (src/Nixfmt/Predoc.hs: `fixup`, `layoutGreedy`,
priority groups; src/Nixfmt/Pretty.hs: assignments, applications, operators, parentheses,
selections, lists, simple strings) that these expressions use, so that what nixgen prints is
what nixfmt prints: every golden is a nixfmt fixed point. Data (attrsets, lists of values,
option declarations) keeps going through nixgen.nix.emit.

The expression vocabulary (`Expr` and its cases) is small on purpose: identifiers and literals,
simple strings (with simple interpolations), selections with an `or` default, lists,
parentheses, applications, binary operators and `!`.
"""

from __future__ import annotations

from typing import Any, Union

from nixgen.nixatoms import NixError, attr_name, string

WIDTH = 100
INDENT = 2

# ------------------------------------------------------------------ expressions


class _Node:
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


class Tok(_Node):
    """An identifier, a number, true/false/null, or another single token written as is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class Str(_Node):
    """A double-quoted string on one line; `parts` are text (str) and interpolated
    expressions, which must be simple (identifiers, selections, applications of those)."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Any, ...]) -> None:
        self.parts = parts


class Sel(_Node):
    """`base.a.b`, with `or default` when given."""

    __slots__ = ("base", "path", "default")

    def __init__(self, base: str, path: tuple[str, ...], default: Any = None) -> None:
        self.base = base
        self.path = path
        self.default = default


class Lst(_Node):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items


class Par(_Node):
    __slots__ = ("expr",)

    def __init__(self, expr: Any) -> None:
        self.expr = expr


class App(_Node):
    """`f a` (curried: `f a b` is App(App(f, a), b))."""

    __slots__ = ("func", "arg")

    def __init__(self, func: Any, arg: Any) -> None:
        self.func = func
        self.arg = arg


class Op(_Node):
    """`a op b`; `a && b && c` is Op(Op(a, b), c) or any nesting of the same operator."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Any, right: Any) -> None:
        self.op = op
        self.left = left
        self.right = right


class Inv(_Node):
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
            if not _simple(part):
                raise NixError("", "an interpolation nixgen writes must be simple")
            out.append("${" + flat(part) + "}")
    return '"' + "".join(out) + '"'


# ------------------------------------------------------------------ Predoc (nixfmt's documents)

SOFTBREAK, BREAK, HARDSPACE, SOFTSPACE, SPACE, HARDLINE, EMPTYLINE = range(7)
REGULAR, PRIORITY, TRANSPARENT = "regular", "priority", "transparent"


class Text(_Node):
    __slots__ = ("level", "text")  # level: the nesting depth

    def __init__(self, level: int, text: str) -> None:
        self.level = level
        self.text = text


class Spacing(_Node):
    __slots__ = ("kind",)

    def __init__(self, kind: int) -> None:
        self.kind = kind


class Group(_Node):
    __slots__ = ("ann", "doc")

    def __init__(self, ann: str, doc: tuple[Any, ...]) -> None:
        self.ann = ann
        self.doc = doc


DocE = Union[Text, Spacing, Group]
Doc = list[DocE]


def text(t: str) -> Doc:
    return [Text(0, t)] if t else []


def group(doc: Doc, ann: str = REGULAR) -> Doc:
    return [Group(ann, tuple(doc))]


def nest(doc: Doc) -> Doc:
    def go(e: DocE) -> DocE:
        if isinstance(e, Text):
            return Text(e.level + 1, e.text)
        if isinstance(e, Group):
            return Group(e.ann, tuple(go(x) for x in e.doc))
        return e

    return [go(e) for e in doc]


LINE = [Spacing(SPACE)]
LINE_ = [Spacing(BREAK)]
SOFTLINE = [Spacing(SOFTSPACE)]
SOFTLINE_ = [Spacing(SOFTBREAK)]
HARD_SPACE = [Spacing(HARDSPACE)]
HARD_LINE = [Spacing(HARDLINE)]


def _soft(e: DocE) -> bool:
    return isinstance(e, Spacing) and e.kind in (SOFTBREAK, BREAK, SOFTSPACE, SPACE)


def _hard(e: DocE) -> bool:
    return isinstance(e, Spacing) and e.kind in (HARDSPACE, HARDLINE, EMPTYLINE)


def _merge(a: int, b: int) -> int:
    if a > b:
        a, b = b, a
    if (a, b) in ((BREAK, SOFTSPACE), (BREAK, HARDSPACE)):
        return SPACE
    if (a, b) == (SOFTBREAK, HARDSPACE):
        return SOFTSPACE
    return b


def unexpand(doc: Doc) -> Doc:
    """unexpandSpacing: a group's own soft spacing as its compact form (not recursing)."""
    out: Doc = []
    for e in doc:
        if isinstance(e, Spacing) and e.kind in (SPACE, SOFTSPACE):
            out.append(Spacing(HARDSPACE))
        elif isinstance(e, Spacing) and e.kind in (BREAK, SOFTBREAK):
            continue
        else:
            out.append(e)
    return out


def unexpand_all(doc: Doc, limit: int | None = None) -> Doc | None:
    """unexpandSpacing': the compact form, recursing into groups; None when the document holds
    a hard line break or is longer than `limit`."""
    out: Doc = []
    todo = list(doc)
    n = limit
    while todo:
        if n is not None and n < 0:
            return None
        e = todo.pop(0)
        if isinstance(e, Text):
            out.append(e)
            n = None if n is None else n - len(e.text)
        elif isinstance(e, Group):
            todo[0:0] = list(e.doc)
        elif e.kind in (HARDSPACE, SPACE, SOFTSPACE):
            out.append(Spacing(HARDSPACE))
            n = None if n is None else n - 1
        elif e.kind in (BREAK, SOFTBREAK):
            continue
        else:
            return None
    if n is not None and n < 0:
        return None
    return out


def _simplify(ann: str, body: Doc) -> Doc:
    if len(body) == 1 and isinstance(body[0], Group) and body[0].ann == ann:
        return list(body[0].doc)
    return body


def fixup(doc: Doc) -> Doc:
    out: Doc = []
    xs = list(doc)
    while xs:
        x = xs[0]
        if isinstance(x, Spacing) and len(xs) > 1 and isinstance(xs[1], Spacing):
            xs = [Spacing(_merge(x.kind, xs[1].kind)), *xs[2:]]
            continue
        if isinstance(x, Text) and len(xs) > 1 and isinstance(xs[1], Text):
            xs = [Text(x.level, x.text + xs[1].text), *xs[2:]]
            continue
        if (isinstance(x, Spacing) and x.kind == HARDSPACE and len(xs) > 1
                and isinstance(xs[1], Group)):  # fmt: skip
            xs = [Group(xs[1].ann, (x, *xs[1].doc)), *xs[2:]]
            continue
        if isinstance(x, Spacing) and len(xs) > 1 and isinstance(xs[1], Group):
            g = xs[1]
            pre, body, post = _split_group(g)
            if not body:
                xs = [x, *pre, *post, *xs[2:]]
                continue
            out.extend(fixup([x, *pre]))
            out.append(Group(g.ann, tuple(body)))
            xs = [*post, *xs[2:]]
            continue
        if isinstance(x, Group):
            pre, body, post = _split_group(x)
            if not body:
                xs = [*pre, *post, *xs[1:]]
                continue
            out.extend(fixup(pre))
            out.append(Group(x.ann, tuple(body)))
            xs = [*post, *xs[1:]]
            continue
        out.append(x)
        xs = xs[1:]
    return out


def _split_group(g: Group) -> tuple[Doc, Doc, Doc]:
    inner = fixup(list(g.doc))
    i = 0
    while i < len(inner) and _hard(inner[i]):
        i += 1
    pre, rest = inner[:i], inner[i:]
    j = len(rest)
    while j > 0 and _hard(rest[j - 1]):
        j -= 1
    body, post = rest[:j], rest[j:]
    return pre, _simplify(g.ann, body), post


def _priority_groups(doc: Doc) -> list[tuple[Doc, Doc, Doc]]:
    segments: list[tuple[bool, Doc]] = []

    def collect(items: Doc) -> None:
        for e in items:
            if isinstance(e, Group) and e.ann == PRIORITY:
                segments.append((True, list(e.doc)))
            elif isinstance(e, Group) and e.ann == TRANSPARENT:
                collect(list(e.doc))
            else:
                segments.append((False, [e]))

    collect(doc)
    merged: list[tuple[bool, Doc]] = []
    for prio, content in segments:
        if merged and not prio and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + content)
        else:
            merged.append((prio, content))

    def explode(items: list[tuple[bool, Doc]]) -> list[tuple[Doc, Doc, Doc]]:
        if not items:
            return []
        (prio, x), rest = items[0], items[1:]
        if not rest:
            return [([], x, [])] if prio else []
        later = [(x + a, b, c) for a, b, c in explode(rest)]
        if prio:
            return [([], x, [e for _, d in rest for e in d]), *later]
        return later

    return explode(merged)


def _fits(c: int, doc: Doc) -> str | None:
    out = []
    todo = list(doc)
    while True:
        if c < 0:
            return None
        if not todo:
            return "".join(out)
        e = todo.pop(0)
        if isinstance(e, Spacing) and todo and isinstance(todo[0], Spacing):
            todo[0] = Spacing(_merge(e.kind, todo[0].kind))
            continue
        if isinstance(e, Text):
            out.append(e.text)
            c -= len(e.text)
        elif isinstance(e, Group):
            todo[0:0] = list(e.doc)
        elif e.kind in (SOFTBREAK, BREAK):
            continue
        elif e.kind in (SOFTSPACE, SPACE, HARDSPACE):
            out.append(" ")
            c -= 1
        else:
            return None


def _first_line_width(doc: Doc) -> int:
    n = 0
    todo = list(doc)
    while todo:
        e = todo.pop(0)
        if isinstance(e, Spacing) and todo and isinstance(todo[0], Spacing):
            todo[0] = Spacing(_merge(e.kind, todo[0].kind))
            continue
        if isinstance(e, Text):
            n += len(e.text)
        elif isinstance(e, Group):
            todo[0:0] = list(e.doc)
        elif e.kind == HARDSPACE:
            n += 1
        else:
            return n
    return n


def _first_line_fits(target: int, max_width: int, doc: Doc) -> bool:
    c = max_width
    todo = list(doc)
    while True:
        if c < 0:
            return False
        if not todo:
            return max_width - c <= target
        e = todo.pop(0)
        if isinstance(e, Text):
            c -= len(e.text)
        elif isinstance(e, Spacing) and todo and isinstance(todo[0], Spacing):
            todo[0] = Spacing(_merge(e.kind, todo[0].kind))
        elif isinstance(e, Spacing):
            if e.kind != HARDSPACE:
                return max_width - c <= target
            c -= 1
        else:
            t = _fits(c - _first_line_width(todo), list(e.doc))
            if t is None:
                todo[0:0] = list(e.doc)
            else:
                c -= len(t)


def _next_indent(doc: Doc) -> int:
    for e in doc:
        if isinstance(e, Text):
            return e.level
        if isinstance(e, Group):
            return _next_indent(list(e.doc))
    return 0


# The layout state: the column within the line (not counting indentation) and the stack of
# (indentation, nesting level), innermost first.
State = tuple[int, tuple[tuple[int, int], ...]]


def _put_text(level: int, t: str, state: State) -> tuple[list[str], State]:
    cc, indents = state
    while True:
        ci, nl = indents[0]
        if level > nl:
            indents = ((ci + INDENT if cc == 0 else ci, level), *indents)
            break
        if level < nl:
            indents = indents[1:]
            continue
        break
    ci = indents[0][0]
    out = [" " * ci, t] if cc == 0 else [t]
    return out, (cc + len(t), indents)


def _go(doc: Doc, rest: Doc, state: State) -> tuple[list[str], State]:
    out: list[str] = []
    for i, e in enumerate(doc):
        texts, state = _go_one(e, doc[i + 1:] + rest, state)
        out.extend(texts)
    return out, state


def _go_one(e: DocE, rest: Doc, state: State) -> tuple[list[str], State]:
    cc, indents = state
    if isinstance(e, Text):
        return _put_text(e.level, e.text, state)
    if isinstance(e, Spacing):
        if cc == 0:
            return [], state
        if e.kind in (BREAK, SPACE, HARDLINE):
            return ["\n"], (0, indents)
        if e.kind == EMPTYLINE:
            return ["\n\n"], (0, indents)
        if e.kind == HARDSPACE:
            return [" "], (cc + 1, indents)
        if e.kind == SOFTBREAK:
            return ([], state) if _first_line_fits(WIDTH - cc, WIDTH, rest) else (["\n"], (0, indents))
        if _first_line_fits(WIDTH - cc - 1, WIDTH, rest):
            return [" "], (cc + 1, indents)
        return ["\n"], (0, indents)
    body = list(e.doc)
    done = _go_group(body, rest, state)
    if done is not None:
        return done
    if e.ann != TRANSPARENT:
        for pre, prio, post in reversed(_priority_groups(body)):
            done = _go_priority(pre, prio, post, rest, state)
            if done is not None:
                return done
    return _go(body, rest, state)


def _go_priority(pre: Doc, prio: Doc, post: Doc, rest: Doc,
                 state: State) -> tuple[list[str], State] | None:  # fmt: skip
    first = _go_group(pre, prio + post + rest, state)
    if first is None:
        return None
    a, state = first
    b, state = _go(prio, unexpand(post) + rest, state)
    last = _go_group(post, rest, state)
    if last is None:
        return None
    c, state = last
    return a + b + c, state


def _go_group(grp: Doc, rest: Doc, state: State) -> tuple[list[str], State] | None:
    if not grp:
        return [], state
    cc, indents = state
    if cc == 0:
        if isinstance(grp[0], Spacing):
            grp = grp[1:]
        elif isinstance(grp[0], Group) and grp[0].doc and isinstance(grp[0].doc[0], Spacing):
            grp = [Group(grp[0].ann, grp[0].doc[1:]), *grp[1:]]
        t = _fits(WIDTH - _first_line_width(rest), grp)
        if t is None:
            return None
        return _put_text(_next_indent(grp), t, state)
    t = _fits(WIDTH - cc - _first_line_width(rest), grp)
    if t is None:
        return None
    return [t], (cc + len(t), indents)


def layout(doc: Doc) -> str:
    """The document as nixfmt lays it out, starting on a fresh line at column 0."""
    texts, _ = _go([Group(REGULAR, tuple(fixup(doc)))], [], (0, ((0, 0),)))
    return "".join(texts).strip("\n")


# ------------------------------------------------------------------ Pretty (nixfmt's rules)


def _simple(e: Expr) -> bool:
    if isinstance(e, (Tok, Str)):
        return not isinstance(e, Tok) or _token_simple(e.text)
    if isinstance(e, Sel):
        return e.default is None
    if isinstance(e, Par):
        return _simple(e.expr)
    if isinstance(e, App):
        if isinstance(e.func, App) and isinstance(e.func.func, App):
            return False
        return _simple(e.func) and _simple(e.arg)
    return False


def _token_simple(t: str) -> bool:
    """Identifiers and numbers are simple; true/false/null are identifiers to nixfmt too."""
    return t[:1].isalnum() or t[:1] in "_-"


def _absorbable(e: Expr) -> bool:
    if isinstance(e, Lst):
        return bool(e.items)
    if isinstance(e, Par):
        return isinstance(e.expr, TERMS) and _absorbable(e.expr)
    return False


def _term(e: Expr) -> Doc:
    """prettyTerm (without the group a list gets from `pretty`)."""
    if isinstance(e, Tok):
        return text(e.text)
    if isinstance(e, Str):
        return _string(e)
    if isinstance(e, Sel):
        doc = text(e.base + "".join("." + attr_name(k) for k in e.path))
        if e.default is not None:
            doc += SOFTLINE + nest(text("or") + HARD_SPACE + pretty(e.default))
        return doc
    if isinstance(e, Lst):
        return _list(e, HARD_LINE)
    assert isinstance(e, Par)
    inner = e.expr
    if isinstance(inner, TERMS) and _absorbable(inner):
        body = group(_term(inner))
    elif isinstance(inner, App):
        body = _app(True, [], True, inner.func, inner.arg)
    elif isinstance(inner, Sel):
        body = group(pretty(inner)) + LINE_
    else:
        body = LINE_ + group(pretty(inner)) + LINE_
    return group(text("(") + nest(body) + text(")"))


def _list(e: Lst, sep: Doc) -> Doc:
    if not e.items:
        return text("[") + HARD_SPACE + text("]")
    items: Doc = []
    for i, item in enumerate(e.items):
        if i:
            items += sep
        items += group(pretty(item))
    return text("[") + LINE + nest(items) + LINE + text("]")


def _string(s: Str) -> Doc:
    doc = text('"')
    for part in s.parts:
        if isinstance(part, str):
            doc += text(string(part)[1:-1])
        else:
            inner = unexpand_all(pretty(part))
            doc += text("${") + (inner if inner is not None else pretty(part)) + text("}")
    return group(doc + text('"'))


def pretty(e: Expr) -> Doc:
    if isinstance(e, Lst):
        return group(_term(e))
    if isinstance(e, TERMS):
        return _term(e)
    if isinstance(e, App):
        return _app(False, [], False, e.func, e.arg)
    if isinstance(e, Op):
        if e.op in COMPARISONS:
            return pretty(e.left) + SOFTLINE + text(e.op) + HARD_SPACE + pretty(e.right)
        return _operation(e)
    return text("!") + pretty(e.expr)


def _operation(e: Op, first_wide: bool = False) -> Doc:
    def flatten(x: Expr, op: str | None) -> list[tuple[str | None, Expr]]:
        if isinstance(x, Op) and x.op == e.op:
            return flatten(x.left, op) + flatten(x.right, x.op)
        return [(op, x)]

    def absorb(x: Expr) -> Doc:
        if isinstance(x, TERMS) and _absorbable(x):
            return HARD_SPACE + pretty(x)
        if isinstance(x, Op):
            return group(LINE + pretty(x))
        if isinstance(x, App):
            return group(HARD_SPACE + _app(False, LINE, False, x.func, x.arg))
        return HARD_SPACE + pretty(x)

    doc: Doc = []
    for op, x in flatten(e, None):
        if op is None and first_wide and isinstance(x, TERMS) and _absorbable(x):
            doc += _term(x)
        elif op is None:
            doc += pretty(x)
        else:
            doc += LINE + text(op) + nest(absorb(x))
    return group(doc)


def _app(indent_function: bool, pre: Doc, has_post: bool, f: Expr, a: Expr) -> Doc:
    def absorb_app(x: Expr) -> Doc:
        if isinstance(x, App):
            if isinstance(x.arg, Sel):
                return (group(absorb_app(x.func), TRANSPARENT) + LINE
                        + nest(group(absorb_inner(x.arg))))  # fmt: skip
            if (isinstance(x.func, App) and isinstance(x.func.arg, Lst)
                    and isinstance(x.arg, Lst)):  # fmt: skip
                return group(group(absorb_app(x.func.func), TRANSPARENT)
                             + nest(group(LINE + group(absorb_inner(x.func.arg)) + LINE
                                          + group(absorb_inner(x.arg)))), TRANSPARENT)  # fmt: skip
            return (group(absorb_app(x.func), TRANSPARENT) + LINE
                    + nest(group(absorb_inner(x.arg), PRIORITY)))  # fmt: skip
        if indent_function:
            return nest(group(LINE_ + pretty(x)))
        return pretty(x)

    def absorb_inner(x: Expr) -> Doc:
        if (isinstance(x, Lst) and len(x.items) <= 6
                and all(isinstance(i, TERMS) and _simple(i) for i in x.items)):  # fmt: skip
            return _list(x, LINE)
        return pretty(x)

    def absorb_last(x: Expr) -> Doc:
        if isinstance(x, TERMS) and _absorbable(x):
            return group(nest(_term(x)), PRIORITY)
        if isinstance(x, Par):
            return _absorb_paren(x.expr)
        return group(nest(pretty(x)))

    post = LINE_ if has_post else []
    if isinstance(f, App) and isinstance(f.arg, Lst) and isinstance(a, Lst):
        return group(pre + group(absorb_app(f.func), TRANSPARENT) + LINE
                     + nest(group(absorb_inner(f.arg))) + LINE + nest(group(absorb_inner(a)))
                     + post)  # fmt: skip
    rendered = pre + group(absorb_app(f), TRANSPARENT)
    compact = unexpand_all(rendered)
    if _simple(App(f, a)) and compact is not None:
        return group(compact + HARD_SPACE + absorb_last(a))
    return group(rendered + LINE + absorb_last(a) + post)


def _absorb_paren(inner: Expr) -> Doc:
    return group(nest(text("(") + LINE_ + group(nest(pretty(inner))) + LINE_ + text(")")),
                 PRIORITY)  # fmt: skip


def _absorbable_rhs(e: Expr) -> bool:
    return isinstance(e, TERMS) and _absorbable(e)


def _rhs(e: Expr) -> Doc:
    """absorbRHS: the right side of `name = e;`."""
    if _absorbable_rhs(e):
        return nest(HARD_SPACE + group(_term(e)))
    if isinstance(e, Par):
        return nest(HARD_SPACE + _absorb_paren(e.expr))
    if isinstance(e, Str):
        return nest(HARD_SPACE + group(pretty(e)))
    if isinstance(e, TERMS):
        return nest(group(LINE + pretty(e)))
    if isinstance(e, App):
        return nest(_app(False, LINE, False, e.func, e.arg))
    if isinstance(e, Op) and e.op in CONCATENATIONS:
        # a concatenation whose first operand is a list or attrset starts on the `=` line
        if isinstance(e.left, TERMS) and _absorbable(e.left):
            return HARD_SPACE + _operation(e, first_wide=True)
        # one whose last operand is, and whose first fits beside `=`, opens that operand there
        if isinstance(e.right, TERMS) and _absorbable(e.right):
            return nest(group(LINE + pretty(e.left) + LINE
                              + group(text(e.op) + HARD_SPACE
                                      + group(_term(e.right), PRIORITY), TRANSPARENT)))  # fmt: skip
    return nest(LINE + group(pretty(e)))


def binding(name: str, e: Expr, indent: int) -> str:
    """`name = e;` at column `indent` (`name` written as Nix already), as nixfmt lays it out."""
    simple = name.count(".") <= 3 and '"' not in name
    rhs = _rhs(e) if simple else LINE_ + group(_rhs(e), PRIORITY)
    doc = group(text(name) + nest(HARD_SPACE + text("=") + rhs) + text(";"))
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in layout(doc).split("\n"))


def expression(e: Expr, indent: int) -> str:
    """`e` standing on its own at column `indent` (as a list element is)."""
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in layout(group(pretty(e))).split("\n"))
