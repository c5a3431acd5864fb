"""nixgen's rules (nixgen.checks.rules, in the language of nixgen.checks.lang) as Nix code: each
rule becomes `{ assertion = ...; message = ...; }` over the module's final Helm values, with the
Cilium minors it applies to as conditions on `minor`. The same table the Python check judges,
so the two agree (tests/test_rules_data.py holds them to it).

The code reads the values through `v` (the Helm values with their nulls left out, so
`v.a.b or d` is the value at a.b, else d, the chart's default) and a few helpers written with
them (`on`, `truthy`, ...), each the Nix of one leaf operator of the language.

The rules are the same in every module, and laying them out as nixfmt does takes long enough
to show in every run's start: nixgen ships their text, `nixgen/data/rules.nix`, which
`python -m nixgen.nix.rules` writes from the table (a test holds the two to each other).
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

from nixgen.checks import lang
from nixgen.checks.rules import RULES, Rule
from nixgen.facts import locations, versions
from nixgen.nix import emit
from nixgen.nix.syntax import App, Expr, Lst, Op, Par, Sel, Str, Tok, call, chain, invert
from nixgen.nixatoms import string

FINAL = "v"

# The helper each leaf operator is written with (the module defines the ones the rules use);
# `is` is written with `==`, `!=` or builtins.elem.
HELPERS = {"on": "on", "truthy": "truthy", "match": "matches", "outside": "outside",
           "within": "within", "size": "hasLength", "older": "olderTag"}  # fmt: skip


# Each helper's binding, as the module writes it (TAG's regular expression at `{tag}`).
HELPER_TEXT = {
    "on": """\
  # A switch, which the chart takes as true or "true".
  on = value: value == true || value == "true";
""",
    "truthy": """\
  # A value Go templates take as set: not null, false, 0, "", [ ] or { }.
  truthy =
    value:
    !(builtins.elem value [
      null
      false
      0
      ""
      [ ]
      { }
    ]);
""",
    "matches": """\
  matches = regex: value: builtins.isString value && builtins.match regex value != null;
""",
    "within": """\
  within =
    low: high: value:
    builtins.isInt value && low <= value && value <= high;
""",
    "outside": """\
  outside =
    low: high: value:
    builtins.isInt value && (value < low || value > high);
""",
    "hasLength": """\
  hasLength = length: value: builtins.isList value && builtins.length value == length;
""",
    "olderTag": """\
  # An image tag (v1.2.3, with an optional @digest) of a release older than `release`.
  olderTag =
    release: value:
    let
      tag = if builtins.isString value then builtins.match {tag} value else null;
    in
    tag != null && builtins.compareVersions (builtins.head tag) release < 0;
