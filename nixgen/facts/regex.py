"""A CRD's `pattern` (Go's RE2 syntax, searched as Go's regexp.MatchString searches) as one
regular expression that Python's `re.fullmatch` and Nix's `builtins.match` (POSIX extended
syntax, matching the whole string) read alike, so the Python check and the Nix check of an
object cannot disagree on it.

What is translated: literals, `.` (any character but a newline, as in Go), bracket classes
without escapes, groups (`(?:` as `(`), alternation, the quantifiers `* + ? {n} {n,} {n,m}`,
`\\d`, `\\w` and escaped punctuation, and `^`/`$` at the start or end of a top-level
alternative (or of a group that makes up a whole alternative). Anything else gives None and
the pattern goes unchecked, on both sides: Unicode classes (`\\PC`), `\\s` (a form feed has no
spelling in a Nix string), lazy quantifiers, flags, anchors inside an alternative, non-ASCII
text, and a repeated group that itself repeats without bound (`(a+b*)+`), which both regex
engines backtrack through in exponential time on a string that fails late (the idiom
`(C+L?)+` of Cilium's DNS name patterns is rewritten into a form without that nesting)."""

from __future__ import annotations

from dataclasses import dataclass

# Characters that mean something outside a bracket class, in either syntax.
_SPECIAL = frozenset(".[]()*+?{}|^$\\")
# Any character at all, newline included, in both syntaxes (Python's `.` skips newlines).
_ANY = "(.|\n)*"
# Go's `.`: any character but a newline.
_DOT = "[^\n]"
_ESCAPES = {"d": "[0-9]", "D": "[^0-9]", "w": "[0-9A-Za-z_]", "W": "[^0-9A-Za-z_]"}


class _Unsupported(Exception):
    pass


@dataclass
class _Atom:
    text: str = ""  # the translation of a literal, a class, `.`, or "" for an anchor
    anchor: str = ""  # "^" or "$"
    group: list[list[_Piece]] | None = None  # alternatives of a group


@dataclass
class _Piece:
    atom: _Atom
    quantifier: str = ""

    @property
    def unbounded(self) -> bool:
        return self.quantifier in ("*", "+") or self.quantifier.endswith(",}")


def translate(pattern: str) -> str | None:
    """The full-match expression for `pattern`, or None when nixgen does not translate it."""
    if not pattern.isascii() or "\n" in pattern:
        return None
    try:
        parser = _Parser(pattern)
        branches = parser.alternatives()
        if parser.i != len(pattern):
            raise _Unsupported
        branches = [_unnest(branch) for branch in branches]
        for branch in branches:
            _check_nesting(branch, False)
        return "|".join(_whole(branch) for branch in _flatten(branches))
    except _Unsupported:
        return None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def alternatives(self) -> list[list[_Piece]]:
        out = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            out.append(self.sequence())
        return out

    def sequence(self) -> list[_Piece]:
        out: list[_Piece] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom()
            quantifier = self.quantifier()
            if quantifier and atom.anchor:
                raise _Unsupported
            out.append(_Piece(atom, quantifier))
        return out

    def atom(self) -> _Atom:
        c = self.peek()
        self.i += 1
        if c == "(":
            if self.text.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise _Unsupported  # flags, named groups
            inner = self.alternatives()
            if self.peek() != ")":
                raise _Unsupported
            self.i += 1
            return _Atom(group=inner)
        if c == "[":
            return _Atom(text=self.bracket())
        if c == ".":
            return _Atom(text=_DOT)
        if c in "^$":
            return _Atom(anchor=c)
        if c == "\\":
            e = self.peek()
            self.i += 1
            if e in _ESCAPES:
                return _Atom(text=_ESCAPES[e])
            if e and not e.isalnum():
                return _Atom(text=_literal(e))
            raise _Unsupported
        if c in "*+?{":
            if c == "{" and not self.repeat_ahead(self.i - 1):
                return _Atom(text=_literal(c))  # Go reads a `{` that starts no repeat as itself
            raise _Unsupported
        return _Atom(text=_literal(c))

    def bracket(self) -> str:
        end = self.text.find("]", self.i)
        if end <= self.i:
            raise _Unsupported  # `[]...]` and unclosed classes
        body = self.text[self.i : end]
        if any(c in body for c in "\\[") or body in ("^",):
            raise _Unsupported
        self.i = end + 1
        return f"[{body}]"

    def repeat_ahead(self, at: int) -> bool:
        end = self.text.find("}", at)
        if end < 0:
            return False
        inner = self.text[at + 1 : end]
        low, _, high = inner.partition(",")
        return low.isdigit() and (high == "" or high.isdigit())

    def quantifier(self) -> str:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            out = c
        elif c == "{" and self.repeat_ahead(self.i):
            end = self.text.index("}", self.i)
            out = self.text[self.i : end + 1]
            low, comma, high = out[1:-1].partition(",")
            if high and int(high) < int(low):
                raise _Unsupported
            self.i = end + 1
        else:
            return ""
        if self.peek() in ("?", "*", "+", "{"):
            raise _Unsupported  # lazy or stacked quantifiers
        return out


