"""What a flavour is: one framework the cluster module is written for (nixgen.nix.flavors.hetzkube,
nixgen.nix.flavors.nixidy), holding everything that differs between them.

Building the plan asks a flavour which settings its module writes, which options of its own it
declares and which facts it selects per Cilium minor, and whether it can deploy an object
(nixgen.plan.flavor); the renderer asks it for its template, the header's lines about it, and
where its objects and patches go. Nothing else in nixgen tells one flavour from another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nixgen.input.spec import Spec
from nixgen.plan import flavor
from nixgen.plan.model import KubeObject

# An object as the module writes it (its apiVersion from the facts of the minor in use).
Manifest = Callable[[KubeObject], dict[str, Any]]


class Flavor(flavor.Flavor):
    """A flavour's answers to the plan (nixgen.plan.flavor) and to the renderer."""

    @property
    def template(self) -> str:
        """The template (templates/nix) that writes this flavour's module."""
        return f"{self.name}.nix.j2"

    def about(self, spec: Spec) -> tuple[str, ...]:
        """The header's lines that say what the module is for."""
        raise NotImplementedError

    def object_entry(self, objects: list[KubeObject], manifest: Manifest) -> Any:
        """The `lib.mkMerge` entry that deploys `objects` (one condition's group)."""
        raise NotImplementedError
