"""nixgen: generate version-pinned Nix modules that deploy Cilium into k3s."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from nixgen.spec import Spec


def generate(spec: Spec) -> str:
    """The module text for `spec` (without nixfmt)."""
    from nixgen import commandline, plan, render

    built = plan.build(spec)
    return render.render(built, commandline.describe(spec))
