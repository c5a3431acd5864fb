"""Plan → Nix source, through one Jinja template per flavour (templates/nix/).

Templates hold structure only: every piece of data goes through the `nix` filter or the
`bindings` global, both from nixgen.emit.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2

from typing import Any

from nixgen import __version__, emit
from nixgen.emit import Call, Raw
from nixgen.plan import ALWAYS, Plan

ABOUT = {
    "hetzkube": (
        "An easykubenix/kubenix module in hetzkube's layout: it relies on hetzkube's own",
        "modules for the `gateway-api.*` and `clusterHost` options.",
    ),
    "nixidy": (
        "A nixidy module: the chart comes from the `charts` argument (charts.cilium.cilium).",
        "nixidy has no clusterHost: production needs `cilium.k8sServiceHost` set.",
    ),
}


def _load(name: str) -> str:
    return resources.files("nixgen.templates").joinpath("nix", name).read_text("utf-8")


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
                scope.setdefault(obj.kind, {})[obj.name] = obj.manifest()
            entry: Any = {"kubernetes": {"resources": content}}
        else:
            yamls = [Call("builtins.toJSON", (obj.manifest(),)) for obj in objects]
            entry = {"applications": {"cilium": {"yamls": yamls}}}
        if condition != ALWAYS:
            entry = Call("lib.mkIf", (Raw(condition.nix()), entry))
        entries.append(entry)
    return entries


def render(plan: Plan, command: str) -> str:
    template = environment().get_template(f"{plan.flavor}.nix.j2")
    return template.render(
        plan=plan,
        objects=object_entries(plan),
        command=command,
        about=ABOUT[plan.flavor],
        nixgen_version=__version__,
    )
