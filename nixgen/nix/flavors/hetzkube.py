"""The hetzkube flavour: an easykubenix/kubenix module in hetzkube's layout, for one of three
easykubenix generations (`hetzkube-pin`, `current`, `standalone`)."""

from __future__ import annotations

from typing import Any

from nixgen.input.spec import Spec
from nixgen.nix.flavors.base import Flavor, Manifest
from nixgen.nixatoms import Call, Raw
from nixgen.plan.flavor import FactNeeds
from nixgen.plan.model import Alias, KubeObject, Option

ABOUT = {
    "hetzkube-pin": (
        "An easykubenix/kubenix module in hetzkube's layout, for the easykubenix hetzkube pins",
        "(with kubernetes.namespacedMappings); it relies on hetzkube's own modules for the",
        "`gateway-api.*` and `clusterHost` options.",
    ),
    "current": (
        "An easykubenix/kubenix module in hetzkube's layout, for easykubenix after 2026-01-31",
        "(no kubernetes.namespacedMappings); it relies on hetzkube's own modules for the",
        "`gateway-api.*` and `clusterHost` options.",
    ),
    "standalone": (
        "An easykubenix/kubenix module that needs no other module: it imports the Gateway API",
        "CRDs itself, and production needs `cilium.settings.k8sServiceHost` set.",
    ),
}

# The options hetzkube's own Cilium module declares, kept so that a configuration written for
# it keeps working: each an alias of the setting it sets (reading it reads the setting; setting
# both to different values is an error, as for any option defined twice), and hetzkube's
# default where nixgen has none.
OWN_OPTIONS = {"policyAuditMode": (("policyAuditMode",), False),
               "gatewayAPI": (("gatewayAPI", "enabled"), True)}  # fmt: skip


class Hetzkube(Flavor):
    name = "hetzkube"

    def about(self, spec: Spec) -> tuple[str, ...]:
        return ABOUT[spec.easykubenix]

    def own_defaults(self) -> dict[tuple[str, ...], Any]:
        """hetzkube's policyAuditMode default (its module writes it always)."""
        keys, default = OWN_OPTIONS["policyAuditMode"]
        return {keys: default}

    def production_host(self, spec: Spec) -> Any:
        """hetzkube's `clusterHost`, unless easykubenix stands alone (then set in Nix)."""
        if spec.easykubenix == "standalone":
            return super().production_host(spec)
        return Raw("config.clusterHost")

    def aliases(self, spec: Spec) -> list[Alias]:
        return [Alias(("cilium", name), ("cilium", "settings", *keys))
                for name, (keys, _) in OWN_OPTIONS.items()]  # fmt: skip

    def chart_options(self, spec: Spec) -> list[Option]:
        """The Cilium tree (its chart and CRDs), fetched at the release's tag."""
        return [Option(("src",), Raw("lib.types.path"), Raw("builtins.fetchTree source"),
                       "The Cilium source tree: its chart and CRDs.",
                       Call("lib.literalMD",
                            ("the cilium/cilium GitHub tree at tag `v<version>`",)))]  # fmt: skip

    def fact_needs(self, spec: Spec) -> FactNeeds:
        """The gateway-api release of each minor (the module deploys it), its experimental CRDs
        when the module imports them itself, the v2alpha1 CRDs of the kinds it creates, and the
        kinds' scopes for the easykubenix hetzkube pins (kubernetes.namespacedMappings)."""
        return FactNeeds(gateway_api=True,
                         experimental_gateway_api=spec.easykubenix == "standalone",
                         alpha_crds=True, scopes=spec.easykubenix == "hetzkube-pin")  # fmt: skip

    def object_entry(self, objects: list[KubeObject], manifest: Manifest) -> Any:
        """Under `kubernetes.resources.<namespace or none>.<kind>.<name>`; a patch is a
        definition at the object's place, which the framework merges with the chart's."""
        content: dict[str, Any] = {}
        for obj in objects:
            scope = content.setdefault(obj.namespace or "none", {})
            body = obj.changes() if obj.patch else manifest(obj)
            scope.setdefault(obj.kind, {})[obj.name] = body
        return {"kubernetes": {"resources": content}}


HETZKUBE = Hetzkube()
