"""The module's options beyond the basic ones: a typed option for every modelled setting
(`cilium.settings.*`, from nixgen.input.settings), and in the hetzkube flavour the options hetzkube's
own Cilium module declares (`cilium.policyAuditMode`, `cilium.gatewayAPI`), so a configuration
written for that module keeps working.

A setting's option defaults to the value the config gives its path, through `[settings]` or
through `values`/`--set` (a profile split stays a condition on `cilium.isLocal`); a setting the
config leaves unset defaults to null, which leaves the chart's default. The Helm values are
computed from these options, so an option set in Nix is judged by the module's rules like a
setting on the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nixgen import tree
from nixgen.input import settings


@dataclass(frozen=True)
class OptionRef:
    """The value of another option of the module, `cilium.<name>`."""

    name: str


@dataclass(frozen=True)
class Option:
    keys: tuple[str, ...]  # below `cilium.`
    type: Any  # emitter data
    default: Any  # plan data: plain, Split, Raw, OptionRef; None: null
    description: str


def setting_options(values: Mapping[str, Any], version: str,
                    linked: Mapping[tuple[str, ...], str]) -> list[Option]:
    """`cilium.settings.*`: one option per setting, in the table's order, defaulting to the
    final (lowered) Helm value at its path, or to the flavour's own option it is `linked` to."""
    out = []
    for s in settings.SETTINGS:
        default = OptionRef(linked[s.keys]) if s.keys in linked else tree.lookup(values, s.keys)
        out.append(Option(("settings", *s.keys), settings.nix_type(s, default is None), default,
                          settings.describe(s, version)))  # fmt: skip
    return out
