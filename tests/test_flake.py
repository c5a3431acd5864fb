"""flake.nix parses and its outputs evaluate (against a stub nixpkgs: no network, no builds)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from nixharness import run_nix

import nixgen

pytestmark = pytest.mark.nix  # every test here evaluates flake.nix

ROOT = Path(__file__).resolve().parent.parent
STUB = Path(__file__).parent / "nix" / "flake-stub.nix"


def outputs() -> dict:
    return json.loads(run_nix(["--eval", "--strict", "--json", str(STUB),
                               "--argstr", "flakePath", str(ROOT / "flake.nix")]))  # fmt: skip


def test_flake_parses() -> None:
    run_nix(["--parse", str(ROOT / "flake.nix")])


def test_flake_outputs_package_app_checks_shell_and_drift_check() -> None:
    got = outputs()
    assert got["outputs"] == ["apps", "checks", "devShells", "lib", "packages"]
    assert got["systems"] == [sorted(["x86_64-linux", "aarch64-linux", "x86_64-darwin",
                                      "aarch64-darwin"])] * 4  # fmt: skip
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert got["package"]["version"] == project["version"] == nixgen.__version__
    assert got["package"]["name"] == f"nixgen-{nixgen.__version__}"
    assert got["package"]["dependencies"] == ["py-click", "py-jinja2", "py-pydantic", "py-pyyaml"]
    assert got["package"]["makeWrapperArgs"][-1].endswith("-nixfmt/bin")  # nixfmt on its PATH
    assert got["app"] == {"type": "app", "program": got["app"]["program"]}
    assert got["app"]["program"].endswith(f"-nixgen-{nixgen.__version__}/bin/nixgen")
    assert got["checks"] == ["goldens", "tests"]
    assert "export NIXPKGS_LIB=" in got["devShell"]
    assert {"nix", "nixfmt"} <= set(got["devShellPackages"])


def test_drift_check_runs_nixgen_check_on_the_committed_file() -> None:
    got = outputs()
    assert "cp /work/cilium.nix cilium.nix\n" in got["driftWithConfig"]
    assert ("nixgen 'module' '--config' '/work/nixgen.toml' '--flavor' 'nixidy' '-o' "
            "'cilium.nix' --check --format never\n") in got["driftWithConfig"]  # fmt: skip
    assert "nixgen 'regen' 'cilium.nix' --check --format never\n" in got["driftFromHeader"]
