"""cilium-node.nix, the NixOS module for the k3s nodes, written from a node plan
(nixgen.plan.node): its `lib.mkMerge` entries, each with the comment lines that say why."""

from __future__ import annotations

from typing import Any

from nixgen.input import config
from nixgen.input.choices import NODE_OUTPUT
from nixgen.nix import emit, pretty
from nixgen.nix.syntax import Expr, Sel, Str, call, chain
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
    if any(not f.server_only for f in node.flags):
        raise ValueError("a k3s flag for agents has no place in the node module")
    message = (
        "cilium.node: services.k3s.configPath is set, so k3s reads the config drop-ins beside "
        f"that file, not /etc/{DROP_IN}, which holds Cilium's server flags: leave configPath "
        "unset (k3s then reads /etc/rancher/k3s/config.yaml, then its drop-ins)")  # fmt: skip
    why = ["k3s server flags (agents take these settings from the servers), in a k3s config",
           "drop-in, so that they add to what services.k3s.extraFlags gives, string or list:",
           *(f"{f.flag}: {f.reason}" for f in node.flags)]  # fmt: skip
    out.append((why, Call("lib.mkIf", (Raw("isServer"), {
        "assertions": [{"assertion": Raw("k3s.configPath == null"), "message": message}],
        "environment": {"etc": {DROP_IN: {"text": Raw("serverConfig")}}},
        # k3s reads its config at start only: a change restarts it, as one of its flags would.
        "systemd": {"services": {"k3s": {"restartTriggers": [Raw("serverConfig")]}}},
    }))))  # fmt: skip
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


# Where the node module writes the k3s server flags: a drop-in of k3s's default config file
# (/etc/rancher/k3s/config.yaml), which k3s reads after it, in name order.
DROP_IN = "rancher/k3s/config.yaml.d/50-cilium.yaml"


def server_flags(node: NodePlan) -> tuple[dict[str, Any], Expr]:
    """The k3s config keys of the flags every server gets (a flag `--a=b` is `a = "b"`, a
    flag `--a` is `a = true`), and the Nix list of what the switched `--disable=x` flags add
    to the --disable list (`disable+`)."""
    always: dict[str, Any] = {}
    switched: list[Expr] = []
    for f in node.flags:
        name, sep, value = f.flag.removeprefix("--").partition("=")
        if f.switch is None:
            always[name] = value if sep else True
        elif name == "disable":
            switched.append(call("lib.optional", Sel("cfg", (f.switch,)), Str((value,))))
        else:
            raise ValueError(f"{f.flag}: only --disable flags have a switch")
    return always, chain("++", switched)


def render_node(built: Plan, profile: str) -> str:
    """cilium-node.nix for one profile of a nixgen Plan."""
    node = plan_for(built, profile)
    always, disabled = server_flags(node)
    template = environment().get_template("node.nix.j2")
    return template.render(
        options=options_text(options(node), 4, nested=False),
        entries=entries(node),
        server_flags=emit.bindings(always, 4),
        disabled=pretty.binding("disabled", disabled, 2),
        about=[line.format(profile=profile) for line in ABOUT],
        header=header(built.spec, profile),
        nixgen_version=__version__,
    )

