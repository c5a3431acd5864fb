"""nixgen: generate version-pinned Nix modules that deploy Cilium into k3s."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nixgen.spec import Spec


def check(spec: Spec) -> list[str]:
    """The warnings for `spec`; raises nixgen.rules.RuleError where it breaks a rule."""
    from nixgen import plan, rules

    return rules.check(plan.build(spec))


def generate(spec: Spec) -> str:
    """The module text for `spec` (without nixfmt); raises nixgen.rules.RuleError where the
    spec breaks a rule."""
    from nixgen import plan, render, rules

    built = plan.build(spec)
    rules.check(built)
    return render.render(built)
