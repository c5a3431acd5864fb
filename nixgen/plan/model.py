"""The plan's data: what a template needs, as data (nixgen.plan.build makes it).

The plan lowers the config's notation: `{local, production}` becomes a `Split`, `{"$nix"}` (and,
in `[settings]`, `{nix}`) a `Raw` Nix expression; a values file's data is never lowered.
`resolve` computes what Nix will compute for one profile, which is what the tests hold the
generated module to. Kubernetes objects carry a condition: always, only in production, or
whenever a final Helm value is true. The plan names no binding of any template; the renderer
turns its data into Nix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nixgen import tree
from nixgen.errors import NixgenError
from nixgen.facts import catalog
from nixgen.input.choices import PROFILES
from nixgen.input.spec import Spec
from nixgen.nixatoms import Raw

CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds/v2"
ALPHA_CRD_DIR = "pkg/k8s/apis/cilium.io/client/crds/v2alpha1"
CHART_DIR = "install/kubernetes/cilium"
NAMESPACE = "kube-system"


@dataclass(frozen=True)
class Split:
    """A value that depends on the profile."""

    local: Any
    production: Any


def split(local: Any, production: Any) -> Any:
    """A Split, or the value itself when both profiles agree."""
    same = type(local) is type(production) and local == production
    return local if same else Split(local, production)


def lower(values: Any, profiles: bool = True, bare_nix: bool = False) -> Any:
    """The config's notation as plan data: `{"$nix"}` (and, with `bare_nix`, as `[settings]`
    writes it, `{nix}`) → Raw, and (where `profiles`) `{local, production}` → Split."""

    def replace(node: Any) -> Any:
        if isinstance(node, dict):
            if node.keys() == {"$nix"}:
                return Raw(node["$nix"])
            if bare_nix and node.keys() == {"nix"}:
                return Raw(node["nix"])
            if profiles and node.keys() == {"local", "production"}:
                return split(lower(node["local"], bare_nix=bare_nix),
                             lower(node["production"], bare_nix=bare_nix))  # fmt: skip
        return tree.DESCEND

    return tree.rebuild(values, replace)


# An option without a default: the user must set it where it is used.
NO_DEFAULT: Any = tree.Sentinel("NO_DEFAULT")


@dataclass(frozen=True)
class Option:
    """One option a module declares (nixgen.plan.options and nixgen.plan.node hold the
    tables; nixgen.nix.render writes the declarations)."""

    keys: tuple[str, ...]  # below the module's option set (`cilium.`, `cilium.node.`)
    type: Any  # emitter data; None: an enable switch (`lib.mkEnableOption`)
    default: Any  # plan data: plain, Split, Raw; None: null; or NO_DEFAULT
    description: str
    # How the manual shows the default (emitter data); None: the default itself where it is
    # an expression.
    default_text: Any = None
    read_only: bool = False
    # A value the manual shows as an example (plan data); NO_DEFAULT: none.
    example: Any = NO_DEFAULT


@dataclass(frozen=True)
class Alias:
    """An option path that stands for another (lib.mkAliasOptionModule), or (`renamed`) that
    was renamed to it (lib.mkRenamedOptionModule: it warns where warnings are shown)."""

    old: tuple[str, ...]
    new: tuple[str, ...]
    renamed: bool = False


def notation(values: Any) -> Any:
    """Plan data back in the config's notation (the inverse of `lower`), for what a user
    reads: a Raw as `{"$nix" = ...}`, a Split as `{local, production}`."""

    def replace(node: Any) -> Any:
        if isinstance(node, Raw):
            return {"$nix": node.expr}
        if isinstance(node, Split):
            return {"local": notation(node.local), "production": notation(node.production)}
        return tree.DESCEND

    return tree.rebuild(values, replace)


def shown(value: Any) -> str:
    """A plan value for a message, in the config's notation."""
    return tree.shown(notation(value))


