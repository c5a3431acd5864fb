"""The golden modules: each is `nixgen <args>` written to golden/<name>.nix.

Rewrite them on purpose with `python tests/goldens.py`, then read `git diff golden/`: the
generated Nix is the product, and that diff is what a reviewer reads."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"
# Config files are named relative to the repository root (as the goldens' headers show them).
SEED = ["--config", "golden/configs/seed-local.toml"]
PROD = ["--config", "golden/configs/production.toml"]
MINIMAL = ["--config", "golden/configs/minimal.toml"]

_SETS = [
    "--set", "cluster.name=prod-eu",
    "--set", "hubble.relay.enabled=true",
    "--set", "ingressController.service.annotations.lbipam\\.cilium\\.io/sharing-key=*",
    "--set", 'podAnnotations.note=say "hi" to ${USER} \\ $${HOME}',
    "--set", "operator.resources.limits.cpu=0.5",
    "--set", "nodeSelector.kubernetes\\.io/os=linux",
]  # fmt: skip

# cilium/cilium v1.18.4 (the commit facts.md names); the hash is a placeholder of the right form.
_REV = "afda2aa99d26f190de8944580ceadb64d9d14d38"
_NAR_HASH = "sha256-" + "A" * 43 + "="

CASES: dict[str, list[str]] = {
    "hetzkube-1.18.4": ["module", "--flavor", "hetzkube", "--cilium-version", "1.18.4"],
    "nixidy-1.18.4": ["module", "--flavor", "nixidy", "--cilium-version", "1.18.4"],
    "hetzkube-1.18.4-values": ["module", "--flavor", "hetzkube", "--cilium-version", "1.18.4",
                               *_SETS],
    "nixidy-1.19.6-values": ["module", "--flavor", "nixidy", "--cilium-version", "1.19.6",
                             *_SETS],
    "hetzkube-seed-local": ["module", *SEED],
    "nixidy-seed-local": ["module", *SEED, "--flavor", "nixidy"],
    "hetzkube-production": ["module", *PROD],
    "nixidy-production": ["module", *PROD, "--flavor", "nixidy",
                          "--set", "k8sServiceHost=api.prod.example.com"],
    "hetzkube-minimal": ["module", *MINIMAL],
    "nixidy-minimal-1.16.19": ["module", *MINIMAL, "--flavor", "nixidy",
                               "--cilium-version", "1.16.19"],
    "hetzkube-production-1.17.18": ["module", *PROD, "--cilium-version", "1.17.18"],
    "hetzkube-current-1.19.6": ["module", "--easykubenix", "current", "--cilium-version", "1.19.6"],
    "hetzkube-standalone-1.16.19": ["module", "--easykubenix", "standalone",
                                    "--cilium-version", "1.16.19"],
    "hetzkube-1.20.0": ["module", "--flavor", "hetzkube", "--cilium-version", "1.20.0"],
    "nixidy-production-1.20.0": ["module", *PROD, "--flavor", "nixidy", "--cilium-version", "1.20.0",
                                 "--set", "k8sServiceHost=api.prod.example.com"],
    "hetzkube-pinned-1.18.4": ["module", "--cilium-version", "1.18.4", "--rev", _REV,
                               "--nar-hash", _NAR_HASH, "--gateway-api-version", "1.3.0"],
    # Only the chart's defaults, an expression and data that looks like one (a block header).
    "hetzkube-chart-defaults": ["module", "--defaults", "chart", "--set-nix",
                                "cluster.name=config.clusterName", "--set", "podLabels.nix=on"],
}  # fmt: skip

# The NixOS modules for the nodes (`nixgen node`), kept apart from CASES, whose tests evaluate
# cluster modules.
NODE_CASES: dict[str, list[str]] = {
    "node-default": ["node"],
    "node-production": ["node", *PROD, "--profile", "production"],
}  # fmt: skip
# The CRD modules (`nixgen crds`), one release per flavour.
CRD_CASES: dict[str, list[str]] = {
    "crds-nixidy-1.18.4": ["crds", "--flavor", "nixidy", "--cilium-version", "1.18.4"],
    "crds-hetzkube-1.18.4": ["crds", "--flavor", "hetzkube", "--cilium-version", "1.18.4"],
}  # fmt: skip
ALL_CASES = {**CASES, **NODE_CASES, **CRD_CASES}


def path_of(name: str) -> Path:
    return GOLDEN / f"{name}.nix"


def generated(name: str) -> str:
    from click.testing import CliRunner

    from nixgen.cli import cli

    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(cli, [*ALL_CASES[name], "--format", "never"])
    if result.exit_code != 0:
        raise RuntimeError(f"{name}: nixgen failed: {result.output}")
    return result.stdout


def main() -> int:
    GOLDEN.mkdir(exist_ok=True)
    for name in ALL_CASES:
        path_of(name).write_text(generated(name), encoding="utf-8")
        print(f"wrote {path_of(name).relative_to(GOLDEN.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
