"""Golden modules: byte for byte what nixgen prints, accepted by Nix's parser, and evaluated by
Nix for both profiles to exactly the values, CRD imports and mappings the Python side plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from goldens import CASES, generated, path_of
from nixgen import catalog, plan
from nixgen.cli import build_spec
from nixharness import CLUSTER_HOST, evaluate, run_nix, strictly_equal

PRODUCTION_HOST = "10.9.8.7"


def _option(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == name]


def plan_of(name: str) -> plan.Plan:
    args = CASES[name]
    spec = build_spec(
        _option(args, "--flavor")[0], _option(args, "--cilium-version")[0],
        tuple(_option(args, "--set")),
    )  # fmt: skip
    return plan.build(spec)


@pytest.mark.parametrize("name", CASES)
def test_golden_matches_generated_output_byte_for_byte(name: str) -> None:
    assert generated(name) == path_of(name).read_text(encoding="utf-8"), (
        f"golden/{name}.nix is stale: rewrite it with `python tests/goldens.py` and review the diff"
    )


@pytest.mark.parametrize("name", CASES)
def test_golden_is_accepted_by_nix_parser(name: str) -> None:
    run_nix(["--parse", str(path_of(name))])


def expected(p: plan.Plan, profile: str, src: Path, host: str) -> dict[str, Any]:
    values = plan.resolve(p.values, profile, {"cfg.k8sServiceHost": host})
    out: dict[str, Any] = {
        "present": True,
        "values": values,
        "chart": f"{src.resolve()}/{plan.CHART_DIR}",
        "namespace": "kube-system",
    }
    if p.flavor == "hetzkube":
        crd_dir = f"{src.resolve()}/{plan.CRD_DIR}"
        out |= {
            "gatewayApi": {
                "enable": values["gatewayAPI"]["enabled"],
                "version": catalog.load().gateway_api[p.release.minor],
            },
            "importyaml": {f: {"src": f"{crd_dir}/{f}"} for f in p.crd_files},
            "apiMappings": p.api_mappings,
            "namespacedMappings": p.namespaced,
        }
    return out


@pytest.mark.parametrize("profile", plan.PROFILES)
@pytest.mark.parametrize("name", CASES)
def test_golden_evaluates_to_what_the_plan_says(
    name: str, profile: str, lib_path: str, fake_trees: dict[str, Path]
) -> None:
    p = plan_of(name)
    src = fake_trees[p.release.version]
    settings: dict[str, Any] = {"version": p.version}
    host = CLUSTER_HOST  # hetzkube's default: config.clusterHost
    if p.flavor == "nixidy":
        settings["k8sServiceHost"] = host = PRODUCTION_HOST
    got = evaluate(path_of(name), p.flavor, profile == "local", src, lib_path, settings)
    want = expected(p, profile, src, host)
    assert got.keys() == want.keys()
    for part in want:
        assert strictly_equal(got[part], want[part]), f"{part}: Nix {got[part]!r} != {want[part]!r}"


def test_goldens_cover_both_flavours_and_every_catalog_minor_in_use() -> None:
    flavours = {plan_of(n).flavor for n in CASES}
    assert flavours == {"hetzkube", "nixidy"}
    assert "hetzkube-1.18.4" in CASES and "nixidy-1.18.4" in CASES