@dataclass(frozen=True)
class Condition:
    """When an object is deployed: `always`, only in one profile (`local`, `production`), or
    whenever the final Helm value at `path` is true (so a user's `cilium.helmValues` override
    moves the object with it)."""

    kind: str
    path: tuple[str, ...] = ()

    def holds(self, profile: str, values: Mapping[str, Any]) -> bool:
        if self.kind == "always":
            return True
        if self.kind in PROFILES:
            return profile == self.kind
        return tree.lookup(values, self.path) is True


ALWAYS = Condition("always")
PRODUCTION = Condition("production")
LOCAL = Condition("local")


@dataclass(frozen=True)
class KubeObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None
    body: Mapping[str, Any]  # everything but apiVersion, kind and metadata
    labels: Mapping[str, str]
    when: Condition
    # Where the config asks for it (`policies.extra[0]`, `objects[2]`, `production.bgp`).
    origin: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)
    # A patch of an object the chart renders: it merges with that object, so it carries only
    # what it changes (no apiVersion; kind and name are where the framework files it).
    patch: bool = False
    # Whether the module takes the apiVersion from the facts of the Cilium minor in use (the
    # objects nixgen builds), rather than as the config wrote it (the user's objects).
    api_from_facts: bool = True

    def changes(self) -> dict[str, Any]:
        """What the object sets besides apiVersion, kind, name and namespace."""
        metadata: dict[str, Any] = {}
        if self.labels:
            metadata["labels"] = dict(self.labels)
        if self.annotations:
            metadata["annotations"] = dict(self.annotations)
        return {"metadata": metadata, **self.body} if metadata else dict(self.body)

    def manifest(self) -> dict[str, Any]:
        """The object as `nixgen values --objects` lists it (a patch without apiVersion)."""
        metadata: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            metadata["namespace"] = self.namespace
        rest = self.changes()
        metadata.update(rest.pop("metadata", {}))
        head = {} if self.patch else {"apiVersion": self.api_version}
        return {**head, "kind": self.kind, "metadata": metadata, **rest}


