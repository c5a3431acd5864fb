"""What building a plan asks of the flavour it is for. nixgen.nix.flavors.base extends it with
what the renderer asks, and nixgen.nix.flavors answers both for hetzkube and nixidy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from nixgen.input.spec import Spec, UserObject
from nixgen.plan.model import Option


class FactNeeds(NamedTuple):
    """The per-minor facts a module selects by `cilium.version`, beside every module's CRD
    mappings. (A named tuple: cheaper to define at start-up than a dataclass.)"""

    gateway_api: bool = False  # the gateway-api release of each minor
    experimental_gateway_api: bool = False  # the experimental gateway-api CRDs a minor requires
    alpha_crds: bool = False  # the v2alpha1 CRD files of the kinds the module creates objects of
    scopes: bool = False  # each kind's scope, for kubernetes.namespacedMappings


class Flavor:
    """A flavour's answers to the plan; the defaults are those of a framework that needs
    nothing more than the chart and its CRD mappings."""

    name: str = ""
    # Typed settings whose option defaults to one of the flavour's own options: setting keys →
    # that option's name.
    linked: Mapping[tuple[str, ...], str] = {}

    def own_defaults(self) -> dict[tuple[str, ...], Any]:
        """The flavour's own defaults of typed settings (setting keys → value), which nixgen's
        defaults take where the user leaves the setting open."""
        return {}

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
