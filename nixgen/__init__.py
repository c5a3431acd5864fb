"""nixgen: generate version-pinned Nix modules that deploy Cilium into k3s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nixgen.version import __version__

__all__ = ["__version__", "check", "generate"]

if TYPE_CHECKING:
    from nixgen.input.spec import Spec


def check(spec: Spec | Mapping[str, Any]) -> list[str]:
    """The warnings for `spec` (a Spec, or a config as a dict); raises a
    nixgen.errors.NixgenError for bad input or a broken rule."""
    from nixgen import pipeline

    return pipeline.checked_plan(spec)[1]


def generate(spec: Spec | Mapping[str, Any]) -> str:
    """The module text for `spec` (a Spec, or a config as a dict), without nixfmt; raises a
    nixgen.errors.NixgenError for bad input or a broken rule."""
    from nixgen import pipeline

    return pipeline.module(spec).text
