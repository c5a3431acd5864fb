"""Plan → Nix source, through one Jinja template per flavour (templates/nix/).

Templates hold structure only: every piece of data goes through the `nix` filter or the
`bindings` global, both from nixgen.emit.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

import jinja2

from nixgen import __version__, emit
from nixgen.emit import Attrs, Call, If, Raw
from nixgen.plan import ALWAYS, Plan

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
    "nixidy": (
        "A nixidy module: the chart comes from the `charts` argument (charts.cilium.cilium).",
        "nixidy has no clusterHost: production needs `cilium.k8sServiceHost` set.",
    ),
}
GITHUB = {"type": "github", "owner": "cilium", "repo": "cilium"}


def _load(name: str) -> str:
    import nixgen.templates  # its folder: templates/ in a checkout, nixgen/templates installed

    folder = os.path.join(os.path.dirname(nixgen.templates.__file__), "nix")
    with open(os.path.join(folder, name), encoding="utf-8") as handle:
        return handle.read()


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["nix"] = emit.expr
    env.globals["bindings"] = emit.bindings
    env.globals["item"] = emit.item
    return env


def object_entries(plan: Plan) -> list[Any]:
    """One `lib.mkMerge` entry per group of objects that share a condition: hetzkube puts them
    under `kubernetes.resources.<namespace or none>.<kind>.<name>`, nixidy adds them as YAML
    (JSON is YAML) to `applications.cilium.yamls`, which needs no Cilium type module."""
    entries: list[Any] = []
    for condition, objects in plan.object_groups():
        if plan.flavor == "hetzkube":
            content: dict[str, Any] = {}
            for obj in objects:
                scope = content.setdefault(obj.namespace or "none", {})
                scope.setdefault(obj.kind, {})[obj.name] = manifest(plan, obj)
            entry: Any = {"kubernetes": {"resources": content}}
        else:
            yamls = [Call("builtins.toJSON", (manifest(plan, obj),)) for obj in objects]
            entry = {"applications": {"cilium": {"yamls": yamls}}}
        if condition != ALWAYS:
            entry = Call("lib.mkIf", (Raw(condition.nix()), entry))
        entries.append(entry)
    return entries


def manifest(plan: Plan, obj: Any) -> dict[str, Any]:
    """An object as the module writes it: a Cilium kind's apiVersion comes from the facts of
    the minor in use, so editing `cilium.version` in Nix keeps it right."""
    out = obj.manifest()
    if obj.kind in plan.api_mappings:
        out["apiVersion"] = Raw(f"facts.apiMappings.{obj.kind}")
    return out


def source(plan: Plan) -> Any:
    """fetchTree's arguments: pinned to rev/narHash for the version they were computed for."""
    unpinned = {**GITHUB, "ref": Raw('"v${cfg.version}"')}
    pin = plan.spec.source
    if pin.rev is None:
        return unpinned
    pinned = {**GITHUB, "rev": pin.rev}
    if pin.narHash is not None:
        pinned["narHash"] = pin.narHash
    return If(f"cfg.version == {emit.string(plan.version)}", pinned, unpinned)


def spec_json(plan: Plan) -> str:
    """The spec in one line of ASCII JSON: what the user set, flavour and version always."""
    return json.dumps(plan.spec.header_data(), ensure_ascii=True, separators=(",", ":"))


@cache
def _facts_text(facts_json: str) -> str:
    facts = json.loads(facts_json)
    return emit.bindings({minor: Attrs(entry) for minor, entry in facts.items()}, 6)


def facts_text(plan: Plan) -> str:
    """The facts table's bindings. They are the same for every spec of one flavour,
    generation and release, so each is written once per process."""
    return _facts_text(json.dumps(plan.facts))


def render(plan: Plan) -> str:
    template = environment().get_template(f"{plan.flavor}.nix.j2")
    about = "nixidy" if plan.flavor == "nixidy" else plan.spec.easykubenix
    return template.render(
        plan=plan,
        objects=object_entries(plan),
        facts=facts_text(plan),
        source=source(plan),
        gateway_api=plan.spec.gatewayApiVersion or Raw("facts.gatewayApi"),
        about=ABOUT[about],
        spec_json=spec_json(plan),
        nixgen_version=__version__,
    )
