"""The rules' language: conditions over a values tree, as data; the Python judge of them; and
the Nix code each becomes in the generated module (`nix`), so that one table of rules is judged
the same way by `nixgen module` and by the module when Nix evaluates it.

A condition is a tree of lists:

    ["on", path, default]              the value is true (or the string "true")
    ["truthy", path, default]          the value is not null, false, 0, "", [ ] or { }
    ["is", path, default, [x, ...]]    the value is one of these
    ["match", path, default, regex]    the value is a string the (POSIX) regex matches whole
    ["outside", path, default, lo, hi] the value is an integer outside lo..hi
    ["within", path, default, lo, hi]  the value is an integer within lo..hi
    ["size", path, default, n]         the value is a list of n elements
    ["older", path, default, version]  the value is an image tag (v1.2.3, @digest allowed) of a
                                       release older than `version`
    ["all", c, ...], ["any", c, ...], ["not", c]

`path` is a list of keys; `default` is what the chart or the agent takes when the value is
absent or null. The constructors below (`on`, `is_`, `all_`, ...) write conditions with a
dotted path.

A value that is a Nix expression (nixgen.nixatoms.Raw) is not known before Nix evaluates the
module. It counts as set (`truthy`) and as matching a pattern (`match`), an attribute path
naming a value; any other leaf that reads one is undecided, and so is a condition whose outcome
depends on it
(three-valued logic: `all` is false when one part is false, `any` true when one part is true,
`not` of undecided is undecided). Such a rule is neither broken nor kept here; the module
judges it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from nixgen import tree
from nixgen.facts import versions
from nixgen.nixatoms import Raw

def _leaf(op: str, path: str, default: Any, *args: Any) -> list[Any]:
    return [op, path.split("."), default, *args]


def on(path: str, default: Any) -> list[Any]:
    return _leaf("on", path, default)


def truthy(path: str, default: Any) -> list[Any]:
    return _leaf("truthy", path, default)


def is_(path: str, choices: list[Any], default: Any) -> list[Any]:
    return _leaf("is", path, default, choices)


def match(path: str, regex: str, default: Any) -> list[Any]:
    return _leaf("match", path, default, regex)


def outside(path: str, low: int, high: int, default: Any) -> list[Any]:
    return _leaf("outside", path, default, low, high)


def within(path: str, low: int, high: int, default: Any) -> list[Any]:
    return _leaf("within", path, default, low, high)


def size(path: str, count: int, default: Any) -> list[Any]:
    return _leaf("size", path, default, count)


def older(path: str, version: str, default: Any) -> list[Any]:
    return _leaf("older", path, default, version)


class Named(list):  # type: ignore[type-arg]
    """A condition with a name: the same condition to every judge (it is the list it holds),
    which the module binds once (`name = ...;`, with `doc` as its comment) for the rules that
    read it."""

    def __init__(self, name: str, doc: str, condition: list[Any]) -> None:
        super().__init__(condition)
        self.name = name
        self.doc = doc


def named(name: str, doc: str, condition: list[Any]) -> Named:
    return Named(name, doc, condition)


def all_(*conditions: list[Any]) -> list[Any]:
    return ["all", *conditions]


def any_(*conditions: list[Any]) -> list[Any]:
    return ["any", *conditions]


def not_(condition: list[Any]) -> list[Any]:
    return ["not", condition]


# ---------------------------------------------------------------- judging a condition


def value_at(values: Mapping[str, Any], path: list[str], default: Any) -> Any:
    """The value at `path`, else (absent or null) `default`."""
    found = tree.lookup(values, tuple(path))
    return default if found is None else found


def nix_equal(a: Any, b: Any) -> bool:
    """`a == b` as Nix sees it: a boolean is never a number, 1 == 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


_FALSY: tuple[Any, ...] = (None, False, 0, "", [], {})


