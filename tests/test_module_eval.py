"""Behaviour of generated modules under Nix beyond the goldens: options, overrides, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from nixharness import NixEvalError, evaluate, strictly_equal

from nixgen import generate, tree
from nixgen.input.spec import Spec
from nixgen.pipeline import planned
from nixgen.plan import model


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("modules")
    out = {}
    for flavor in ("hetzkube", "nixidy"):
        out[flavor] = root / f"{flavor}.nix"
        out[flavor].write_text(generate(Spec(flavor=flavor)), encoding="utf-8")
    return out


def test_unknown_minor_fails_naming_the_minor_and_saying_regenerate(
    modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    with pytest.raises(NixEvalError) as err:
        evaluate(modules["hetzkube"], "hetzkube", False, fake_trees["1.18.4"], lib_path,
                 {"version": "1.25.3"}, part="gatewayApi")  # fmt: skip
    message = str(err.value)
    assert "Cilium 1.25" in message and "regenerate" in message
    assert "attribute" not in message.split("error:")[-1].split("\n")[0]


def test_nixidy_production_without_api_host_fails_naming_the_option(
    modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    with pytest.raises(NixEvalError) as err:
        evaluate(modules["nixidy"], "nixidy", False, fake_trees["1.18.4"], lib_path, part="values")
    assert "nixgen: kubeProxyReplacement needs k8sServiceHost (in Nix: " \
        "cilium.settings.k8sServiceHost)" in str(err.value)


def test_nixidy_local_needs_no_api_host(
    modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = evaluate(modules["nixidy"], "nixidy", True, fake_trees["1.18.4"], lib_path, part="values")
    assert got["k8sServiceHost"] == "127.0.0.1"


@pytest.mark.parametrize("flavor", ["hetzkube", "nixidy"])
def test_helm_values_is_another_name_for_the_settings(
    flavor: str, modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    """cilium.helmValues (mkAliasOptionModule): its definitions are definitions of
    cilium.settings, merged key by key, a plain one over nixgen's defaults."""
    extra = {"hubble": {"ui": {"enabled": False}}, "cluster": {"name": "c1"}, "k8sServicePort": 7443,
             "k8sServiceHost": "10.0.0.9"}  # fmt: skip
    got = evaluate(modules[flavor], flavor, False, fake_trees["1.18.4"], lib_path,
                   {"helmValues": extra}, part="values")  # fmt: skip
    base = model.resolve(planned(Spec(flavor=flavor)).values, "production")
    want = tree.deep_merge(base, extra)
    assert want["hubble"]["relay"]["enabled"] is True  # kept beside the override
    assert strictly_equal(got, want)


@pytest.mark.parametrize("flavor", ["hetzkube", "nixidy"])
def test_disabled_module_defines_nothing(
    flavor: str, modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = evaluate(modules[flavor], flavor, False, fake_trees["1.18.4"], lib_path,
                   {"enable": False}, part="present")  # fmt: skip
    assert got is False


def test_gateway_api_follows_the_final_values(
    modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    settings = {"helmValues": {"gatewayAPI": {"enabled": False}}}
    got = evaluate(modules["hetzkube"], "hetzkube", False, fake_trees["1.18.4"], lib_path,
                   settings, part="gatewayApi")  # fmt: skip
    assert got == {"enable": False, "version": "1.2.0"}


def test_version_option_selects_gateway_api_release_without_regenerating(
    modules: dict[str, Path], fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = evaluate(modules["hetzkube"], "hetzkube", False, fake_trees["1.19.6"], lib_path,
                   {"version": "1.19.6"}, part="gatewayApi")  # fmt: skip
    assert got == {"enable": True, "version": "1.4.1"}