def _literal(c: str) -> str:
    return "\\" + c if c in _SPECIAL else c


def _check_nesting(seq: list[_Piece], inside_unbounded: bool) -> None:
    """_Unsupported where an unbounded repeat holds another one, unless each round of the outer
    starts with a character nothing inside it matches (`(\\.[a-z]+)*`): then the rounds split
    the string one way only."""
    for piece in seq:
        if piece.atom.group is None:
            if inside_unbounded and piece.unbounded:
                raise _Unsupported
            continue
        if inside_unbounded and piece.unbounded:
            raise _Unsupported
        outer = piece.unbounded and not _separated(piece.atom.group)
        for alt in piece.atom.group:
            _check_nesting(alt, inside_unbounded or outer)


def _separated(alternatives: list[list[_Piece]]) -> bool:
    """Whether every alternative starts with one character (or class) matching nothing any
    other atom of the group matches."""
    import re

    firsts = []
    for alt in alternatives:
        if not alt or alt[0].quantifier or not alt[0].atom.text:
            return False
        firsts.append(alt[0].atom.text)
    rest = [p.atom.text for alt in alternatives for p in _atoms(alt[1:]) if p.atom.text]
    return not any(re.fullmatch(first, c) and re.fullmatch(other, c)
                   for c in map(chr, range(128)) for first in firsts for other in rest)


def _atoms(seq: list[_Piece]) -> list[_Piece]:
    out = []
    for piece in seq:
        if piece.atom.group is None:
            out.append(piece)
        else:
            for alt in piece.atom.group:
                out.extend(_atoms(alt))
    return out


def _unnest(seq: list[_Piece]) -> list[_Piece]:
    """`seq` with each repeated group of the form `(C+L?)` (C and L characters or classes
    no character matches both), as Cilium's DNS name patterns have it, written as the same
    language without a repeat inside a repeat: `(C+L?)+` is `C+(LC+)*L?`, and `(C+L?)*` that,
    optional. Both engines backtrack through the nested form in exponential time."""
    import re

    out = []
    for piece in seq:
        group = piece.atom.group
        if group is not None:
            group = [_unnest(alt) for alt in group]
            piece = _Piece(_Atom(group=group), piece.quantifier)
        if group is not None and len(group) == 1 and piece.quantifier in ("+", "*"):
            body = group[0]
            if (len(body) == 2 and body[0].quantifier == "+" and body[1].quantifier == "?"
                    and body[0].atom.text and body[1].atom.text
                    and not any(re.fullmatch(body[0].atom.text, c)
                                and re.fullmatch(body[1].atom.text, c)
                                for c in map(chr, range(128)))):  # fmt: skip
                run, sep = body[0], _Piece(body[1].atom)
                rounds = _Piece(_Atom(group=[[sep, run]]), "*")
                inner = [run, rounds, _Piece(sep.atom, "?")]
                if piece.quantifier == "+":
                    out.extend(inner)
                else:
                    out.append(_Piece(_Atom(group=[inner]), "?"))
                continue
        out.append(piece)
    return out


def _has_anchor(seq: list[_Piece]) -> bool:
    return any(p.atom.anchor or (p.atom.group is not None
                                 and any(_has_anchor(a) for a in p.atom.group))
               for p in seq)  # fmt: skip


def _flatten(branches: list[list[_Piece]]) -> list[tuple[bool, list[_Piece], bool]]:
    """(anchored at the start, body, anchored at the end) per alternative: anchors stripped
    from the edges, and a group that makes up a whole alternative opened into its own."""
    out = []
    for seq in branches:
        out.extend(_edges(seq, False, False))
    return out


def _edges(seq: list[_Piece], start: bool, end: bool) -> list[tuple[bool, list[_Piece], bool]]:
    while seq and seq[0].atom.anchor == "^":
        seq, start = seq[1:], True
    while seq and seq[-1].atom.anchor == "$":
        seq, end = seq[:-1], True
    if len(seq) == 1 and seq[0].atom.group is not None and not seq[0].quantifier \
            and _has_anchor(seq):  # fmt: skip
        out = []
        for alt in seq[0].atom.group:
            out.extend(_edges(alt, start, end))
        return out
    if _has_anchor(seq):
        raise _Unsupported
    return [(start, seq, end)]


def _write(seq: list[_Piece]) -> str:
    out = []
    for piece in seq:
        atom = piece.atom
        if atom.group is not None:
            inner = "|".join(_write(alt) for alt in atom.group)
            if not inner:
                continue  # `()` matches the empty string, however often
            text = f"({inner})"
        else:
            text = atom.text
        out.append(text + piece.quantifier)
    return "".join(out)


def _whole(branch: tuple[bool, list[_Piece], bool]) -> str:
    start, seq, end = branch
    body = _write(seq)
    if start and end:
        return body  # a sequence: any `|` in it sits inside a group
    return ("" if start else _ANY) + f"({body})" + ("" if end else _ANY)
