"""The actions of a Go template (`{{ ... }}`), read into tokens and pipelines: the part of
Go's text/template syntax nixgen.facts.gotemplate needs to follow `.Values` through a chart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(rf"""
    (?P<space>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\]|\\.)*')
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<comma>,)
  | (?P<open>\()
  | (?P<close>\)(?P<closechain>(?:\.{_IDENT})*))
  | (?P<var>\$(?:{_IDENT})?(?P<varchain>(?:\.{_IDENT})*))
  | (?P<field>(?:\.{_IDENT})+|\.)
  | (?P<num>[-+]?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+))
  | (?P<ident>{_IDENT})
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)  # fmt: skip

_KINDS = ("space", "str", "raw", "char", "declare", "assign", "pipe", "comma", "open", "close",
          "var", "field", "num", "ident", "other")

@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    chain: tuple[str, ...] = ()


def actions(text: str) -> list[list[Tok]]:
    """The actions (`{{ ... }}`) of a template, each as its tokens; comments left out."""
    out: list[list[Tok]] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return out
        pos = start + 2
        if text.startswith("- ", pos) or text.startswith("-\t", pos) or text.startswith("-\n",
                                                                                          pos):
            pos += 1
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            close = text.find("}}", end + 2) if end >= 0 else -1
            if close < 0:
                return out
            pos = close + 2
            continue
        tokens: list[Tok] = []
        while pos < len(text):
            if text.startswith("}}", pos):
                pos += 2
                break
            if text.startswith("-}}", pos) and text[pos - 1] in " \t\r\n":
                pos += 3
                break
            m = _TOKEN.match(text, pos)
            assert m is not None  # `other` matches any character
            pos = m.end()
            kind = next(k for k in _KINDS if m.group(k) is not None)
            if kind in ("space", "other"):
                continue
            raw = m.group(kind)
            if kind == "close":
                tokens.append(Tok("close", ")", key_chain(m.group("closechain"))))
            elif kind == "var":
                chain = m.group("varchain")
                tokens.append(Tok("var", raw[: len(raw) - len(chain)], key_chain(chain)))
            elif kind == "field":
                tokens.append(Tok("field", raw, key_chain(raw)))
            else:
                tokens.append(Tok(kind, raw))
        out.append(tokens)


def key_chain(text: str | None) -> tuple[str, ...]:
    return tuple(k for k in (text or "").split(".") if k)


def unquote(tok: Tok) -> str | None:
    if tok.kind == "str":
        body = tok.text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                      body)  # fmt: skip
    if tok.kind == "raw":
        return tok.text[1:-1]
    return None


# An operand: ("tok", token) or ("paren", pipeline, chain); a command: list of operands; a
# pipeline: list of commands.
Operand = tuple[Any, ...]
Pipeline = list[list[Operand]]


def parse_pipeline(tokens: list[Tok]) -> Pipeline:
    commands: list[list[Operand]] = [[]]
    stack: list[list[list[Operand]]] = []
    for tok in tokens:
        if tok.kind == "open":
            stack.append(commands)
            commands = [[]]
        elif tok.kind == "close":
            if not stack:
                continue
            inner = commands
            commands = stack.pop()
            commands[-1].append(("paren", inner, tok.chain))
        elif tok.kind == "pipe":
            commands.append([])
        else:
            commands[-1].append(("tok", tok))
    while stack:  # unbalanced parentheses: close them
        inner = commands
        commands = stack.pop()
        commands[-1].append(("paren", inner, ()))
    return [c for c in commands if c]