def judge(condition: list[Any], values: Mapping[str, Any]) -> bool | None:
    """Whether `condition` holds for `values`: True, False, or None when it depends on a Nix
    expression (see the module's docstring)."""
    op = condition[0]
    if op in ("all", "any"):
        decisive = op == "any"  # the outcome one part decides: all → false, any → true
        undecided = False
        for part in condition[1:]:
            got = judge(part, values)
            if got is decisive:
                return decisive
            undecided = undecided or got is None
        return None if undecided else not decisive
    if op == "not":
        got = judge(condition[1], values)
        return None if got is None else not got
    v = value_at(values, condition[1], condition[2])
    if isinstance(v, Raw):
        # An expression (an attribute path) names a value: it counts as set and as matching a
        # pattern; what else it is, is not known here.
        return True if op in ("truthy", "match") else None
    return _judge_leaf(op, v, condition)


def holds(condition: list[Any], values: Mapping[str, Any]) -> bool:
    """Whether `condition` surely holds for `values` (an undecided one does not)."""
    return judge(condition, values) is True


def _judge_leaf(op: str, v: Any, condition: list[Any]) -> bool:
    if op == "on":
        return v is True or v == "true"
    if op == "truthy":
        return not any(nix_equal(v, f) for f in _FALSY)
    if op == "is":
        return any(nix_equal(v, choice) for choice in condition[3])
    if op == "match":
        return isinstance(v, str) and re.fullmatch(condition[3], v) is not None
    number = isinstance(v, int) and not isinstance(v, bool)
    if op == "outside":
        return number and not condition[3] <= v <= condition[4]
    if op == "within":
        return number and condition[3] <= v <= condition[4]
    if op == "size":
        return isinstance(v, list) and len(v) == condition[3]
    if op == "older":
        tag = re.fullmatch(TAG, v) if isinstance(v, str) else None
        return tag is not None and versions.numbers(tag.group(1)) < versions.numbers(condition[3])
    raise ValueError(f"unknown rule operator {op!r}")


def expressions(condition: list[Any], values: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The paths a condition reads whose value in `values` is a Nix expression."""
    return [tuple(leaf[1]) for leaf in leaves(condition)
            if isinstance(tree.lookup(values, tuple(leaf[1])), Raw)]  # fmt: skip


# An image tag that names a release: v1.2.3, with an optional @sha256:... digest.
TAG = r"v?([0-9]+(\.[0-9]+)*)(@.*)?"


def leaves(condition: list[Any]) -> list[list[Any]]:
    """The leaf conditions (on, truthy, is, ...) of a condition."""
    if condition[0] in ("all", "any", "not"):
        return [leaf for c in condition[1:] for leaf in leaves(c)]
    return [condition]


def paths(condition: list[Any]) -> list[list[str]]:
    """The value paths a condition reads."""
    return [leaf[1] for leaf in leaves(condition)]


def needs(condition: list[Any]) -> list[list[str]]:
    """Paths a condition cannot hold without: those of the conditions it is the conjunction of
    (an `all` of them, or one alone) that do not hold for an absent value, and those every
    alternative of an `any` needs. With any of them
    unset the condition is false, so the Python check judges a rule only where all of them are
    set (most rules then cost a lookup), and a message may show one of them."""
    if condition[0] == "all":
        found = [p for c in condition[1:] for p in needs(c)]
        return [p for i, p in enumerate(found) if p not in found[:i]]
    if condition[0] == "any":  # what every alternative needs
        first, *others = (needs(c) for c in condition[1:])
        return [p for p in first if all(p in other for other in others)]
    if holds(condition, {}):
        return []
    read = paths(condition)
    return read if len(read) == 1 else []


@cache
def applies(since: str | None, until: str | None, minor: str) -> bool:
    """Whether a rule for the minors `since`..`until` (either open) applies to `minor`."""
    key = versions.numbers(minor)
    return ((since is None or versions.numbers(since) <= key)
            and (until is None or key <= versions.numbers(until)))  # fmt: skip