@dataclass(frozen=True)
class Plan:
    spec: Spec
    release: catalog.Release
    # `deep_merge(defaults, given)`: the Helm values the module computes (a default dropped in
    # one profile is a Split with None on that side: unset there).
    values: dict[str, Any]
    crd_files: tuple[str, ...]  # files importyaml takes from crd_dir
    # The Helm values the typed settings give (nixgen's defaults and the config's settings).
    typed: dict[str, Any] = field(default_factory=dict)
    # The values' layers: nixgen's surviving defaults, over typed-setting paths only (plain,
    # Split or Raw leaves; a default dropped in one profile is a Split whose other side is
    # None), which the module writes as the settings options' defaults; and the values every
    # user layer gives, merged (nixgen.plan.layers), which it defines with lib.mkDefault.
    # `values` is the second merged over the first.
    defaults: dict[str, Any] = field(default_factory=dict)
    given: dict[str, Any] = field(default_factory=dict)
    objects: tuple[KubeObject, ...] = field(default=())
    # Cilium minor → facts the module selects by `cilium.version` at evaluation time, so that
    # editing the version in Nix without regenerating stays right across the known minors.
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The module's options (nixgen.plan.options): `cilium.*`, the typed `cilium.settings.*`,
    # and the option paths that are aliases (`from`, `to`, renamed: whether the old name is
    # obsolete) of others.
    options: tuple[Option, ...] = ()
    settings_options: tuple[Option, ...] = ()
    aliases: tuple[Alias, ...] = ()
    # The typed settings whose option may be null (`True` at each): left out of the values
    # while null, as the module does, so that the chart's default applies.
    nullable: dict[str, Any] = field(default_factory=dict)
    # Cilium kind → namespaced, over every minor in `facts`, for a module that sets
    # kubernetes.namespacedMappings (else empty): a kind keeps its scope across releases, so
    # the module writes the table once and takes the kinds of the minor in use from it.
    scopes: dict[str, bool] = field(default_factory=dict)
    # Where the module finds things in a Cilium tree, and where it deploys.
    chart_dir: str = CHART_DIR
    crd_dir: str = CRD_DIR
    alpha_crd_dir: str = ALPHA_CRD_DIR
    namespace: str = NAMESPACE
    # The user's layers; nixgen's defaults as planned before any yielded, and why those that
    # did ("nixgen: note:" lines).
    layers: tuple[Any, ...] = ()
    planned_defaults: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # Whether a user's Nix expression reads `pkgs` (or `options`): the module then takes it as
    # an argument.
    needs_pkgs: bool = False
    needs_options: bool = False
    _resolved: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: Any, compute: Any) -> Any:
        """`compute()`, once per plan and `key`: what the checks ask of the plan's own final
        values more than once. Read it, do not change it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def recalled(self, key: Any) -> Any:
        """What `memo` remembers at `key`, else None (nothing is computed)."""
        return self._memo.get(key)

    @property
    def flavor(self) -> str:
        return self.spec.flavor

    @property
    def version(self) -> str:
        return self.spec.ciliumVersion

    @property
    def api_mappings(self) -> dict[str, str]:
        return self.release.api_mappings

    @property
    def namespaced(self) -> dict[str, bool]:
        return self.release.namespaced

    def object_groups(self) -> list[tuple[Condition, list[KubeObject]]]:
        """Objects grouped by condition, in a fixed order: always, production, then by value."""
        groups: dict[Condition, list[KubeObject]] = {}
        for obj in self.objects:
            groups.setdefault(obj.when, []).append(obj)
        order = {"always": 0, "local": 1, "production": 2, "value": 3}
        return sorted(groups.items(), key=lambda kv: (order[kv[0].kind], kv[0].path))

    def values_for(self, profile: str, env: Mapping[str, Any] | None = None) -> Any:
        """The final Helm values of `profile` (Nix expressions valued by `env`); without `env`
        resolved once per plan, as every check asks for them: read them, do not change them.
        A default dropped in the profile is left out (the chart's default stands)."""
        if env is not None:
            return self._values_for(profile, env)
        if profile not in self._resolved:
            self._resolved[profile] = self._values_for(profile, None)
        return self._resolved[profile]

    def _values_for(self, profile: str, env: Mapping[str, Any] | None) -> Any:
        if not self.defaults and not self.given:
            return resolve(self.values, profile, env)
        if env is not None:
            defaults = tree.without_none(resolve(self.defaults, profile, env))
            return tree.deep_merge(defaults, resolve(self.given, profile, env))
        defaults = tree.without_none(resolve(self.defaults, profile))
        return tree.deep_merge(defaults, self.given_for(profile))

    def given_for(self, profile: str) -> Any:
        """What the user's layers give, resolved for `profile`: read it, do not change it."""
        return self.memo(("given", profile), lambda: resolve(self.given, profile))

    def objects_for(self, profile: str, env: Mapping[str, Any] | None = None) -> list[Any]:
        values = self.values_for(profile, env)
        return [resolve(o.manifest(), profile, env) for o in self.objects
                if o.when.holds(profile, values)]  # fmt: skip


class PlanError(NixgenError):
    """A spec that this release cannot carry out."""


def resolve(values: Any, profile: str, env: Mapping[str, Any] | None = None) -> Any:
    """The value Nix computes for `values` in `profile`; `env` gives the value of each Raw
    (a Raw without one stays a Raw)."""

    def replace(node: Any) -> Any:
        if isinstance(node, Split):
            return tree.rebuild(node.local if profile == "local" else node.production, replace)
        if isinstance(node, Raw):
            return env[node.expr] if env is not None and node.expr in env else node
        return tree.DESCEND

    return tree.rebuild(values, replace)


def without_nulls(values: Any, typed: Mapping[str, Any]) -> Any:
    """`values` (one profile's) as the module computes its Helm values: the `typed` settings
    (Plan.nullable's tree) that are null left out, and so a typed section they leave empty."""
    if not isinstance(values, dict) or not typed:
        return values
    out = {}
    for key, value in values.items():
        if key in typed:
            if isinstance(typed[key], dict):
                value = without_nulls(value, typed[key])
            if value is None or value == {}:
                continue
        out[key] = value
    return out
