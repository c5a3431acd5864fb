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

from dataclasses import dataclass
from typing import Any

from nixgen import tree
from nixgen.input import settings
from nixgen.input.spec import Spec


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


# hetzkube's options: name → the setting it sets, and its description there.
HETZKUBE = {
    "policyAuditMode": (("policyAuditMode",), False,
                        ("Whether to enable policy audit mode: policy verdicts are logged instead "
                        "of enforced (hetzkube's option; it sets cilium.settings.policyAuditMode). "
                        "rollOutCiliumPods restarts the agents when it changes.")),
    "gatewayAPI": (("gatewayAPI", "enabled"), True,
                   ("Whether to enable Gateway API: Cilium's controller and the gateway-api CRDs "
                   "(hetzkube's option; it sets cilium.settings.gatewayAPI.enabled).")),
}  # fmt: skip


def hetzkube_options(spec: Spec, values: dict[str, Any]) -> list[Option]:
    """hetzkube's own options, defaulting to the config's values (else hetzkube's defaults)."""
    from nixgen.nixatoms import Raw

    if spec.flavor != "hetzkube":
        return []
    out = []
    for name, (keys, default, description) in HETZKUBE.items():
        value = tree.lookup(values, keys)
        out.append(Option((name,), Raw("lib.types.bool"), default if value is None else value,
                          description))  # fmt: skip
    return out


def setting_options(spec: Spec, values: dict[str, Any], version: str) -> list[Option]:
    """`cilium.settings.*`: one option per setting, in the table's order, defaulting to the
    final (lowered) Helm value at its path."""
    linked = {keys: name for name, (keys, _, _) in HETZKUBE.items()} if spec.flavor == "hetzkube" \
        else {}  # fmt: skip
    out = []
    for s in settings.SETTINGS:
        default = OptionRef(linked[s.keys]) if s.keys in linked else tree.lookup(values, s.keys)
        out.append(Option(("settings", *s.keys), settings.nix_type(s, default is None), default,
                          settings.describe(s, version)))  # fmt: skip
    return out


def written(spec: Spec) -> dict[str, Any]:
    """The settings the module writes before the config's other values: the config's, and in
    the hetzkube flavour hetzkube's options at their defaults where the config sets nothing."""
    written = dict(spec.settings)
    if spec.flavor == "hetzkube" and "policyAuditMode" not in written:
        written["policyAuditMode"] = HETZKUBE["policyAuditMode"][1]
    return written
