"""nixfmt's documents and their layout (a port of nixfmt 1.4.0's src/Nixfmt/Predoc.hs): text,
spacing and groups (regular, priority, transparent), `fixup`, and `layout`, nixfmt's
`layoutGreedy` at a width of 100. nixgen.nix.pretty builds the documents from expressions.
"""

from __future__ import annotations

from typing import Any, Union

from nixgen.nix.syntax import Node

WIDTH = 100
INDENT = 2

SOFTBREAK, BREAK, HARDSPACE, SOFTSPACE, SPACE, HARDLINE, EMPTYLINE = range(7)
REGULAR, PRIORITY, TRANSPARENT = "regular", "priority", "transparent"


class Text(Node):
    __slots__ = ("level", "text")  # level: the nesting depth

    def __init__(self, level: int, text: str) -> None:
        self.level = level
        self.text = text


class Spacing(Node):
    __slots__ = ("kind",)

    def __init__(self, kind: int) -> None:
        self.kind = kind


class Group(Node):
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
HARD_SPACE = [Spacing(HARDSPACE)]
HARD_LINE = [Spacing(HARDLINE)]


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

