"""The pipeline step that checks every object the module deploys, in each profile, as the API
server would:

- a Cilium kind against the schema of its kind's apiVersion in the pinned release
  (nixgen.checks.crd, the schema store nixgen.facts.crds);
- a Gateway API kind against the CRDs of the gateway-api release the module deploys (the
  catalog's for the minor, or `gatewayApiVersion`; nixgen.facts.gatewayapi);
- a core Kubernetes kind (ConfigMap, Service, NetworkPolicy, ...) against Kubernetes'
  OpenAPI schemas, when the optional kubernetes-validate package is there (nixgen.checks.core).

A patch is judged by its kind's storage (or usual) version, without required fields. What
cannot be checked is said in a warning: core objects without `nixgen[k8s]`, Gateway API
objects of a gateway-api release (or a kind) nixgen has no schemas of. Objects of any other
kind are deployed as given."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from nixgen.checks import crd
from nixgen.facts import catalog
from nixgen.facts.gatewayapi import GROUP as GATEWAY_GROUP
from nixgen.input.choices import PROFILES
from nixgen.plan.model import KubeObject, Plan, resolve
from nixgen.plan.objects import NIXGENS_OWN, ObjectError


def _is_cilium(obj: KubeObject, release: catalog.Release) -> bool:
    return obj.kind in release.namespaced or obj.api_version.startswith("cilium.io/")


# The Gateway API's kinds, standard and experimental: a patch (which names no apiVersion) of
# one of them is judged against the gateway-api release's CRDs.
GATEWAY_KINDS = frozenset({
    "GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute",
    "ReferenceGrant", "BackendTLSPolicy", "BackendLBPolicy", "ListenerSet", "XListenerSet",
})  # fmt: skip


def _is_gateway(obj: KubeObject) -> bool:
    if obj.patch:
        return obj.kind in GATEWAY_KINDS
    return obj.api_version.rpartition("/")[0] == GATEWAY_GROUP


def _describe(obj: KubeObject) -> str:
    where = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    return f"{obj.kind} {where}"


def _key(manifest: dict[str, Any]) -> str | None:
    """A cache key for a manifest; None for one holding a Nix expression (not JSON)."""
    try:
        return json.dumps(manifest, sort_keys=True)
    except TypeError:
        return None


def _validated(manifest: dict[str, Any], version: str, patch: bool = False) -> list[Any]:
    """crd.validate, once per distinct object and release in a process: a long-running
    caller generates the same policies again and again. (An object holding a Nix expression
    is not JSON, and is validated each time.)"""
    key = _key(manifest)
    if key is None:
        return crd.validate(manifest, version, patch)
    return list(_validated_json(key, version, patch))


@lru_cache(maxsize=1024)
def _validated_json(key: str, version: str, patch: bool) -> tuple[Any, ...]:
    return tuple(crd.validate(json.loads(key), version, patch))


def gateway_release(plan: Plan) -> str:
    """The gateway-api release the module deploys: `gatewayApiVersion`, else the catalog's
    for the Cilium minor in use."""
    return plan.spec.gatewayApiVersion or catalog.load().gateway_api[plan.release.minor]


def check(plan: Plan) -> list[str]:
    """Every object of each profile that nixgen can judge, judged: ObjectError naming the
    object, where the config asks for it, the JSON path and the problem. Returns the warnings
    for objects nixgen could not check. Each schema store is read only when there are objects
    of its kinds."""
    from nixgen.checks import core

    release = plan.release
    judged: list[tuple[KubeObject, str, Any]] = []  # (object, how, with what)
    unchecked_core: list[KubeObject] = []
    warnings: list[str] = []
    for obj in plan.objects:
        if obj.origin in NIXGENS_OWN:
            continue  # fixed bodies, held to every release's CRDs by the tests (test_crds.py)
        if _is_cilium(obj, release):
            judged.append((obj, "cilium", plan.release.version))
        elif _is_gateway(obj):
            found = _gateway_judge(obj, gateway_release(plan))
            if isinstance(found, str):
                warnings.append(found)
            else:
                judged.append((obj, "gateway", gateway_release(plan)))
        elif (api := core.api_of(obj.api_version, obj.kind, obj.patch)) is not None:
            if core.available():
                judged.append((obj, "core", api))
            else:
                unchecked_core.append(obj)
    for profile in PROFILES:
        values = plan.values_for(profile)
        for obj, how, against in judged:
            if not obj.when.holds(profile, values):
                continue
            manifest = resolve(obj.manifest(), profile)
            if how == "cilium":
                problems = [str(p) for p in _validated(manifest, against, obj.patch)]
            elif how == "gateway":
                problems = [str(p) for p in crd.validate_gateway(manifest, against, obj.patch)
                            or ()]  # fmt: skip
            else:
                problems = core.validate(manifest, against, obj.patch)
            if problems:
                # A field the API server would drop (a misspelt `listners`) says more than the
                # required field it leaves missing (`listeners`): shown first.
                problems.sort(key=lambda p: p.endswith(": is required but missing"))
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                origin = f"{obj.origin}: " if obj.origin else ""
                raise ObjectError(f"{origin}{_describe(obj)}: {problems[0]}{more}")
    if unchecked_core:
        named = ", ".join(f"{o.origin} ({_describe(o)})" for o in unchecked_core)
        warnings.append(f"{named}: not checked against Kubernetes {core.KUBERNETES_VERSION}'s "
                        f"schemas, which need the kubernetes-validate package: {core.INSTALL}")
    return list(dict.fromkeys(warnings))


def _gateway_judge(obj: KubeObject, release: str) -> str | None:
    """None when the Gateway API object can be judged against gateway-api `release`, else
    the warning saying why it is not."""
    from nixgen.facts import gatewayapi

    kinds = gatewayapi.kinds(release)
    head = f"{obj.origin} ({_describe(obj)}): not checked"
    if kinds is None:
        known = ", ".join(gatewayapi.releases()) or "none"
        return (f"{head}: nixgen has no schemas of gateway-api {release} (it has {known}); "
                "import them with `nixgen catalog import-gateway-api`")  # fmt: skip
    if obj.kind not in kinds:
        return (f"{head}: gateway-api {release}'s standard channel has no {obj.kind} CRD "
                "(an experimental kind is deployed as given)")  # fmt: skip
    return None
