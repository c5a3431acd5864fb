"""The options a generated module declares, as one table per module: each option's name, type,
default, defaultText, example and description, from which nixgen.nix.render writes the
`lib.mkOption` declarations through the one emitter.

The cluster module declares `cilium.enable`, `version` and `isLocal`, the Helm values as
`cilium.settings` (RFC 42: a submodule whose free-form type is JSON, with a typed option for
every setting nixgen models, from nixgen.input.settings), and what its flavour takes the chart
from (`src` or `chart`); `cilium.helmValues`, hetzkube's own options and the old
`cilium.k8sServiceHost` are aliases (nixgen.plan.model.Alias). The node module's table is
nixgen.plan.node's.

A typed setting's option defaults to nixgen's default for it (a profile split is a condition on
`cilium.isLocal`), else to null, which leaves the chart's default; the config's own values are
definitions of lower priority than a plain one (lib.mkDefault), so a user's module overrides
both. Its type holds what `nixgen module` holds the setting to: the kind's constraints (a CIDR,
a host, a port, ...), in each form the pinned release's chart takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from nixgen import tree
from nixgen.input import settings
from nixgen.input.spec import Spec
from nixgen.nixatoms import Call, Raw
from nixgen.plan.flavor import Flavor
from nixgen.plan.model import NO_DEFAULT, Alias, Option, lower

BOOL = Raw("lib.types.bool")
STR = Raw("lib.types.str")

# The module's own types for the kinds (the template defines them), by kind and whether the
# string form is taken too.
KIND_TYPES: dict[tuple[str, bool], Any] = {
    ("bool", False): BOOL,
    ("bool", True): Raw("boolean"),
    ("port", False): Raw("port"),
    ("port", True): Raw("portOrDigits"),
    ("count", False): Raw("lib.types.ints.unsigned"),
    ("host", False): Raw("host"),
    ("cidr4", False): Raw("ipv4Cidr"),
    ("cidr6", False): Raw("ipv6Cidr"),
    ("cidr4s", False): Call("lib.types.listOf", (Raw("ipv4Cidr"),)),
    ("cidr4s", True): Raw("ipv4Cidrs"),
    ("abspath", False): Raw("absolutePath"),
}


def enable(description: str) -> Option:
    """`enable`, an option that turns the module on (off by default)."""
    return Option(("enable",), None, NO_DEFAULT, description)


def setting_type(s: settings.Setting, version: str, nullable: bool) -> Any:
    """The Nix option type of a setting, as emitter data (`nullOr` where null leaves the
    chart's default)."""
    return _setting_type(s.keys, version, nullable)


@cache
def _setting_type(keys: tuple[str, ...], version: str, nullable: bool) -> Any:
    s = settings.BY_PATH[keys]
    if s.kind == "enum":
        base: Any = Call("lib.types.enum", (list(s.choices),))
    else:
        base = KIND_TYPES[(s.kind, settings.takes_string(s, version))]
    return Call("lib.types.nullOr", (base,)) if nullable else base


def type_names(types: Any) -> set[str]:
    """The module's own type names (KIND_TYPES) that option types use."""
    own = {t.expr for t in KIND_TYPES.values() if isinstance(t, Raw)}
    own |= {a.expr for t in KIND_TYPES.values() if isinstance(t, Call)
            for a in t.args if isinstance(a, Raw)}  # fmt: skip
    found: set[str] = set()

    def visit(node: Any) -> Any:
        if isinstance(node, Raw) and node.expr in own:
            found.add(node.expr)
        if isinstance(node, Call):
            for arg in node.args:
                tree.rebuild(arg, visit)
        return tree.DESCEND

    tree.rebuild(types, visit)
    return found


def setting_options(defaults: Mapping[str, Any], version: str) -> tuple[Option, ...]:
    """`cilium.settings.*`: one option per setting, in the table's order, defaulting to
    nixgen's default for it (`defaults`, plan data), else to null. Each takes null, which
    leaves the chart's default, as a null in Helm values does: a values file or another
    module that writes one means what Helm makes of it."""
    out = []
    for s in settings.SETTINGS:
        default = tree.lookup(defaults, s.keys)
        out.append(Option(s.keys, setting_type(s, version, True), default,
                          settings.describe(s, version), example=_example(s.keys)))  # fmt: skip
    return tuple(out)


@cache
def _example(keys: tuple[str, ...]) -> Any:
    example = settings.BY_PATH[keys].example
    return NO_DEFAULT if example is settings.UNSET else lower(example)


def cluster_options(spec: Spec, flavor: Flavor) -> tuple[Option, ...]:
    """The cluster module's options but the settings', in the order it declares them (the
    settings' option stands between `isLocal` and the flavour's)."""
    return (
        enable("Cilium"),
        Option(("version",), STR, spec.ciliumVersion, "Cilium version to deploy."),
        Option(("isLocal",), BOOL, False,
               "Whether this is a local development cluster (such as Colima): the local "
               "profile's Helm values instead of production's, and no production-only objects.",
               example=True),
        *flavor.chart_options(spec),
    )  # fmt: skip


def aliases(spec: Spec, flavor: Flavor) -> tuple[Alias, ...]:
    """`cilium.helmValues` (the free-form values of older modules) is `cilium.settings`;
    `cilium.k8sServiceHost` was renamed to `cilium.settings.k8sServiceHost`; then the
    flavour's own."""
    return (Alias(("cilium", "helmValues"), ("cilium", "settings")),
            Alias(("cilium", "k8sServiceHost"), ("cilium", "settings", "k8sServiceHost"),
                  renamed=True),
            *flavor.aliases(spec))  # fmt: skip


def nullable(settings_options: tuple[Option, ...]) -> dict[str, Any]:
    """The typed settings whose option may be null (`True` at each path): the module leaves
    them out of the Helm values while null, so the chart's default applies."""
    out: dict[str, Any] = {}
    for option in settings_options:
        if isinstance(option.type, Call) and option.type.func == "lib.types.nullOr":
            tree.put(out, option.keys, True)
    return out