""",
}


def literal(value: Any) -> Expr:
    """A plain value (a rule's constant or default) as a Nix expression."""
    if value is None:
        return Tok("null")
    if value is True or value is False:
        return Tok("true" if value else "false")
    if isinstance(value, int):
        return Tok(str(value))
    if isinstance(value, str):
        return Str((value,))
    if isinstance(value, list):
        return Lst(tuple(literal(v) for v in value))
    if isinstance(value, dict) and not value:
        return Tok("{ }")
    raise ValueError(f"a rule cannot hold {value!r}")


def value(path: list[str], default: Any) -> Expr:
    """`final.a.b or default`."""
    return Sel(FINAL, tuple(path), literal(default))


def condition(c: list[Any], expand: bool = False) -> Expr:
    """A condition of the rules' language as a Nix boolean; a named one (lang.Named) by its
    name, unless `expand` (its own binding)."""
    if isinstance(c, lang.Named) and not expand:
        return Tok(c.name)
    op = c[0]
    if op in ("all", "any"):
        parts: list[Expr] = []
        for part in c[1:]:
            if part[0] == op:  # `a && (b && c)` is `a && b && c`
                parts.extend(_operands(condition(part), "&&" if op == "all" else "||"))
            else:
                parts.append(condition(part))
        return chain("&&" if op == "all" else "||", parts)
    if op == "not":
        inner = c[1]
        if inner[0] == "is" and len(inner[3]) == 1:
            return Op("!=", _compared(inner), literal(inner[3][0]))
        return invert(condition(inner))
    if op == "is":
        if len(c[3]) == 1:
            return Op("==", _compared(c), literal(c[3][0]))
        return call("builtins.elem", value(c[1], c[2]), literal(c[3]))
    # The operator's own arguments (a regex, bounds, a count, a release), then the value.
    args = [literal(a) for a in c[3:]]
    return call(HELPERS[op], *args, value(c[1], c[2]))


def _compared(c: list[Any]) -> Expr:
    return Par(value(c[1], c[2]))


def _operands(e: Expr, op: str) -> list[Expr]:
    if isinstance(e, Op) and e.op == op:
        return _operands(e.left, op) + _operands(e.right, op)
    return [e]


def bounds(rule: Rule) -> list[Expr]:
    """The Cilium minors a rule applies to, as conditions on `minor`."""
    out: list[Expr] = []
    if rule.since is not None:
        out.append(call("lib.versionAtLeast", Tok("minor"), Str((rule.since,))))
    if rule.until is not None:
        major, minor = versions.numbers(rule.until)[:2]
        out.append(call("lib.versionOlder", Tok("minor"), Str((f"{major}.{minor + 1}",))))
    return out


def message(rule: Rule) -> str | Expr:
    """The rule's message; `{value}` shows the value (as JSON) of the path `show`, which the
    rule needs (so it is set whenever the message is read)."""
    if rule.show is None:
        return rule.message
    path = rule.show.split(".")
    if path not in lang.needs(rule.when):
        raise ValueError(f"rule {rule.id}: the value it shows must be one it needs")
    shown = App(Sel("builtins", ("toJSON",)), Sel(FINAL, tuple(path)))
    before, _, after = rule.message.partition("{value}")
    return Str(tuple(p for p in (before, shown, after) if p != ""))


def entry(rule: Rule) -> dict[str, Any]:
    """The rule as the module's `{ assertion; message; }`: `a && b -> c` for a rule broken
    when a, b and not c hold (the minors it applies to first), `!a` for one broken when a
    holds."""
    broken = [*bounds(rule), *_operands(condition(rule.when), "&&")]
    if len(broken) == 1:
        assertion = invert(broken[0])
    else:
        assertion = chain("->", [chain("&&", broken[:-1]), invert(broken[-1])])
    return {"assertion": assertion, "message": message(rule)}


@cache
def named() -> tuple[tuple[str, str, Expr], ...]:
    """(name, description, Nix) of each named condition the rules read, each after the named
    conditions it reads."""
    out: dict[str, tuple[str, str, Expr]] = {}

    def visit(c: list[Any]) -> None:
        if c[0] in ("all", "any", "not"):
            for part in c[1:]:
                visit(part)
        if isinstance(c, lang.Named) and c.name not in out:
            out[c.name] = (c.name, c.doc, condition(c, expand=True))

    for rule in RULES:
        visit(rule.when)
    return tuple(out.values())


@cache
def entries() -> tuple[dict[str, Any], ...]:
    """Every rule of the table, in its order."""
    return tuple(entry(rule) for rule in RULES)


@cache
def helpers() -> frozenset[str]:
    """The helpers the rules use (render() defines these)."""
    used = {HELPERS[leaf[0]] for rule in RULES for leaf in lang.leaves(rule.when)
            if leaf[0] in HELPERS}  # fmt: skip
    return frozenset(used)


def render() -> str:
    """The rules as every module writes them, at the `let`'s indentation: the helpers they use,
    the named conditions they read, one binding each with its comment, then the `rules` list."""
    from nixgen.nix import pretty  # laying the rules out: only when they are written anew

    used = helpers()
    tag = string(lang.TAG)
    defined = "".join(text.replace("{tag}", tag) for name, text in HELPER_TEXT.items()
                      if name in used)  # fmt: skip
    conditions = [f"  # {doc}\n" + pretty.binding(name, expr, 2) for name, doc, expr in named()]
    listed = emit.binding("rules", list(entries()), 2)
    return defined + "\n".join([*conditions, listed]) + "\n"


@cache
def text() -> str:
    """render()'s text as nixgen ships it."""
    with open(locations.RULES_FILE, encoding="utf-8") as handle:
        return handle.read()


def main() -> int:
    """Write the rules' text into nixgen/data/rules.nix."""
    with open(locations.RULES_FILE, "w", encoding="utf-8") as handle:
        handle.write(render())
    print(f"wrote {locations.RULES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
