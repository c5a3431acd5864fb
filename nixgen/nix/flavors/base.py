"""What a flavour is: one framework the cluster module is written for (nixgen.nix.flavors.hetzkube,
nixgen.nix.flavors.nixidy), holding everything that differs between them.

Building the plan asks a flavour which settings its module writes, which options of its own it
declares and which facts it selects per Cilium minor, and whether it can deploy an object; the
renderer asks it for its template, the header's lines about it, and where its objects and
patches go. Nothing else in nixgen tells one flavour from another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nixgen.input.spec import Spec, UserObject
from nixgen.plan.model import FactNeeds, KubeObject
from nixgen.plan.options import Option

# An object as the module writes it (its apiVersion from the facts of the minor in use).
Manifest = Callable[[KubeObject], dict[str, Any]]


class Flavor:
    """A flavour's answers; the defaults are those of a framework that needs nothing more."""

    name: str = ""
    # Typed settings whose option defaults to one of the flavour's own options: setting keys →
    # that option's name.
    linked: Mapping[tuple[str, ...], str] = {}

    @property
    def template(self) -> str:
        """The template (templates/nix) that writes this flavour's module."""
        return f"{self.name}.nix.j2"

    def about(self, spec: Spec) -> tuple[str, ...]:
        """The header's lines that say what the module is for."""
        raise NotImplementedError

    def module_settings(self, spec: Spec) -> dict[str, Any]:
        """The settings the module writes before the config's other values (the config's
        notation)."""
        return dict(spec.settings)

    def own_options(self, spec: Spec, values: Mapping[str, Any]) -> list[Option]:
        """Options of the framework's own Cilium module that the module keeps, declared before
        `cilium.settings`, with their defaults from the final Helm `values`."""
        return []

    def chart_options(self, spec: Spec) -> list[Option]:
        """The options the module takes the chart and the API server host from, declared after
        `cilium.settings`."""
        raise NotImplementedError

    def check_object(self, obj: UserObject, where: str) -> None:
        """Raise ObjectError for a user's object (`where` in the config) the flavour cannot
        deploy."""

    def fact_needs(self, spec: Spec) -> FactNeeds:
        """The per-minor facts the module selects by `cilium.version`."""
        return FactNeeds()

    def object_entry(self, objects: list[KubeObject], manifest: Manifest) -> Any:
        """The `lib.mkMerge` entry that deploys `objects` (one condition's group)."""
        raise NotImplementedError
