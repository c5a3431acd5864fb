from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from nixharness import fake_cilium_tree, helm_choices, in_ci, lib_choices, nix_instantiate

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


def _absent(reason: str, ci_installs: bool = True) -> None:
    """A tool a tier needs is missing: where CI installs it (nix, helm), in CI that fails the
    test; elsewhere, and for what CI cannot install (nixpkgs' lib, which lies beside the
    checkout where there is one), it skips it, and the tier's summary line says so."""
    if in_ci() and ci_installs:
        pytest.fail(f"{reason} (CI installs it: see .ci/run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=lib_choices(), ids=lambda c: c[0])
def lib_path(request: pytest.FixtureRequest) -> str:
    """Each lib the harness evaluates with: the project's small lib, and nixpkgs' lib
    ($NIXPKGS_LIB, else <nixpkgs/lib> on NIX_PATH)."""
    _, path = request.param
    if path is None:
        _absent("no nixpkgs lib: set NIXPKGS_LIB (or NIX_PATH) to evaluate with the real one",
                ci_installs=False)
    return path


@pytest.fixture(params=helm_choices(), ids=lambda c: c[0])
def helm(request: pytest.FixtureRequest) -> str:
    """Each helm major users render with (helm 3 and helm 4), as a binary path."""
    name, path = request.param
    if path is None:
        _absent(f"{name} is not installed (helm{name[-1]} or a helm of that major on PATH)")
    return path


@pytest.fixture(scope="session")
def fake_trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fake Cilium tree per catalog release, built once."""
    from nixgen.facts import catalog

    root = tmp_path_factory.mktemp("cilium")
    return {
        version: fake_cilium_tree(root / version, version)
        for version in catalog.load().releases
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks by what a test uses: the `helm` fixture → helm; `lib_path` (a module evaluated
    with nix-instantiate) → nix; a hypothesis test → property. The slow tier: helm, the second
    evaluation of every module with nixpkgs' lib, and the tests marked slow where written.
    Tests that evaluate Nix otherwise are marked `nix` where they are written."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "helm" in names:
            item.add_marker(pytest.mark.helm)
            item.add_marker(pytest.mark.slow)
        if "lib_path" in names:
            item.add_marker(pytest.mark.nix)
            if "nixpkgs-lib" in item.name:
                item.add_marker(pytest.mark.slow)
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.property)


# The tiers of tools, by the parameter id their tests carry.
TIERS = ("helm3", "helm4", "nixpkgs-lib")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per tool tier: how many of its tests passed, failed and skipped, so a log shows
    that helm 3, helm 4 and nixpkgs' lib each judged the run."""
    counts = {tier: {"passed": 0, "failed": 0, "skipped": 0} for tier in TIERS}
    for stat, outcome in (("passed", "passed"), ("failed", "failed"), ("error", "failed"),
                          ("skipped", "skipped")):  # fmt: skip
        for report in terminalreporter.stats.get(stat, []):
            node = getattr(report, "nodeid", "")
            for tier in TIERS:
                if f"[{tier}" in node or f"-{tier}" in node:
                    counts[tier][outcome] += 1
    for tier, n in counts.items():
        terminalreporter.write_line(f"tier {tier}: {n['passed']} passed, {n['failed']} failed, "
                                    f"{n['skipped']} skipped")  # fmt: skip
