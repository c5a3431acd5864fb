"""A pydantic ValidationError as the one line a user reads (nixgen.input.spec.validate): the
most telling of its errors, at the config key it is about (no name of nixgen's own models), with
the profile and the value given where they help. A value a setting takes in several forms fails
in each of them; the form the value has wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nixgen.input import settings as settings_
from nixgen.input.choices import PROFILES


# Type tags pydantic puts into an error's location for the branches of a union.
_TAGS = frozenset({"str", "int", "bool", "float", "none", "dict", "list"})
_TAG_PREFIXES = ("constrained-", "function-", "lax-or-strict", "json-or-python")
# How telling an error is about a value that reached the right shape: a wrong value first,
# then a wrong type, a missing key, an unknown key, and a wrong shape last.
_TYPE_KINDS = frozenset({"model_type", "dict_type", "model_attributes_type", "dataclass_type"})


def _is_tag(part: Any, model_names: frozenset[str]) -> bool:
    return isinstance(part, str) and ("[" in part or part in _TAGS or part in model_names
                                      or part.startswith(_TAG_PREFIXES))  # fmt: skip


def _rank(kind: str) -> int:
    if kind in _TYPE_KINDS:
        return 4
    if kind == "extra_forbidden":
        return 3
    if kind == "missing":
        return 2
    if kind.endswith("_type"):
        return 1
    return 0


@dataclass(frozen=True)
class ErrorLine:
    """One validation error as a user reads it: the config key (no name of nixgen's own),
    the profile when the key splits by profile, the value given, and why it is refused."""

    where: str
    profile: str | None
    value: str | None  # as the user wrote it (JSON), where it helps
    reason: str

    def __str__(self) -> str:
        head = self.where
        if self.profile:
            head += f" ({self.profile} profile)"
        if self.value is not None:
            head += f" = {self.value}"
        return f"{head}: {self.reason}" if head else self.reason


def error_line(err: Any, model_names: frozenset[str]) -> ErrorLine:
    """The most telling of a pydantic ValidationError's errors, as an ErrorLine. A value that
    may take several shapes (a plain value, `{nix}`, `{local, production}`) fails in each of
    them; the shape the value has wins: a branch that refused the whole value for its type, or
    that does not know some of its keys, tells less than one that got inside it."""
    from nixgen.tree import shown

    errors = err.errors()

    def branch(loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], bool]:
        """The union branch an error is in (its location up to the first tag), and whether
        the error is about the whole value given to that branch."""
        for i, part in enumerate(loc):
            if _is_tag(part, model_names):
                rest = [p for p in loc[i + 1 :] if not _is_tag(p, model_names)]
                return loc[: i + 1], not rest
        return (), False

    def branches(loc: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Every union branch an error is in, outermost first (a setting's profiles hold
        unions of their own)."""
        return [loc[: i + 1] for i, part in enumerate(loc) if _is_tag(part, model_names)]

    unknown: dict[tuple[Any, ...], int] = {}  # keys a branch does not know, per branch
    given: dict[tuple[Any, ...], Any] = {}  # the table a branch was given, where one was
    for e in errors:
        key = (branches(tuple(e["loc"])) or [()])[-1]  # the innermost branch
        if e["type"] == "extra_forbidden":
            unknown[key] = unknown.get(key, 0) + 1
        elif e["type"] == "missing" and isinstance(e.get("input"), dict):
            given.setdefault(key, e["input"])

    def misfit(key: tuple[Any, ...]) -> int:
        """How badly a branch fits: the keys it does not know, and more when it knows none of
        the keys given (or none were given) and misses some of its own."""
        table = given.get(key)
        knows_none = table is not None and len(table) == unknown.get(key, 0)
        return unknown.get(key, 0) + (500 if knows_none else 0)

    def weight(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int, int]:
        index, e = item
        key, whole = branch(tuple(e["loc"]))
        refused = whole and (e["type"].endswith("_type") or e["type"] == "literal_error")
        depth = sum(1 for p in e["loc"] if not _is_tag(p, model_names))
        fit = max((misfit(k) for k in branches(tuple(e["loc"]))), default=0)
        return (1000 if refused and key else fit, -depth, _rank(e["type"]), index)

    _, first = min(enumerate(errors), key=weight)
    chosen = branch(tuple(first["loc"]))[0]
    if chosen and 500 <= weight((0, first))[0] and (chosen[-1] == "NixExpr"
                                                    or chosen[-1].endswith("Profiles")):
        # a table in none of a setting's forms: name the forms, not one of them
        at = chosen[:-1]
        where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in at
                         if not _is_tag(p, model_names)).replace(".[", "[")  # fmt: skip
        return ErrorLine(where, None, shown(given.get(chosen), 60),
                         'a setting takes a plain value, { nix = "..." } or '
                         "{ local = ..., production = ... }")  # fmt: skip
    parts: list[str] = []
    profile, profile_at = None, 0
    after_profiles = False
    for p in first["loc"]:
        if isinstance(p, int):
            parts[-1:] = [f"{parts[-1]}[{p}]"] if parts else [f"[{p}]"]
            after_profiles = False
            continue
        if _is_tag(p, model_names):
            after_profiles = p.endswith("Profiles")
            continue
        if after_profiles and p in PROFILES:
            profile, profile_at = p, len(parts)
            after_profiles = False
            continue
        after_profiles = False
        parts.append(p)
    if profile is not None and len(parts) > profile_at:  # inside a profile's value: a key
        parts.insert(profile_at, profile)
        profile = None
    kind = first["type"]
    reason = first["msg"].removeprefix("Value error, ")
    if kind in _TYPE_KINDS:
        reason = "should be a table"
    elif kind == "missing":
        reason = "required, and not given"
    elif kind == "extra_forbidden":
        reason = "not a key nixgen knows here"
    value = None
    shows_value = isinstance((first.get("ctx") or {}).get("error"), settings_.ValueProblem)
    if kind not in ("missing", "extra_forbidden", "value_error", "assertion_error") or shows_value:
        value = shown(first.get("input"), 60)
    return ErrorLine(".".join(parts), profile, value, reason)


def first_error(err: Any, model_names: frozenset[str]) -> str:
    """One line for a validation error (see error_line)."""
    return str(error_line(err, model_names))
