"""The nixidy flavour: `applications.cilium` in nixidy, its objects added as JSON documents (no
Cilium type module needed), its patches through nixidy's typed resources."""

from __future__ import annotations

from typing import Any

from nixgen.input.spec import Spec, UserObject
from nixgen.nix.flavors.base import Flavor, Manifest
from nixgen.nixatoms import Call, Raw
from nixgen.plan.model import NAMESPACE, KubeObject, Option
from nixgen.plan.objects import ObjectError

ABOUT = (
    "A nixidy module: the chart is `cilium.chart`, by default nixhelm's charts.cilium.cilium.",
    "nixidy has no clusterHost: production needs `cilium.settings.k8sServiceHost` set.",
)

# Kind → nixidy's typed-resource attribute under applications.<app>.resources: the kinds whose
# objects merge with the chart's. Others (Gateway API kinds, Cilium's) cannot be patched.
TYPED_RESOURCES: dict[str, str] = {
    "Namespace": "namespaces",
    "ClusterRole": "clusterRoles",
    "ClusterRoleBinding": "clusterRoleBindings",
    "PersistentVolume": "persistentVolumes",
    "StorageClass": "storageClasses",
    "IngressClass": "ingressClasses",
    "PriorityClass": "priorityClasses",
    "Secret": "secrets",
    "ConfigMap": "configMaps",
    "Service": "services",
    "ServiceAccount": "serviceAccounts",
    "Deployment": "deployments",
    "DaemonSet": "daemonSets",
    "StatefulSet": "statefulSets",
    "Job": "jobs",
    "CronJob": "cronJobs",
    "Role": "roles",
    "RoleBinding": "roleBindings",
    "Ingress": "ingresses",
    "NetworkPolicy": "networkPolicies",
    "PersistentVolumeClaim": "persistentVolumeClaims",
}


class Nixidy(Flavor):
    name = "nixidy"

    def about(self, spec: Spec) -> tuple[str, ...]:
        return ABOUT

    def chart_options(self, spec: Spec) -> list[Option]:
        """The chart, nixhelm's unless given."""
        return [
            Option(("chart",), Call("lib.types.either", (Raw("lib.types.package"),
                                                        Raw("lib.types.path"))),
                   Raw("charts.cilium.cilium"),
                   "The Cilium Helm chart (a derivation or a folder), of the release "
                   "`cilium.version` names; nixhelm's charts.cilium.cilium is the release of the "
                   "nixhelm commit in use. A chart derivation named for another release fails the "
                   "evaluation."),
        ]  # fmt: skip

    def check_object(self, obj: UserObject, where: str) -> None:
        """Only a patch of a typed kind, in the application's namespace, reaches the chart's
        object."""
        if not obj.patch:
            return
        if obj.kind not in TYPED_RESOURCES:
            typed = ", ".join(TYPED_RESOURCES)
            raise ObjectError(f"{where}: nixidy cannot patch a {obj.kind}: only objects of its "
                              f"typed kinds ({typed}) merge with the chart's; use the "
                              "application's objectTransforms for others")  # fmt: skip
        if obj.namespace not in (None, NAMESPACE):
            raise ObjectError(f"{where}: nixidy keys the chart's objects by name within the "
                              f"application's namespace ({NAMESPACE}): a patch cannot reach "
                              f"namespace {obj.namespace!r}")  # fmt: skip

    def object_entry(self, objects: list[KubeObject], manifest: Manifest) -> Any:
        """As YAML (JSON is YAML) in `applications.cilium.yamls`; a patch in the typed resources
        (`applications.cilium.resources.secrets.<name>`), keyed by name in the app's
        namespace."""
        app: dict[str, Any] = {}
        yamls = [Call("builtins.toJSON", (manifest(obj),)) for obj in objects if not obj.patch]
        if yamls:
            app["yamls"] = yamls
        for obj in (o for o in objects if o.patch):
            typed = app.setdefault("resources", {})
            typed.setdefault(TYPED_RESOURCES[obj.kind], {})[obj.name] = obj.changes()
        return {"applications": {"cilium": app}}


NIXIDY = Nixidy()
