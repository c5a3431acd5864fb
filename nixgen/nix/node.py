"""cilium-node.nix, the NixOS module for the k3s nodes, written from a node plan
(nixgen.plan.node): its `lib.mkMerge` entries, each with the comment lines that say why."""

from __future__ import annotations

from typing import Any

from nixgen.input import config
from nixgen.input.choices import NODE_OUTPUT
from nixgen.nix.render import environment, options_text
from nixgen.nixatoms import Call, Raw
from nixgen.plan.model import Plan
from nixgen.plan.node import NodePlan, options, plan_for
from nixgen.version import __version__

FILENAME = "cilium-node.nix"
ABOUT = (
    "A NixOS module for the k3s nodes that run Cilium: k3s flags, kernel modules, firewall",
    "ports and reverse-path filtering, from the {profile} profile's values of the spec below.",
)


def header(spec: Any, profile: str) -> list[str]:
    """The header spec: the cluster module's, plus which output and profile this is."""
    return config.header_lines({"output": NODE_OUTPUT, "profile": profile, **spec.header_data()})


def _server(condition: str) -> Raw:
    return Raw("isServer" if condition == "" else f"isServer && {condition}")


def entries(node: NodePlan) -> list[tuple[list[str], Any]]:
    """The module's `lib.mkMerge` entries, each with the comment lines that say why."""
    out: list[tuple[list[str], Any]] = []
    base: dict[str, Any] = {
        "assertions": [
            {"assertion": Raw("k3s.enable"), "message": "cilium.node needs services.k3s on this host"}
        ],
        "boot": {"kernelModules": node.module_names},
    }
    out.append(([f"{m.name}: {m.reason}" for m in node.kernel_modules], base))
    always = [f for f in node.flags if f.switch is None]
    for server_only in (False, True):
        group = [f for f in always if f.server_only == server_only]
        if group:
            body = {"services": {"k3s": {"extraFlags": [f.flag for f in group]}}}
            why = [f"{f.flag}: {f.reason}" for f in group]
            if server_only:
                why.append("(server flags: agents take these settings from the servers)")
                out.append((why, Call("lib.mkIf", (_server(""), body))))
            else:
                out.append((why, body))
    for f in node.flags:
        if f.switch is not None:
            body = {"services": {"k3s": {"extraFlags": [f.flag]}}}
            cond = f"cfg.{f.switch}"
            out.append(([f"{f.flag}: {f.reason}"],
                        Call("lib.mkIf", (_server(cond) if f.server_only else Raw(cond), body))))
    firewall: dict[str, Any] = {}
    for name, protocol in (("allowedTCPPorts", "tcp"), ("allowedUDPPorts", "udp")):
        if node.ports_of(protocol):
            firewall[name] = node.ports_of(protocol)
    if firewall:
        why = [f"{p.port}/{p.protocol}: {p.reason}" for p in node.ports]
        out.append((why, Call("lib.mkIf", (Raw("cfg.openFirewall"),
                                           {"networking": {"firewall": firewall}}))))  # fmt: skip
    rp = {"networking": {"firewall": {"checkReversePath": Call("lib.mkDefault",
                                                               (node.reverse_path,))}}}  # fmt: skip
    out.append((list(node.reverse_path_reason), Call("lib.mkIf", (Raw("cfg.looseReversePath"), rp))))
    if node.cni_is_containerd_default:
        warning = (
            "cilium.node: services.k3s.containerdConfigTemplate is set; keep any CNI section in it "
            f"on {node.cni_bin_dir} and {node.cni_conf_dir}, where Cilium installs its plugin "
            "(without one, containerd reads those)")  # fmt: skip
        out.append((["CNI: without flannel, k3s's containerd reads Cilium's directories",
                     "unless a containerd template moves it elsewhere"],
                    Call("lib.mkIf", (Raw("k3s.containerdConfigTemplate != null"),
                                      {"warnings": [warning]}))))  # fmt: skip
    else:
        message = (
            f"cilium.node: Cilium installs its CNI plugin in {node.cni_bin_dir} and its config in "
            f"{node.cni_conf_dir} (cni.binPath, cni.confPath), where k3s's containerd does not "
            "look without flannel: set services.k3s.containerdConfigTemplate to read them")  # fmt: skip
        out.append((["cni.binPath/confPath are not containerd's defaults: a template must say so"],
                    {"assertions": [{"assertion": Raw("k3s.containerdConfigTemplate != null"),
                                     "message": message}]}))  # fmt: skip
    return out


def render_node(built: Plan, profile: str) -> str:
    """cilium-node.nix for one profile of a nixgen Plan."""
    node = plan_for(built, profile)
    template = environment().get_template("node.nix.j2")
    return template.render(
        options=options_text(options(node), 4, nested=False),
        entries=entries(node),
        about=[line.format(profile=profile) for line in ABOUT],
        header=header(built.spec, profile),
        nixgen_version=__version__,
    )

