"""The hetzkube flavour: an easykubenix/kubenix module in hetzkube's layout, for one of three
easykubenix generations (`hetzkube-pin`, `current`, `standalone`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nixgen import tree
from nixgen.input.spec import Spec
from nixgen.nix.flavors.base import Flavor, Manifest
from nixgen.nixatoms import Call, Raw
from nixgen.plan.flavor import FactNeeds
from nixgen.plan.model import NO_DEFAULT, KubeObject, Option
from nixgen.plan.options import STR, value_type

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
        "CRDs itself, and production needs `cilium.k8sServiceHost` set.",
    ),
}

# The options hetzkube's own Cilium module declares, kept so that a configuration written for
# it keeps working: name → the setting it sets, its default there, and its description.
OWN_OPTIONS = {
    "policyAuditMode": (("policyAuditMode",), False,
                        ("Whether to enable policy audit mode: policy verdicts are logged instead "
                        "of enforced (hetzkube's option; it sets cilium.settings.policyAuditMode). "
                        "rollOutCiliumPods restarts the agents when it changes.")),
    "gatewayAPI": (("gatewayAPI", "enabled"), True,
                   ("Whether to enable Gateway API: Cilium's controller and the gateway-api CRDs "
                   "(hetzkube's option; it sets cilium.settings.gatewayAPI.enabled).")),
}  # fmt: skip


class Hetzkube(Flavor):
    name = "hetzkube"
    linked = {keys: name for name, (keys, _, _) in OWN_OPTIONS.items()}

    def about(self, spec: Spec) -> tuple[str, ...]:
        return ABOUT[spec.easykubenix]

    def own_defaults(self) -> dict[tuple[str, ...], Any]:
        """hetzkube's policyAuditMode default (its module writes it always)."""
        keys, default, _ = OWN_OPTIONS["policyAuditMode"]
        return {keys: default}

    def own_options(self, spec: Spec, values: Mapping[str, Any]) -> list[Option]:
        """hetzkube's own options, defaulting to the final values (null where they leave the
        setting to the chart: hetzkube's type then takes null too)."""
        out = []
        for name, (keys, _, description) in OWN_OPTIONS.items():
            value = tree.lookup(values, keys)
            out.append(Option((name,), value_type(keys, value), value, description))
        return out

    def chart_options(self, spec: Spec) -> list[Option]:
        """The Cilium tree (its chart and CRDs) fetched at the release's tag, and the API server
        host, hetzkube's `clusterHost` unless easykubenix stands alone."""
        src = Option(("src",), Raw("lib.types.path"), Raw("builtins.fetchTree source"),
                     "The Cilium source tree: its chart and CRDs.",
                     Call("lib.literalMD", ("the cilium/cilium GitHub tree at tag `v<version>`",)))
        if spec.easykubenix == "standalone":
            host = Option(("k8sServiceHost",), STR, NO_DEFAULT,
                          "API server host the Cilium agents use in production (required there).")
        else:
            host = Option(("k8sServiceHost",), STR, Raw("config.clusterHost"),
                          "API server host the Cilium agents use in production.")
        return [src, host]

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
