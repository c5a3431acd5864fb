"""Objects of Kubernetes' own kinds (ConfigMap, Secret, Service, Namespace, Deployment, ...
in `[[objects]]`, NetworkPolicy in `policies.extra`) checked against the Kubernetes OpenAPI
schemas, as the API server with strict field validation would judge them: an unknown field, a
wrong type, a value outside an enum, a missing required field.

The schemas come from the `kubernetes-validate` package (PyPI), which ships them for every
Kubernetes release offline, in a strict form that refuses unknown fields. It is about 100 MB
installed, so it is an optional extra, `nixgen[k8s]`; without it such objects are not checked,
and nixgen says so in one warning. The Kubernetes release judged against is KUBERNETES_VERSION,
one k3s ships. A patch carries only what it changes: it is judged without required fields,
by its kind's usual apiVersion (PATCH_API).
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from typing import Any

from nixgen.nixatoms import Call, Raw
from nixgen.tree import shown

# The Kubernetes release the schemas are taken from: k3s v1.33 (its stable channel's minor
# when this was written). kubernetes-validate ships one set of schemas per minor.
KUBERNETES_VERSION = "1.33"

# The API groups Kubernetes 1.33 serves itself ("" is the core group, apiVersion v1); an
# object in one of them is a core object. Groups of CRDs (cilium.io,
# gateway.networking.k8s.io, *.x-k8s.io, ...) are not here.
BUILTIN_GROUPS = frozenset({
    "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
    "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io",
    "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io",
    "node.k8s.io", "policy", "rbac.authorization.k8s.io", "resource.k8s.io",
    "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io",
})  # fmt: skip

# The apiVersion a patch (which carries none) of a core kind is judged by.
PATCH_API = {
    "ConfigMap": "v1", "Secret": "v1", "Service": "v1", "ServiceAccount": "v1",
    "Namespace": "v1", "Pod": "v1", "PersistentVolumeClaim": "v1", "Endpoints": "v1",
    "Deployment": "apps/v1", "DaemonSet": "apps/v1", "StatefulSet": "apps/v1",
    "Job": "batch/v1", "CronJob": "batch/v1", "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1", "ClusterRole": "rbac.authorization.k8s.io/v1",
    "ClusterRoleBinding": "rbac.authorization.k8s.io/v1", "Ingress": "networking.k8s.io/v1",
    "IngressClass": "networking.k8s.io/v1", "NetworkPolicy": "networking.k8s.io/v1",
    "PodDisruptionBudget": "policy/v1", "PriorityClass": "scheduling.k8s.io/v1",
    "StorageClass": "storage.k8s.io/v1", "EndpointSlice": "discovery.k8s.io/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2", "Lease": "coordination.k8s.io/v1",
    "ValidatingWebhookConfiguration": "admissionregistration.k8s.io/v1",
    "MutatingWebhookConfiguration": "admissionregistration.k8s.io/v1",
    "APIService": "apiregistration.k8s.io/v1",
    "CustomResourceDefinition": "apiextensions.k8s.io/v1",
}  # fmt: skip

INSTALL = "pip install 'nixgen[k8s]'"


def api_of(api_version: str, kind: str, patch: bool) -> str | None:
    """The apiVersion an object is judged by when it is a core object, else None."""
    api = PATCH_API.get(kind) if patch else api_version
    if not api:
        return None
    group = api.rpartition("/")[0]
    return api if group in BUILTIN_GROUPS else None


@cache
def _folder() -> str | None:
    """The schemas of KUBERNETES_VERSION in the installed kubernetes-validate (found without
    importing it: only its data is used), else None."""
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("kubernetes_validate")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        folder = os.path.join(root, "kubernetes-json-schema", f"v{KUBERNETES_VERSION}.0-local-strict")
        if os.path.isfile(os.path.join(folder, "_definitions.json")):
            return folder
    return None


@cache
def available() -> bool:
    """Whether kubernetes-validate's schemas (and the jsonschema it brings) are there."""
    if _folder() is None:
        return False
    try:
        import jsonschema  # noqa: F401
        import referencing  # noqa: F401
    except ImportError:
        return False
    return True


