"""nixfmt's own layout of the Nix expressions nixgen writes as code (nixgen.nix.syntax), so that
what nixgen prints is what nixfmt prints: every golden is a nixfmt fixed point. Data (attrsets,
lists of values, option declarations) keeps going through nixgen.nix.emit.

A faithful port of the parts of nixfmt 1.4.0 that these expressions use: src/Nixfmt/Pretty.hs
(assignments, applications, operators, parentheses, selections, lists, simple strings) here,
building the documents of src/Nixfmt/Predoc.hs (`fixup`, `layoutGreedy`, priority groups),
which nixgen.nix.predoc lays out.
"""

from __future__ import annotations

from nixgen.nix.predoc import (
    HARD_LINE,
    HARD_SPACE,
    LINE,
    LINE_,
    PRIORITY,
    SOFTLINE,
    TRANSPARENT,
    Doc,
    group,
    layout,
    nest,
    text,
    unexpand_all,
)
from nixgen.nix.syntax import (
    COMPARISONS,
    CONCATENATIONS,
    TERMS,
    App,
    Expr,
    Lst,
    Op,
    Par,
    Sel,
    Str,
    Tok,
    simple,
)
from nixgen.nixatoms import attr_name, string


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
                and all(isinstance(i, TERMS) and simple(i) for i in x.items)):  # fmt: skip
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
    if simple(App(f, a)) and compact is not None:
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
