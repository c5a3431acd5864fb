"""The nixidy module holds its chart to `cilium.version` where the chart says its release:
nixhelm's chart is a derivation named `helm-chart-https-helm.cilium.io--cilium-X.Y.Z`, and nixhelm
follows new Cilium releases on its own (after `nix flake update` the chart can be another
release than the module was generated for). Evaluated with Nix, both libs."""

from __future__ import annotations

from pathlib import Path

import pytest
from nixharness import NixEvalError, evaluate

from nixgen import generate
from nixgen.input.spec import Spec

# nixhelm's chart derivation name (downloadHelmChart; "/" of the repo becomes "-", hence "--").
NIXHELM = "helm-chart-https-helm.cilium.io--cilium-{}"


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nixidy") / "cilium.nix"
    path.write_text(generate(Spec(flavor="nixidy", ciliumVersion="1.18.4")), encoding="utf-8")
    return path


def test_a_chart_of_a_newer_release_fails_with_the_regen_that_follows_it(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    with pytest.raises(NixEvalError) as err:
        evaluate(module, "nixidy", True, fake_trees["1.18.4"], lib_path, part="chart",
                 chart_name=NIXHELM.format("1.19.6"))  # fmt: skip
    message = str(err.value)
    assert "cilium.chart is Cilium 1.19.6's chart" in message
    assert "this module is for Cilium 1.18.4 (cilium.version)" in message
    assert "nixgen regen FILE --cilium-version 1.19.6" in message
    assert "nixgen upgrade-notes --from 1.18.4 --to 1.19.6" in message


def test_a_chart_of_an_older_release_fails_without_upgrade_notes(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    with pytest.raises(NixEvalError) as err:
        evaluate(module, "nixidy", True, fake_trees["1.18.4"], lib_path, part="chart",
                 chart_name=NIXHELM.format("1.17.18"))  # fmt: skip
    message = str(err.value)
    assert "nixgen regen FILE --cilium-version 1.17.18" in message
    assert "upgrade-notes" not in message


def test_the_whole_evaluation_fails_once_not_just_the_chart(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """What nixidy reads, the release, is what fails: one evaluation failure."""
    with pytest.raises(NixEvalError) as err:
        evaluate(module, "nixidy", True, fake_trees["1.18.4"], lib_path,
                 chart_name=NIXHELM.format("1.20.1"))  # fmt: skip
    assert str(err.value).count("cilium.chart is Cilium 1.20.1's chart") == 1


def test_the_chart_of_the_modules_release_evaluates_silently(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    traces: list[str] = []
    got = evaluate(module, "nixidy", True, fake_trees["1.18.4"], lib_path, part="chart",
                   chart_name=NIXHELM.format("1.18.4"), traces=traces)  # fmt: skip
    assert got == str(fake_trees["1.18.4"].resolve() / "install" / "kubernetes" / "cilium")
    assert "nixgen" not in traces[0]


def test_cilium_version_set_in_nix_is_what_the_chart_is_held_to(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = evaluate(module, "nixidy", True, fake_trees["1.19.6"], lib_path, {"version": "1.19.6"},
                   part="chart", chart_name=NIXHELM.format("1.19.6"))  # fmt: skip
    assert got.endswith("/install/kubernetes/cilium")


def test_a_plain_folder_evaluates_with_a_warning(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    traces: list[str] = []
    got = evaluate(module, "nixidy", True, fake_trees["1.18.4"], lib_path, part="chart",
                   traces=traces)  # fmt: skip
    assert got.endswith("/install/kubernetes/cilium")
    assert "nixgen: cilium.chart does not say which Cilium release it holds" in traces[0]
    assert "make sure it is 1.18.4" in traces[0]


def test_a_name_without_a_release_at_its_end_is_a_plain_chart(
    module: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    traces: list[str] = []
    evaluate(module, "nixidy", True, fake_trees["1.18.4"], lib_path, part="chart",
             chart_name="cilium-1.19.6-patched", traces=traces)  # fmt: skip
    assert "does not say which Cilium release" in traces[0]
