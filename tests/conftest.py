from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from nixharness import fake_cilium_tree, lib_choices, nix_instantiate

# Nix evaluations take tens of milliseconds: no per-example deadline.
settings.register_profile(
    "nixgen", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "ci", parent=settings.get_profile("nixgen"), database=None, derandomize=True
)
settings.load_profile("ci" if os.environ.get("CI") else "nixgen")


@pytest.fixture(scope="session", autouse=True)
def _nix_present() -> None:
    nix_instantiate()  # fails the run (not skips it) when Nix is missing


@pytest.fixture(params=lib_choices(), ids=lambda c: c[0])
def lib_path(request: pytest.FixtureRequest) -> str:
    """Each lib the harness evaluates with; nixpkgs' lib only when NIXPKGS_LIB is set."""
    _, path = request.param
    if path is None:
        pytest.skip("NIXPKGS_LIB is not set: evaluated with the project's small lib only")
    return path


@pytest.fixture(scope="session")
def fake_trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fake Cilium tree per catalog release, built once."""
    from nixgen import catalog

    root = tmp_path_factory.mktemp("cilium")
    return {
        version: fake_cilium_tree(root / version, version)
        for version in catalog.load().releases
    }
