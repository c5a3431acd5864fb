"""Spec + catalog → Plan: everything a template needs, flavour-neutral, as data.

The Helm values tree holds plain values, `Raw` Nix expressions and `Split` values; `resolve`
computes what Nix will compute for one profile, which is what the tests hold the generated
module to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from nixgen import catalog, overrides
from nixgen.emit import Raw, Split, split
from nixgen.spec import NixExpr, Profiles, Spec

PROFILES = ("local", "production")
CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds/v2"
CHART_DIR = "install/kubernetes/cilium"


@dataclass(frozen=True)
class Plan:
    spec: Spec
    release: catalog.Release
    values: dict[str, Any]
    gateway_api: dict[str, str]  # Cilium minor → gateway-api release
    api_mappings: dict[str, str]  # kind → group/version
    namespaced: dict[str, bool]  # kind → namespaced
    crd_files: tuple[str, ...]  # files importyaml takes from CRD_DIR
    command: tuple[str, ...] = field(default=())

    @property
    def flavor(self) -> str:
        return self.spec.flavor

    @property
    def version(self) -> str:
        return self.spec.ciliumVersion


def settings_tree(model: Any) -> Any:
    """A settings model as a values tree: Profiles → Split, NixExpr → Raw."""
    if isinstance(model, Profiles):
        return split(settings_tree(model.local), settings_tree(model.production))
    if isinstance(model, NixExpr):
        return Raw(model.nix)
    if isinstance(model, BaseModel):
        return {name: settings_tree(getattr(model, name)) for name in type(model).model_fields}
    return model


def build(spec: Spec, command: tuple[str, ...] = ()) -> Plan:
    cat = catalog.load()
    release = cat.release_for(spec.ciliumVersion)
    values = overrides.deep_merge(settings_tree(spec.settings), spec.values)
    crds = sorted(release.crds, key=lambda c: c.kind)
    return Plan(
        spec=spec,
        release=release,
        values=values,
        gateway_api={m: cat.gateway_api[m] for m in cat.minors()},
        api_mappings={c.kind: c.api_version for c in crds},
        namespaced={c.kind: c.namespaced for c in crds},
        crd_files=tuple(sorted(c.file for c in release.crds if c.dir == "v2")),
        command=command,
    )


def resolve(tree: Any, profile: str, env: Mapping[str, Any] | None = None) -> Any:
    """The value Nix computes for `tree` in `profile`; `env` gives the value of each Raw."""
    if isinstance(tree, Split):
        return resolve(tree.local if profile == "local" else tree.production, profile, env)
    if isinstance(tree, Raw):
        if env is None or tree.expr not in env:
            raise KeyError(f"no value given for the Nix expression {tree.expr}")
        return env[tree.expr]
    if isinstance(tree, Mapping):
        return {k: resolve(v, profile, env) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [resolve(v, profile, env) for v in tree]
    return tree
