"""Golden modules: byte for byte what nixgen prints, accepted by Nix's parser, and evaluated by
Nix for both profiles to exactly the values, CRD imports and mappings the Python side plans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_values import values_output
from goldens import ALL_CASES, CASES, ROOT, generated, path_of
from nixharness import CLUSTER_HOST, evaluate, run_nix, strictly_equal

from nixgen.facts import catalog
from nixgen.input.choices import PROFILES
from nixgen.input.config import from_command_line
from nixgen.nixatoms import InNix
from nixgen.pipeline import planned
from nixgen.plan import model

PRODUCTION_HOST = "10.9.8.7"


def _option(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == name]


def _last(args: list[str], name: str) -> str | None:
    found = _option(args, name)
    return found[-1] if found else None


def plan_of(name: str) -> model.Plan:
    args = CASES[name]
    config = _last(args, "--config")
    spec = from_command_line(
        config_path=ROOT / config if config else None, flavor=_last(args, "--flavor"),
        cilium_version=_last(args, "--cilium-version"), easykubenix=_last(args, "--easykubenix"),
        gateway_api_version=_last(args, "--gateway-api-version"), rev=_last(args, "--rev"),
        nar_hash=_last(args, "--nar-hash"), sets=tuple(_option(args, "--set")),
        set_nix=tuple(_option(args, "--set-nix")), defaults=_last(args, "--defaults"),
    )  # fmt: skip
    return planned(spec)


def _key(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj["metadata"]
    return obj["kind"], meta.get("namespace", ""), meta["name"]


@pytest.mark.parametrize("name", ALL_CASES)
def test_golden_matches_generated_output_byte_for_byte(name: str) -> None:
    assert generated(name) == path_of(name).read_text(encoding="utf-8"), (
        f"golden/{name}.nix is stale: rewrite it with `python tests/goldens.py` and review the diff"
    )


@pytest.mark.nix
@pytest.mark.parametrize("name", ALL_CASES)
def test_golden_is_accepted_by_nix_parser(name: str) -> None:
    run_nix(["--parse", str(path_of(name))])


def expected(name: str, p: model.Plan, profile: str, src: Path, host: str) -> dict[str, Any]:
    """What `nixgen values` says the profile gets, and what the plan says of the rest."""
    env = {"cfg.settings.k8sServiceHost": host, "config.clusterHost": CLUSTER_HOST,
           "config.clusterName": "hetzkube-test"}
    values = values_output(CASES[name], profile, objects=False, env=env)
    objects = values_output(CASES[name], profile, objects=True, env=env)
    assert values == p.values_for(profile, env)
    out: dict[str, Any] = {
        "present": True,
        "objects": sorted(objects, key=_key),
        "values": values,
        "chart": f"{src.resolve()}/{model.CHART_DIR}",
        "namespace": "kube-system",
    }
    if p.flavor == "hetzkube":
        crd_dir = f"{src.resolve()}/{model.CRD_DIR}"
        gateway_api = p.spec.gatewayApiVersion or catalog.load().gateway_api[p.release.minor]
        importyaml = {f: {"src": f"{crd_dir}/{f}"} for f in p.crd_files}
        # Besides every v2 CRD: the v2alpha1 CRDs of the kinds the module creates objects of
        # (in either profile), as the pinned release files them.
        made = {o.kind for o in p.objects if not o.patch}
        alpha_dir = f"{src.resolve()}/{model.ALPHA_CRD_DIR}"
        importyaml |= {c.file: {"src": f"{alpha_dir}/{c.file}"} for c in p.release.crds
                       if c.dir == "v2alpha1" and c.kind in made}  # fmt: skip
        generation = p.spec.easykubenix
        gateway_on = values.get("gatewayAPI", {}).get("enabled", False)  # the chart's: false
        if generation == "standalone" and gateway_on:
            importyaml["gateway-api"] = {"src": (
                "https://github.com/kubernetes-sigs/gateway-api/releases/download/"
                f"v{gateway_api}/standard-install.yaml")}  # fmt: skip
            for stem in catalog.load().gateway_api_experimental.get(p.release.minor, ()):
                importyaml[f"gateway-api-{stem}"] = {"src": (
                    "https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/"
                    f"v{gateway_api}/config/crd/experimental/"
                    f"gateway.networking.k8s.io_{stem}.yaml")}  # fmt: skip
        github = {"type": "github", "owner": "cilium", "repo": "cilium"}
        out |= {
            "importyaml": importyaml,
            "apiMappings": p.api_mappings,
            "fetchArgs": github | ({"rev": p.spec.rev, "narHash": p.spec.narHash} if p.spec.rev
                                   else {"ref": f"v{p.version}"}),
        }  # fmt: skip
        if generation != "standalone":
            out["gatewayApi"] = {"enable": gateway_on, "version": gateway_api}
        if generation == "hetzkube-pin":
            out["namespacedMappings"] = p.namespaced
    return out


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", CASES)
def test_golden_evaluates_to_what_the_plan_says(
    name: str, profile: str, lib_path: str, fake_trees: dict[str, Path]
) -> None:
    p = plan_of(name)
    src = fake_trees[p.release.version]
    settings: dict[str, Any] = {"version": p.version}
    host = CLUSTER_HOST  # hetzkube's default: config.clusterHost
    if isinstance(p.values_for(profile).get("k8sServiceHost"), InNix):
        settings["settings"] = {"k8sServiceHost": PRODUCTION_HOST}  # no default: set in Nix
        host = PRODUCTION_HOST
    got = evaluate(path_of(name), p.flavor, profile == "local", src, lib_path, settings,
                   generation=p.spec.easykubenix)  # fmt: skip
    got["objects"] = sorted(got["objects"], key=_key)
    want = expected(name, p, profile, src, host)
    assert got.keys() == want.keys()
    for part in want:
        assert strictly_equal(got[part], want[part]), f"{part}: Nix {got[part]!r} != {want[part]!r}"


def test_goldens_cover_both_flavours_every_setting_and_several_minors() -> None:
    plans = [plan_of(n) for n in CASES]
    assert {p.flavor for p in plans} == {"hetzkube", "nixidy"}
    assert {p.release.minor for p in plans} >= {"1.16", "1.17", "1.18", "1.19"}
    from nixgen.input import models

    given = plan_of("hetzkube-production").spec.given
    for name, section in (("settings", models.Settings), ("production", models.Production),
                          ("policies", models.Policies)):  # fmt: skip
        # tunnelProtocol belongs to tunnel routing: seed-local.toml sets it.
        unset = set(section.model_fields) - set(given[name]) - {"tunnelProtocol"}
        assert not unset, f"production.toml leaves {sorted(unset)} unset"
