"""The pipeline, one direction: Spec → Plan (facts, flavour) → checks → render → nixfmt.

The command line and the library API (`nixgen.generate`, `nixgen.check`) both run it; every
stage raises a NixgenError for input it cannot use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from nixgen.checks import extra, verdicts
from nixgen.input.spec import Spec, validate
from nixgen.nix import nixfmt, render
from nixgen.nix.flavors import registry
from nixgen.plan.build import build, settled
from nixgen.plan.model import Plan


class Result(NamedTuple):
    """What the pipeline gives: the text, the warnings for stderr, and the notes (each of
    nixgen's defaults that yields to the user's values, and why)."""

    text: str
    warnings: list[str]
    notes: tuple[str, ...] = ()


def as_spec(spec: Spec | Mapping[str, Any]) -> Spec:
    """A Spec, or a config (as a config file would give it) validated into one."""
    if isinstance(spec, Spec):
        return spec
    return validate(spec)


def planned(spec: Spec | Mapping[str, Any]) -> Plan:
    """The plan of `spec`, unchecked but for which of nixgen's defaults yield to the user's
    values (nixgen.checks.defaults)."""
    spec = as_spec(spec)
    flavor = registry.of(spec.flavor)
    built = build(spec, flavor, finish=False)
    if not built.given:  # nothing of the user's for nixgen's defaults to collide with
        return settled(built, flavor, built.defaults)
    from nixgen.checks import defaults

    kept, notes = defaults.settle(built)
    done = settled(built, flavor, kept, notes)
    done._memo.update(built._memo)  # what is resolved of the user's layers holds
    if not notes:  # the same final values
        done._resolved.update(built._resolved)
    return done


def checked_plan(spec: Spec | Mapping[str, Any]) -> tuple[Plan, list[str]]:
    """The plan and its warnings, after the check of the final values against the pinned chart
    and the typed settings, the cross-field rules, and the check of every Cilium object against
    its CRD's schema. A plain spec (flavour, version and generation only) gives the same values
    and objects for every config; tests prove those valid for every release, so its start stays
    fast."""
    built = planned(spec)
    warnings = [w for file in built.spec.files for w in file.warnings]
    plain = is_plain(built.spec)
    if not plain:
        # Only a spec beyond the plain one is checked against the chart and the CRD schemas,
        # and only then are those checks loaded.
        from nixgen.checks import k8s, values

        k8s.check(built.spec)
        warnings += values.check(built)
    warnings += verdicts.check(built)
    warnings += extra.check(built)
    if not plain:
        from nixgen.checks import objects

        warnings += objects.check(built)
    if not plain and built.given:
        from nixgen.checks import defaults

        warnings += defaults.inert_warnings(built)
    return built, warnings


def is_plain(spec: Spec) -> bool:
    """Whether the user gave nothing beyond flavour, version and easykubenix generation."""
    return not (set(spec.given) - {"flavor", "ciliumVersion", "easykubenix"})


def module(spec: Spec | Mapping[str, Any], fmt: str = "never",
           filename: str = "cilium.nix") -> Result:
    """The module text (through nixfmt as `fmt` says) and the warnings."""
    built, warnings = checked_plan(spec)
    return Result(nixfmt.format_source(render.render(built), fmt, filename), warnings,
                  built.notes)


def node(spec: Spec | Mapping[str, Any], profile: str, fmt: str = "never",
         filename: str = "cilium-node.nix") -> Result:
    """The node module (NixOS, for the k3s nodes) of one profile, and the warnings: planned
    from the same checked plan as the cluster module, so the two cannot disagree."""
    from nixgen.nix.node import render_node  # planning and writing a node module: not at start


    built, warnings = checked_plan(spec)
    text = render_node(built, profile)
    return Result(nixfmt.format_source(text, fmt, filename), warnings, built.notes)


def crds(spec: Spec | Mapping[str, Any], fmt: str = "never",
         filename: str = "cilium-crds.nix") -> str:
    """The CRD module (nixgen.nix.crds) of the spec's flavour, release and easykubenix
    generation: the same catalog release the spec's cluster module takes its facts from."""
    from nixgen.nix import crds as crds_

    spec = as_spec(spec)
    return nixfmt.format_source(crds_.render(spec.flavor, spec.ciliumVersion, spec.easykubenix),
                                fmt, filename)  # fmt: skip
