"""The pipeline step that checks every Cilium object the module deploys, in each profile,
against the schema of its kind's apiVersion in the pinned release (nixgen.checks.crd)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from nixgen.checks import crd
from nixgen.facts import catalog
from nixgen.input.choices import PROFILES
from nixgen.plan.model import KubeObject, Plan, resolve
from nixgen.plan.objects import ObjectError


def _is_cilium(obj: KubeObject, release: catalog.Release) -> bool:
    return obj.kind in release.namespaced or obj.api_version.startswith("cilium.io/")


def _describe(obj: KubeObject) -> str:
    where = f"{obj.namespace}/{obj.name}" if obj.namespace else obj.name
    return f"{obj.kind} {where}"


def _validated(manifest: dict[str, Any], version: str) -> list[Any]:
    """crd.validate, once per distinct object and release in a process: a long-running
    caller generates the same policies again and again. (An object holding a Nix expression
    is not JSON, and is validated each time.)"""
    try:
        key = json.dumps(manifest, sort_keys=True)
    except TypeError:
        return crd.validate(manifest, version)
    return list(_validated_json(key, version))


@lru_cache(maxsize=1024)
def _validated_json(key: str, version: str) -> tuple[Any, ...]:
    return tuple(crd.validate(json.loads(key), version))


def check(plan: Plan) -> None:
    """Every Cilium object of each profile (patches aside) against the openAPIV3Schema of its
    apiVersion in the pinned release: ObjectError naming the object, where the config asks
    for it, the JSON path and the problem. The schema store is read only when there are
    Cilium objects."""
    cilium = [o for o in plan.objects if not o.patch and _is_cilium(o, plan.release)]
    if not cilium:
        return
    for profile in PROFILES:
        values = plan.values_for(profile)
        for obj in cilium:
            if not obj.when.holds(profile, values):
                continue
            manifest = resolve(obj.manifest(), profile)
            problems = _validated(manifest, plan.version)
            if problems:
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                origin = f"{obj.origin}: " if obj.origin else ""
                raise ObjectError(f"{origin}{_describe(obj)}: {problems[0]}{more}")