def _read(name: str) -> Any:
    import os

    with open(os.path.join(str(_folder()), name), encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _registry() -> Any:
    from referencing import Registry, Resource

    return Resource.from_contents(_read("_definitions.json")) @ Registry()


@cache
def _validator_class(patch: bool) -> Any:
    """Draft 2020-12, as kubernetes-validate uses it; for a patch, with nothing required."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    if not patch:
        return base
    return jsonschema.validators.extend(base, {"required": lambda *args: iter(())})


@cache
def _validator(api: str, kind: str, patch: bool) -> Any:
    """A jsonschema validator for `kind` in `api`; None when Kubernetes has no such kind."""
    from referencing import Resource

    group, _, version = api.rpartition("/")
    first = group.split(".")[0]
    name = f"{kind.lower()}-{first + '-' if first else ''}{version}.json"
    if "/" in name or name.startswith("."):
        return None
    try:
        schema = _read(name)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    gvk = schema.get("x-kubernetes-group-version-kind") or []
    if not any(g.get("group") == group and g.get("kind") == kind for g in gvk):
        return None  # the file of another group with the same first label
    registry = Resource.from_contents(schema) @ _registry()
    return _validator_class(patch)(schema, registry=registry)


def _plain(value: Any, path: tuple[Any, ...], unknown: list[tuple[Any, ...]]) -> Any:
    """`value` as JSON data: what only Nix knows (an expression) becomes null, its path kept
    in `unknown` so that nothing is said of it."""
    if isinstance(value, (Raw, Call)):
        unknown.append(path)
        return None
    if isinstance(value, dict):
        return {k: _plain(v, (*path, k), unknown) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, (*path, i), unknown) for i, v in enumerate(value)]
    return value


def _where(path: Any) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.replace("-", "").replace("_", "").isalnum():
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out


def validate(manifest: dict[str, Any], api: str, patch: bool = False) -> list[str]:
    """What Kubernetes KUBERNETES_VERSION's API server would refuse in `manifest`, an object
    of a core kind judged by `api`, one line each (the most telling first). Needs
    `available()`."""
    import jsonschema

    kind = str(manifest.get("kind"))
    validator = _validator(api, kind, patch)
    if validator is None:
        return [f"kind: Kubernetes {KUBERNETES_VERSION} serves no {kind} in {api}"]
    unknown: list[tuple[Any, ...]] = []
    data = _plain({**manifest, "apiVersion": api}, (), unknown)
    errors = [e for e in validator.iter_errors(data)
              if not any(tuple(e.absolute_path)[: len(u)] == u for u in unknown)]  # fmt: skip
    if not errors:
        return []
    first = jsonschema.exceptions.best_match(errors)
    rest = sorted((e for e in errors if e is not first),
                  key=lambda e: (tuple(map(str, e.absolute_path)), e.validator))  # fmt: skip
    return [_message(e, kind) for e in [first, *rest]]


_A = {"string": "a string", "integer": "an integer", "number": "a number", "object": "an object",
      "array": "an array", "boolean": "a boolean"}


def _message(err: Any, kind: str) -> str:
    path = _where(err.absolute_path)
    at = f"{path}: " if path else ""
    who = f"Kubernetes {KUBERNETES_VERSION}'s {kind}"
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        known = sorted((err.schema.get("properties") or {}).keys())
        extra = sorted(set(err.instance) - set(known))
        if extra:
            key = extra[0]
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            where = _where([*err.absolute_path, key])
            return f"{where}: {who} has no such field; the API server refuses it{hint}"
    if err.validator == "required":
        missing = err.message.split("'")[1] if err.message.count("'") >= 2 else ""
        if missing:
            return f"{_where([*err.absolute_path, missing])}: is required but missing"
    if err.validator == "type":
        wanted = err.validator_value
        names = [wanted] if isinstance(wanted, str) else [w for w in wanted if w != "null"]
        return f"{at}{shown(err.instance, 60)} is not {' or '.join(_A.get(n, n) for n in names)}"
    if err.validator == "enum":
        choices = ", ".join(str(c) for c in err.validator_value if c is not None)
        return f"{at}{shown(err.instance, 60)} is not one of {choices}"
    return f"{at}{' '.join(err.message.split())}"
