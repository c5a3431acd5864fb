"""What a Helm chart's Go templates read of `.Values`, and which keys they refuse outright.

A small reader of Go's text/template language (its actions tokenised by
nixgen.facts.gotokens), enough to follow a value through the template:
`.Values.a.b` wherever it stands; a template variable (`$x := .Values.a`, `$x = ...`, through
`coalesce`, `default`, `ternary`, `and`/`or`, `pluck`, `dig`, `index`, `get`) and what is read
below it (`$x.b`, `index $x "b"`, `get $x "b"`, `hasKey $x "b"`); `with .Values.a` (where `.b`
means `.Values.a.b`) and `range` (whose element's keys are not paths of the map ranged over:
the map itself is recorded as ranged). Scopes follow Go's rules: a variable lives until the
`end` of the block it was declared in, and a `define` sees none of its file's variables (its
dot, like `$`, is taken to be the chart's root context, as Helm charts pass it).

A refusal is a `fail` whose only condition is that keys are set: `{{ if .Values.tunnel }}`,
`{{ if or (dig "a" "b" "" .Values.AsMap) ... }}` at the top of a template, the way a chart
rejects keys it removed. Each key maps to the chart's message and to when the chart fails:
on any value Go's `if` takes as true ("truthy"), or on anything but an empty string when the
test goes through `toString` ("nonempty").

Nothing here is needed to check values: only reading a chart (nixgen.facts.chartread) uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from nixgen.facts.gotokens import Operand, Pipeline, Tok, actions, parse_pipeline, unquote

ValuePath = tuple[str, ...]

# The root context of a template (`.` at the top, `$`): `.Values` below it is the values' root.
_CTX = ("\0ctx",)

_KEYWORDS = frozenset({"if", "else", "end", "with", "range", "define", "block", "template",
                       "break", "continue"})  # fmt: skip
# Functions whose result is one of their arguments (so what is read below the result is read
# below that argument).
_PASS_ALL = frozenset({"coalesce", "default", "and", "or", "merge", "mergeOverwrite",
                       "mustMerge", "mustMergeOverwrite"})  # fmt: skip
_PASS_FIRST = frozenset({"deepCopy", "mustDeepCopy", "omit", "set", "unset", "required"})
_LISTS = frozenset({"list", "tuple"})
_ELEMENTS = frozenset({"first", "last", "mustFirst", "mustLast"})


# ------------------------------------------------------------------ values in the template


@dataclass(frozen=True)
class _Val:
    """What a template value may be: values paths (or the root context), the elements of a
    list the template built, a string literal."""

    refs: frozenset[ValuePath] = frozenset()
    items: frozenset[ValuePath] = frozenset()
    text: str | None = None

    def __or__(self, other: _Val) -> _Val:
        return _Val(self.refs | other.refs, self.items | other.items)


_UNKNOWN = _Val()


@dataclass
class _Frame:
    kind: str  # "file", "define", "if", "with", "range"
    dot: _Val
    outer_dot: _Val
    vars: dict[str, _Val] = field(default_factory=dict)
    branch: int = 0
    condition: list[tuple[ValuePath, str]] | None = None


@dataclass
class Reads:
    """What templates read: value paths, paths ranged over (their keys are iterated), and the
    keys they refuse (path → (the chart's message, "truthy" or "nonempty"))."""

    paths: set[ValuePath] = field(default_factory=set)
    ranged: set[ValuePath] = field(default_factory=set)
    refused: dict[ValuePath, tuple[str, str]] = field(default_factory=dict)


class _Reader:
    def __init__(self, reads: Reads, record: bool) -> None:
        self.reads = reads
        self.record = record  # False: only refusals are wanted (validate.yaml)
        self.frames: list[_Frame] = []

    # -- scopes

    def run(self, text: str) -> None:
        root = _Val(frozenset({_CTX}))
        self.frames = [_Frame("file", root, root)]
        for tokens in actions(text):
            if tokens:
                self.action(tokens)

    @property
    def dot(self) -> _Val:
        return self.frames[-1].dot

    def lookup(self, name: str) -> _Val:
        if name == "$":
            return _Val(frozenset({_CTX}))
        for frame in reversed(self.frames):
            if name in frame.vars:
                return frame.vars[name]
            if frame.kind == "define":
                break
        return _UNKNOWN

    def declare(self, name: str, value: _Val) -> None:
        self.frames[-1].vars[name] = value

    def assign(self, name: str, value: _Val) -> None:
        for frame in reversed(self.frames):
            if name in frame.vars:
                frame.vars[name] = frame.vars[name] | value  # either may hold after a branch
                return
            if frame.kind == "define":
                break

    # -- actions

    def action(self, tokens: list[Tok]) -> None:
        head = tokens[0]
        word = head.text if head.kind == "ident" and head.text in _KEYWORDS else None
        rest = tokens[1:]
        if word == "if":
            condition = self.condition(parse_pipeline(rest))
            self.frames.append(_Frame("if", self.dot, self.dot, condition=condition))
        elif word in ("with", "range"):
            self.open_block(word, rest)
        elif word == "else":
            self.else_(rest)
        elif word == "end":
            if len(self.frames) > 1:
                self.frames.pop()
        elif word in ("define", "block"):
            if word == "block":
                self.pipeline(rest[1:])
            ctx = _Val(frozenset({_CTX}))
            self.frames.append(_Frame("define", ctx, ctx))
        elif word == "template":
            self.pipeline(rest[1:])
        elif word in ("break", "continue"):
            pass
        else:
            self.pipeline(tokens)

    def open_block(self, word: str, tokens: list[Tok]) -> None:
        names, _, tokens = _declaration(tokens)
        value = self.eval_pipeline(parse_pipeline(tokens))
        outer = self.dot
        if word == "with":
            frame = _Frame("with", value, outer)
            if names:
                frame.vars[names[-1]] = value
        else:
            paths = {r for r in value.refs if r != _CTX}
            if self.record:
                self.reads.ranged |= paths
            element = _Val(value.items)  # a list the template built; a value's keys are not known
            frame = _Frame("range", element, outer)
            if len(names) == 1:
                frame.vars[names[0]] = element
            elif len(names) == 2:
                frame.vars[names[0]] = _UNKNOWN
                frame.vars[names[1]] = element
        self.frames.append(frame)

    def else_(self, tokens: list[Tok]) -> None:
        frame = self.frames[-1]
        if len(self.frames) == 1:
            return
        frame.vars = {}
        frame.branch += 1
        frame.condition = None
        if tokens and tokens[0].kind == "ident" and tokens[0].text == "if":
            self.eval_pipeline(parse_pipeline(tokens[1:]))
            if frame.kind != "if":
                frame.dot = frame.outer_dot
        elif tokens and tokens[0].kind == "ident" and tokens[0].text == "with":
            frame.dot = self.eval_pipeline(parse_pipeline(tokens[1:]))
        elif frame.kind in ("with", "range"):
            frame.dot = frame.outer_dot

    def pipeline(self, tokens: list[Tok]) -> None:
        names, declares, tokens = _declaration(tokens)
        value = self.eval_pipeline(parse_pipeline(tokens))
        if len(names) == 1:
            if declares:
                self.declare(names[0], value)
            else:
                self.assign(names[0], value)

    # -- expressions

    def eval_pipeline(self, pipeline: Pipeline) -> _Val:
        value: _Val | None = None
        for command in pipeline:
            value = self.eval_command(command, value)
        return value or _UNKNOWN

    def eval_command(self, command: list[Operand], piped: _Val | None) -> _Val:
        first = command[0]
        if first[0] == "tok" and first[1].kind == "ident" and first[1].text not in (
                "true", "false", "nil"):  # fmt: skip
            args = [self.eval_operand(op) for op in command[1:]]
            if piped is not None:
                args.append(piped)
            return self.call(first[1].text, args)
        value = self.eval_operand(first)
        for op in command[1:]:  # arguments of a method: read, but not followed
            self.eval_operand(op)
        return value

    def eval_operand(self, op: Operand) -> _Val:
        if op[0] == "paren":
            return self.below(self.eval_pipeline(op[1]), op[2])
        tok: Tok = op[1]
        if tok.kind in ("str", "raw"):
            return _Val(text=unquote(tok))
        if tok.kind == "field":
            return self.below(self.dot, tok.chain)
        if tok.kind == "var":
            return self.below(self.lookup(tok.text), tok.chain)
        return _UNKNOWN

    def below(self, value: _Val, keys: Iterable[str]) -> _Val:
        """`value.k1.k2...`, recording every values path reached."""
        keys = tuple(keys)
        if not keys:
            return value
        out: set[ValuePath] = set()
        refs = value.refs
        if not refs and keys[0] == "Values":
            # Only a chart's root context has `.Values`: whatever unknown value holds it (the
            # first element of a define's argument list, say) is that context.
            refs = frozenset({_CTX})
        for ref in refs:
            rest = keys
            if ref == _CTX:
                if rest[0] != "Values":
                    continue  # .Release, .Capabilities, .Files, ...
                ref, rest = (), rest[1:]
                if rest[:1] == ("AsMap",):  # a method of the values object: the whole map
                    rest = rest[1:]
            path = ref + rest
            out.add(path)
            self.read(path)
        return _Val(frozenset(out))

    def read(self, path: ValuePath) -> None:
        if self.record and path:
            self.reads.paths.add(path)

    def call(self, name: str, args: list[_Val]) -> _Val:
        if name in _PASS_ALL:
            return _union(args)
        if name in _PASS_FIRST and args:
            return args[-1] if name == "required" else args[0]
        if name == "ternary" and len(args) >= 2:
            return args[0] | args[1]
        if name in _LISTS:
            return _Val(items=frozenset(r for a in args for r in a.refs))
        if name in _ELEMENTS and args:
            return _Val(args[-1].items)
        if name in ("index", "get", "hasKey") and args:
            keys = [a.text for a in args[1:]]
            if None in keys:
                # An index or a computed key: an element of a list the template built, else
                # nothing known.
                value = args[0]
                return _Val(value.items) if not value.refs and len(keys) == 1 else _UNKNOWN
            value = self.below(args[0], keys)  # type: ignore[arg-type]
            return _UNKNOWN if name == "hasKey" else value
        if name == "dig" and len(args) >= 2:
            keys = [a.text for a in args[:-2]]
            if None in keys:
                return _UNKNOWN
            return self.below(args[-1], keys) | args[-2]  # type: ignore[arg-type]
        if name == "pluck" and args and args[0].text is not None:
            found = [self.below(a, (args[0].text,)) for a in args[1:]]
            return _Val(items=frozenset(r for v in found for r in v.refs))
        if name == "fail":
            self.refusal(args)
        return _UNKNOWN

    # -- refusals

    def condition(self, pipeline: Pipeline) -> list[tuple[ValuePath, str]] | None:
        """The keys an `if` tests for being set, when that is all it tests; evaluating it
        records its reads as any pipeline's."""
        tests = self.set_tests(pipeline)
        self.eval_pipeline(pipeline)
        return tests

    def set_tests(self, pipeline: Pipeline) -> list[tuple[ValuePath, str]] | None:
        if len(pipeline) == 2 and _is_call(pipeline[1], "toString") and len(pipeline[1]) == 1:
            inner = self.set_tests(pipeline[:1])
            return [(p, "nonempty") for p, _ in inner] if inner else None
        if len(pipeline) != 1:
            return None
        command = pipeline[0]
        if _is_call(command, "or"):
            found: list[tuple[ValuePath, str]] = []
            for op in command[1:]:
                tests = self.set_tests([[op]])
                if tests is None:
                    return None
                found += tests
            return found or None
        if _is_call(command, "dig"):
            keys = [unquote(op[1]) if op[0] == "tok" else None for op in command[1:-2]]
            default = command[-2] if len(command) >= 3 else None
            if (None in keys or default is None or default[0] != "tok" or
                    unquote(default[1]) != ""):  # fmt: skip
                return None
            base = self.quiet(command[-1])
            if base is None:
                return None
            return [((*base, *keys), "truthy")]  # type: ignore[list-item]
        if len(command) != 1:
            return None
        op = command[0]
        if op[0] == "paren":
            return self.set_tests(op[1]) if not op[2] else None
        path = self.quiet(op)
        return [(path, "truthy")] if path else None

    def quiet(self, op: Operand) -> ValuePath | None:
        """The one values path an operand is, without recording it."""
        record, self.record = self.record, False
        try:
            value = self.eval_operand(op)
        finally:
            self.record = record
        refs = [r for r in value.refs if r != _CTX]
        return refs[0] if len(refs) == 1 and len(value.refs) == 1 and not value.items else None

    def refusal(self, args: list[_Val]) -> None:
        frames = self.frames
        if (len(frames) != 2 or frames[0].kind != "file" or frames[1].kind != "if" or
                frames[1].branch or not frames[1].condition or not args or
                args[0].text is None):  # fmt: skip
            return
        for path, mode in frames[1].condition:
            self.reads.refused.setdefault(path, (" ".join(args[0].text.split()), mode))


def _is_call(command: list[Operand], name: str) -> bool:
    return bool(command) and command[0][0] == "tok" and command[0][1].kind == "ident" and \
        command[0][1].text == name


def _union(values: list[_Val]) -> _Val:
    out = _UNKNOWN
    for value in values:
        out = out | value
    return out


def _declaration(tokens: list[Tok]) -> tuple[list[str], bool, list[Tok]]:
    """The variables a pipeline declares or assigns (`$x :=`, `$x =`, `$k, $v :=`), whether
    it declares them, and the pipeline after them."""
    names: list[str] = []
    i = 0
    while i < len(tokens) and tokens[i].kind == "var" and not tokens[i].chain:
        names.append(tokens[i].text)
        if i + 1 < len(tokens) and tokens[i + 1].kind == "comma":
            i += 2
            continue
        if i + 1 < len(tokens) and tokens[i + 1].kind in ("declare", "assign"):
            return names, tokens[i + 1].kind == "declare", tokens[i + 2 :]
        break
    return [], False, tokens


def read_templates(files: Mapping[str, str]) -> Reads:
    """What the templates among `files` (chart-relative name → text) read and refuse.
    validate.yaml reads keys only to judge them (removed keys among them): its refusals are
    taken, its reads are not."""
    reads = Reads()
    for name in sorted(files):
        if not name.startswith("templates/"):
            continue
        _Reader(reads, record=not name.endswith("/validate.yaml")).run(files[name])
    return reads
