"""The Helm values in layers, lowest first, and where each final value comes from.

| layer | what | a value's source in messages |
|---|---|---|
| chart | the chart's own defaults (never written) | `the chart's default` |
| nixgen | nixgen's defaults where the user leaves one open | `nixgen's default (local profile)` |
| file | `-f` and `valuesFiles`, merged as Helm merges | `values file a.yaml: hubble.enabled` |
| settings | the config's `[settings]` | `config settings.hubble.enabled` |
| features | `[production]` switches, the L2 rate limit | `config production.bgp` |
| values | the config's `[values]` | `config values.cluster.name` |
| set | `--set`, `--set-nix` | `--set hubble.enabled=false` |

Every layer but the chart's is plan data (a profile split is a `Split`, a Nix expression a
`Raw`); a values file's data is never lowered, so nothing in it is an expression. Merging is
`nixgen.tree.deep_merge`: tables merge, anything else replaces, a `null` stays (Helm then drops
the chart's default). nixgen's defaults and which of them yield are nixgen.plan.build's and
nixgen.checks.defaults'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from nixgen import tree
from nixgen.facts.valuepath import dotted
from nixgen.input.spec import Spec
from nixgen.plan.model import Split, lower, resolve

if TYPE_CHECKING:
    from nixgen.plan.model import Plan

Keys = tuple[str, ...]

# The production features (config section `production`) that switch `<name>.enabled` on in
# the production profile.
PRODUCTION_FEATURES = ("ipv6", "bgpControlPlane", "hostFirewall", "l2announcements")


class Source(NamedTuple):
    """Where a value comes from: its layer (`chart`, `nixgen`, `file`, `settings`,
    `features`, `values`, `set`) and the text messages show. (Named tuples here: cheap to
    define at start-up.)"""

    layer: str
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def user(self) -> bool:
        return self.layer not in ("chart", "nixgen")


CHART = Source("chart", "the chart's default")


def nixgen_source(profile: str) -> Source:
    return Source("nixgen", f"nixgen's default ({profile} profile)")


class Layer(NamedTuple):
    """One part of a layer: its values (plan data) and the source of each of its leaves."""

    layer: str
    values: Any
    label: Callable[[Keys], str]

    def source(self, path: Keys) -> Source:
        return Source(self.layer, self.label(path))


def _fixed(text: str) -> Callable[[Keys], str]:
    return lambda path: text


def user_layers(spec: Spec) -> tuple[Layer, ...]:
    """The layers the user gives, lowest first."""
    out: list[Layer] = [Layer("file", f.values, f.source) for f in spec.files]
    if spec.settings:
        out.append(Layer("settings", lower(spec.settings, bare_nix=True),
                         lambda p: f"config settings.{dotted(p)}"))  # fmt: skip
    out += feature_layers(spec)
    if spec.values:
        out.append(Layer("values", lower(spec.values, profiles=False),
                         lambda p: f"config values.{dotted(p)}"))  # fmt: skip
    out += [Layer("set", lower(tree.nest(item.keys, item.value), profiles=False), _fixed(item.text))
            for item in spec.sets]  # fmt: skip
    return tuple(out)


def feature_layers(spec: Spec) -> list[Layer]:
    """The Helm values of the production features: each switch on in production (off
    locally), and the agents' Kubernetes client limit that L2 announcements ask for."""
    from nixgen.plan.objects import l2_values

    out = []
    production_only = Split(False, True)
    for name in PRODUCTION_FEATURES:
        if getattr(spec, name):
            key = "bgp" if name == "bgpControlPlane" and spec.bgp is not None else name
            out.append(Layer("features", {name: {"enabled": production_only}},
                             _fixed(f"config production.{key}")))  # fmt: skip
    limit = l2_values(spec)
    if limit:
        out.append(Layer("features", limit,
                         _fixed("config production.l2announcements.k8sClientRateLimit")))
    return out


def merged(layers: tuple[Layer, ...] | list[Layer]) -> dict[str, Any]:
    """The layers' values merged in order."""
    out: dict[str, Any] = {}
    for layer in layers:
        out = tree.deep_merge(out, layer.values)
    return out


def sources(layers: list[Layer] | tuple[Layer, ...], profile: str) -> dict[Keys, Source]:
    """Leaf path → the source of the value there, in `profile`, for the merged `layers`."""
    merged_so_far: dict[str, Any] = {}
    out: dict[Keys, Source] = {}
    for layer in layers:
        values = resolve(layer.values, profile)
        for path, value in _leaves(values):
            _forget(out, merged_so_far, path, value)
            out[path] = layer.source(path)
        merged_so_far = tree.deep_merge(merged_so_far, values)
    return out


def _leaves(values: Any, at: Keys = ()) -> list[tuple[Keys, Any]]:
    """(path, value) of each leaf, an empty table included (a table of a marker's is a leaf)."""
    if isinstance(values, dict) and values:
        return [leaf for key, value in values.items() for leaf in _leaves(value, (*at, key))]
    return [(at, values)] if at else []


def _forget(out: dict[Keys, Source], before: Mapping[str, Any], path: Keys, value: Any) -> None:
    """Drop the sources a value at `path` replaces: a value above it that was not a table, and
    (unless it is a table itself, which merges) what was below it."""
    for i in range(1, len(path)):
        out.pop(path[:i], None)
    if isinstance(value, dict) and isinstance(tree.lookup(before, path), dict):
        return
    if isinstance(tree.lookup(before, path), dict):
        n = len(path)
        for known in [p for p in out if p[:n] == path]:
            del out[known]


def source_at(sources: Mapping[Keys, Source], path: Keys) -> Source | None:
    """The source of the value at `path`: its own, the one above it (a table or expression set
    whole), or the first one below it; None when no layer sets it (the chart's default)."""
    found = sources.get(path)
    if found is not None:
        return found
    for i in range(len(path) - 1, 0, -1):
        found = sources.get(path[:i])
        if found is not None:
            return found
    n = len(path)
    below = sorted(p for p in sources if p[:n] == path)
    return sources[below[0]] if below else None


# ------------------------------------------------------------------ a plan's sources


def resolved_layers(plan: Plan, profile: str) -> list[Layer]:
    """The nixgen layer and the user's of `plan`, each resolved for `profile` (once a plan)."""

    def compute() -> list[Layer]:
        own = Layer("nixgen", tree.without_none(resolve(plan.defaults, profile)),
                    lambda p: nixgen_source(profile).text)  # fmt: skip
        return [own, *(Layer(layer.layer,
                             plan.memo(("layer", profile, i),
                                       lambda v=layer.values: resolve(v, profile)),
                             layer.label)
                       for i, layer in enumerate(plan.layers))]  # fmt: skip

    return plan.memo(("layers", profile), compute)


def plan_sources(plan: Plan, profile: str) -> Mapping[Keys, Source]:
    """Leaf path → where the final value there comes from in `profile` of `plan`; a path not
    in it is at the chart's default."""
    return plan.memo(("sources", profile),
                     lambda: sources(resolved_layers(plan, profile), profile))  # fmt: skip


def source(plan: Plan, profile: str, path: Keys) -> Source:
    """Where the value at `path` comes from in `profile` of `plan`: the last layer that sets
    it, or a value other than a table above it (the chart's default when none does)."""
    from nixgen.input.settings import set_at

    known = plan.recalled(("sources", profile))
    if known is not None:
        return source_at(known, tuple(path)) or CHART
    for layer in reversed(resolved_layers(plan, profile)):
        if set_at(layer.values, tuple(path)):
            return layer.source(tuple(path))
    return CHART
