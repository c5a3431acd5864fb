"""The pipeline, one direction: Spec → Plan (+ catalog) → rules → render → nixfmt.

The command line and the library API (`nixgen.generate`, `nixgen.check`) both run it; every
stage raises a NixgenError for input it cannot use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nixgen.checks import rules
from nixgen.nix import nixfmt, render
from nixgen.plan import model
from nixgen.input.spec import Spec


@dataclass(frozen=True)
class Result:
    text: str
    warnings: list[str]


def as_spec(spec: Spec | Mapping[str, Any]) -> Spec:
    """A Spec, or a config (as a config file would give it) validated into one."""
    if isinstance(spec, Spec):
        return spec
    from nixgen.input import spec as spec_

    return spec_.validate(spec)


def checked_plan(spec: Spec | Mapping[str, Any]) -> tuple[model.Plan, list[str]]:
    """The plan and its warnings, after the check of the final values against the pinned chart
    and the typed settings, the cross-field rules, and the check of every Cilium object against
    its CRD's schema. A plain spec (flavour, version and generation only) gives the same values
    and objects for every config; tests prove those valid for every release, so its start stays
    fast."""
    built = model.build(as_spec(spec))
    warnings: list[str] = []
    plain = is_plain(built.spec)
    if not plain:
        from nixgen.checks import values

        warnings += values.check(built)
    warnings += rules.check(built)
    if not plain:
        from nixgen.plan import objects

        objects.check(built)
    return built, warnings


def is_plain(spec: Spec) -> bool:
    """Whether the user gave nothing beyond flavour, version and easykubenix generation."""
    return not (set(spec.given) - {"flavor", "ciliumVersion", "easykubenix"})


def module(spec: Spec | Mapping[str, Any], fmt: str = "never",
           filename: str = "cilium.nix") -> Result:
    """The module text (through nixfmt as `fmt` says) and the warnings."""
    built, warnings = checked_plan(spec)
    return Result(nixfmt.format_source(render.render(built), fmt, filename), warnings)


def node(spec: Spec | Mapping[str, Any], profile: str, fmt: str = "never",
         filename: str = "cilium-node.nix") -> Result:
    """The node module (NixOS, for the k3s nodes) of one profile, and the warnings: planned
    from the same checked plan as the cluster module, so the two cannot disagree."""
    from nixgen.plan import node as node_

    built, warnings = checked_plan(spec)
    text = node_.render_node(built, profile)
    return Result(nixfmt.format_source(text, fmt, filename), warnings)


def crds(spec: Spec | Mapping[str, Any], fmt: str = "never",
         filename: str = "cilium-crds.nix") -> str:
    """The CRD module (nixgen.nix.crds) of the spec's flavour, release and easykubenix
    generation: the same catalog release the spec's cluster module takes its facts from."""
    from nixgen.nix import crds as crds_

    spec = as_spec(spec)
    return nixfmt.format_source(crds_.render(spec.flavor, spec.ciliumVersion, spec.easykubenix),
                                fmt, filename)  # fmt: skip
