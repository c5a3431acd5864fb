"""What building a plan asks of the flavour it is for. nixgen.nix.flavors.base extends it with
what the renderer asks, and nixgen.nix.flavors answers both for hetzkube and nixidy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from nixgen.input import settings
from nixgen.input.spec import Spec, UserObject
from nixgen.nixatoms import InNix
from nixgen.plan.model import Alias, Option


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

    def own_defaults(self) -> dict[tuple[str, ...], Any]:
        """The flavour's own defaults of typed settings (setting keys → value), which nixgen's
        defaults take where the user leaves the setting open."""
        return {}

    def production_host(self, spec: Spec) -> Any:
        """Production's k8sServiceHost: a Nix expression where the framework has one, else a
        value to set in Nix (`cilium.settings.k8sServiceHost`)."""
        return InNix("cfg.settings.k8sServiceHost")

    def aliases(self, spec: Spec) -> list[Alias]:
        """Options of the framework's own Cilium module that the module keeps, as aliases of
        the settings they set."""
        return []

    def chart_options(self, spec: Spec) -> list[Option]:
        """The options the module takes the chart from, declared after `cilium.settings`."""
        raise NotImplementedError

    def check_object(self, obj: UserObject, where: str) -> None:
        """Raise ObjectError for a user's object (`where` in the config) the flavour cannot
        deploy."""

    def fact_needs(self, spec: Spec) -> FactNeeds:
        """The per-minor facts the module selects by `cilium.version`."""
        return FactNeeds()


def with_host(written: dict[str, Any], host: Any) -> dict[str, Any]:
    """`written` (settings in the config's notation) with settings.PRODUCTION_HOST, at
    k8sServiceHost or at its production side, replaced by `host` (plan data)."""
    value = written.get("k8sServiceHost")
    if value == settings.PRODUCTION_HOST:
        written["k8sServiceHost"] = host
    elif isinstance(value, Mapping) and value.get("production") == settings.PRODUCTION_HOST:
        written["k8sServiceHost"] = {**value, "production": host}
    return written
