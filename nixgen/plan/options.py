"""The options a generated module declares, as one table per module: each option's name, type,
default, defaultText and description, from which nixgen.nix.render writes the `lib.mkOption`
declarations through the one emitter.

The cluster module declares `cilium.enable`, `version`, `isLocal` and `helmValues`, then its
flavour's own options (hetzkube's `policyAuditMode`, `gatewayAPI`), a typed option for every
modelled setting (`cilium.settings.*`, from nixgen.input.settings), and what its flavour takes
the chart and the API server from (`src` or `chart`, `k8sServiceHost`). The node module's table
is nixgen.plan.node's.

A setting's option defaults to the value the config gives its path, through `[settings]` or
through `values`/`--set` (a profile split stays a condition on `cilium.isLocal`); a setting the
config leaves unset defaults to null, which leaves the chart's default. The Helm values are
computed from these options, so an option set in Nix is judged by the module's rules like a
setting on the command line.
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
from nixgen.plan.model import NO_DEFAULT, Option, OptionRef, Split

BOOL = Raw("lib.types.bool")
STR = Raw("lib.types.str")


def enable(description: str) -> Option:
    """`enable`, an option that turns the module on (off by default)."""
    return Option(("enable",), None, NO_DEFAULT, description)


def setting_type(s: settings.Setting, nullable: bool, string_form: bool = False) -> Any:
    """The Nix option type of a setting, as emitter data (`nullOr` where null leaves the
    chart's default; with `string_form`, the string form the chart also takes for a bool, a
    port or a CIDR list)."""
    return _setting_type(s.keys, nullable, string_form)


def value_type(keys: tuple[str, ...], value: Any) -> Any:
    """The option type of the setting at `keys` for an option defaulting to `value` (plan
    data): null where the value leaves it unset in a profile, the string form where the value
    has it."""
    nullable = value is None or (isinstance(value, Split) and None in (value.local,
                                                                        value.production))
    sides = [value.local, value.production] if isinstance(value, Split) else [value]
    own = settings.KIND_FORMS[settings.BY_PATH[keys].kind][0]
    string_form = own != "string" and any(isinstance(v, str) for v in sides)
    return _setting_type(keys, nullable, string_form)


@cache
def _setting_type(keys: tuple[str, ...], nullable: bool, string_form: bool = False) -> Any:
    s = settings.BY_PATH[keys]
    base: Any = {
        "bool": BOOL, "port": Raw("lib.types.port"), "count": Raw("lib.types.ints.unsigned"),
        "host": STR, "cidr4": STR, "cidr6": STR, "cidr4s": Call("lib.types.listOf", (STR,)),
        "abspath": STR, "enum": Call("lib.types.enum", (list(s.choices),)),
    }[s.kind]  # fmt: skip
    if string_form:
        text = Call("lib.types.enum", (["true", "false"],)) if s.kind == "bool" else STR
        base = Call("lib.types.either", (base, text))
    return Call("lib.types.nullOr", (base,)) if nullable else base


def setting_options(values: Mapping[str, Any], version: str,
                    linked: Mapping[tuple[str, ...], str]) -> list[Option]:
    """`cilium.settings.*`: one option per setting, in the table's order, defaulting to the
    final (lowered) Helm value at its path, or to the flavour's own option it is `linked` to."""
    out = []
    for s in settings.SETTINGS:
        value = tree.lookup(values, s.keys)
        default = OptionRef(linked[s.keys]) if s.keys in linked else value
        out.append(Option(("settings", *s.keys), value_type(s.keys, value), default,
                          settings.describe(s, version)))  # fmt: skip
    return out


def cluster_options(spec: Spec, values: Mapping[str, Any], version: str,
                    flavor: Flavor) -> tuple[Option, ...]:
    """The cluster module's options, in the order it declares them."""
    return (
        enable("Cilium"),
        Option(("version",), STR, spec.ciliumVersion, "Cilium version to deploy."),
        Option(("isLocal",), BOOL, False,
               "Whether this is a local development cluster (such as Colima): the local "
               "profile's Helm values instead of production's, and no production-only objects."),
        Option(("helmValues",), Call("lib.types.attrsOf", (Raw("lib.types.anything"),)), {},
               "Helm values merged last, with lib.recursiveUpdate, over the ones cilium.settings "
               "and the generated module give."),
        *flavor.own_options(spec, values),
        *setting_options(values, version, flavor.linked),
        *flavor.chart_options(spec),
    )  # fmt: skip
