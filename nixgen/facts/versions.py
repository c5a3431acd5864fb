"""Cilium versions: the one reading of `X.Y.Z`, its minor, and their order.

Releases are `X.Y.Z` without leading zeros; a minor is `X.Y`. Dotted numbers of any length
(an image tag's `1.2`, a stored chart file's name) compare by their numbers, as Nix's
`builtins.compareVersions` compares them."""

from __future__ import annotations

import re

from nixgen.errors import NixgenError

VERSION_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\Z")


class UnknownVersion(NixgenError):
    """A version string that is not X.Y.Z, or a minor nixgen has no facts for."""


def parse(text: str) -> tuple[int, int, int]:
    """`1.18.4` → (1, 18, 4); UnknownVersion for anything that is not X.Y.Z."""
    m = VERSION_RE.match(text)
    if not m:
        raise UnknownVersion(f"{text!r} is not a version of the form X.Y.Z (for example 1.18.4)")
    return int(m[1]), int(m[2]), int(m[3])


def minor(version: str) -> str:
    """`1.18.4` → `1.18`."""
    major, minor_, _ = parse(version)
    return f"{major}.{minor_}"


def numbers(dotted: str) -> tuple[int, ...]:
    """The numbers of a dotted version of any length (`1.18`, `1.18.4`, `0.9.0`): the order of
    releases and minors. ValueError when a part is not a number."""
    return tuple(int(part) for part in dotted.split("."))
