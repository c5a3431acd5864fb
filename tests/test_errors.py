"""Every failure path ends in one line on stderr naming the input and the reason, exit status 2,
no traceback and nothing written; and a module that another module shares options with still
evaluates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from clirun import one_line_error, process
from goldens import ROOT, path_of
from hypothesis import given, settings, strategies as st
from nixharness import evaluate, run_nix

from nixgen.facts import locations


# ---------------------------------------------------------------- the catalog


@pytest.mark.parametrize(("content", "reason"), [
    (None, "cannot read the catalog: No such file or directory"),
    ("{}", "not a nixgen catalog (no 'versions' key)"),
    ("not json", "the catalog is not JSON"),
    ('{"versions": {"1.18": {"crds": []}}, "gatewayApi": {}}', "not a nixgen catalog"),
    ('[1, 2]', "not a nixgen catalog (the top level is not an object)"),
])  # fmt: skip
@pytest.mark.parametrize("command", [["module"], ["versions"], ["module", "--set", "a=1"],
                                     ["explain", "hubble.enabled"]])  # fmt: skip
def test_a_broken_nixgen_catalog_is_one_line(
    content: str | None, reason: str, command: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "catalog.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    done = process(*command, env={"NIXGEN_CATALOG": str(path)})
    one_line_error(done, f"NIXGEN_CATALOG={path}", reason)


def _cilium_tree(root: Path, version: str = "1.21.0") -> Path:
    chart = root / "install" / "kubernetes" / "cilium"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"name: cilium\nversion: {version}\n")
    crds = root / "pkg" / "k8s" / "apis" / "cilium.io" / "client" / "crds" / "v2"
    crds.mkdir(parents=True)
    (crds / "ciliumnodes.yaml").write_text(
        "kind: CustomResourceDefinition\nspec:\n  group: cilium.io\n  names:\n    kind: CiliumNode\n"
        "    plural: ciliumnodes\n"
        "  scope: Cluster\n  versions:\n  - name: v2\n    served: true\n    storage: true\n"
        "    schema:\n      openAPIV3Schema:\n        type: object\n"
    )
    return root


def test_catalog_import_with_a_bad_gateway_api_version_is_one_line(tmp_path: Path) -> None:
    mine = tmp_path / "catalog.json"
    shutil.copy(locations.catalog_path(), mine)
    before = mine.read_bytes()
    done = process("catalog", "import", str(_cilium_tree(tmp_path / "t")), "--catalog", str(mine),
                   "--gateway-api-version", "1.6")  # fmt: skip
    one_line_error(done, "--gateway-api-version", "'1.6' is not a version of the form X.Y.Z")
    assert mine.read_bytes() == before


def test_catalog_import_of_a_folder_that_is_no_cilium_tree_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = process("catalog", "import", str(tmp_path / "empty"), "--catalog",
                   locations.catalog_path())  # fmt: skip
    one_line_error(done, "Chart.yaml", "No such file or directory")


@pytest.mark.parametrize(("content", "reason"), [
    ("{}", "not a nixgen catalog (no 'versions' key)"),
    ('{"versions": {}}', "not a nixgen catalog (no 'gatewayApi' key)"),
    ("]", "the catalog is not JSON"),
])  # fmt: skip
def test_catalog_import_into_a_file_that_is_no_catalog_is_one_line(
    content: str, reason: str, tmp_path: Path
) -> None:
    mine = tmp_path / "catalog.json"
    mine.write_text(content, encoding="utf-8")
    done = process("catalog", "import", str(_cilium_tree(tmp_path / "t")), "--catalog", str(mine),
                   "--gateway-api-version", "1.6.0")  # fmt: skip
    one_line_error(done, str(mine), reason)
    assert mine.read_text(encoding="utf-8") == content


# ---------------------------------------------------------------- lock


def test_lock_with_a_nix_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    nix = folder / "nix"
    nix.write_text("#!/nonexistent/interpreter\n")
    nix.chmod(0o755)
    done = process("lock", env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"})
    one_line_error(done, "nix flake prefetch github:cilium/cilium/v1.18.4 could not run")


# ---------------------------------------------------------------- output


def test_an_output_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "cilium.nix"
    done = process("module", "--format", "never", "-o", str(target))
    one_line_error(done, str(target), "cannot write it")


# ---------------------------------------------------------------- where an error points


def _config(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_bad_float_in_a_policy_is_named_by_its_config_path(tmp_path: Path) -> None:
    policy = {"kind": "CiliumNetworkPolicy", "name": "p", "namespace": "n",
              "spec": {"endpointSelector": {}, "weight": 0.1234567}}  # fmt: skip
    done = process("module", "--config", str(_config(tmp_path, {"policies": {"extra": [policy]}})))
    line = one_line_error(done, "policies.extra[0].spec.weight: float 0.1234567")
    assert "values." not in line


def test_a_bad_float_in_values_is_named_by_its_config_path(tmp_path: Path) -> None:
    done = process("module", "--set", "operator.resources.limits.cpu=0.1234567")
    one_line_error(done, "values.operator.resources.limits.cpu: float 0.1234567")


def test_union_errors_name_the_setting_not_pydantics_branches(tmp_path: Path) -> None:
    done = process("module", "--config",
                   str(_config(tmp_path, {"settings": {"operator": {"replicas": -1}}})))  # fmt: skip
    line = one_line_error(done, "settings.operator.replicas = -1: ")
    assert "constrained" not in line and "Profiles" not in line and "int" not in line.split(":")[2]


def test_a_list_index_is_written_as_an_index(tmp_path: Path) -> None:
    policy = {"kind": "CiliumNetworkPolicy", "name": "Bad_Name", "namespace": "n", "spec": {}}
    done = process("module", "--config", str(_config(tmp_path, {"policies": {"extra": [policy]}})))
    one_line_error(done, 'policies.extra[0].name: "Bad_Name" is not a valid CiliumNetworkPolicy '
                         "name: a DNS subdomain")  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("keyword", ["if", "then", "else", "let", "in", "with", "rec", "or",
                                     "config.if", "assert.x"])  # fmt: skip
@pytest.mark.parametrize("where", ["settings", "values"])
def test_a_nix_keyword_is_not_an_expression(keyword: str, where: str, tmp_path: Path) -> None:
    data = ({"settings": {"k8sServiceHost": {"nix": keyword}}} if where == "settings"
            else {"values": {"cluster": {"name": {"$nix": keyword}}}})  # fmt: skip
    done = process("module", "--format", "never", "--config", str(_config(tmp_path, data)))
    one_line_error(done, f"{keyword!r} is not a Nix attribute path")


# ---------------------------------------------------------------- malformed input, anywhere

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.text(max_size=8), st.sampled_from(["if", "10.0.0.0/33", "\x00", "native", "${x}"]),
    st.lists(st.integers(), max_size=2), st.just({"nix": "if"}), st.just({"$nix": "if"}),
    st.just({"local": 1}),
    st.dictionaries(st.sampled_from(["a", "nix", "local", "production", "enabled"]),
                    st.one_of(st.integers(), st.text(max_size=3), st.booleans()), max_size=2),
)  # fmt: skip
PATHS = st.sampled_from([
    ("settings", "routingMode"), ("settings", "k8sServiceHost"), ("settings", "k8sServicePort"),
    ("settings", "operator", "replicas"), ("settings", "hubble", "relay", "enabled"),
    ("settings", "ipam", "operator", "clusterPoolIPv4PodCIDRList"), ("settings", "bogus"),
    ("settings", "encryption"), ("policies", "extra"), ("policies", "defaultPolicy"),
    ("production", "loadBalancerIPPools"), ("production", "ipv6"), ("values", "cluster", "name"),
    ("values", "x"), ("source", "rev"), ("flavor",), ("ciliumVersion",), ("easykubenix",),
    ("gatewayApiVersion",), ("settings",), ("values",), ("policies",), ("production",),
    ("objects",), ("uncheckedValues",), ("production", "bgp"), ("production", "l2announcements"),
    ("settings", "cni", "binPath"),
])  # fmt: skip


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for key in reversed(path):
        out = {key: out}
    return out


@pytest.mark.slow
@pytest.mark.nix
@settings(max_examples=40)
@given(path=PATHS, value=JUNK)
def test_malformed_values_in_any_section_exit_0_or_2_and_never_a_traceback(
    path: tuple[str, ...], value: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("junk")
    config = folder / "nixgen.json"
    try:
        config.write_text(json.dumps(_nest(path, value)), encoding="utf-8")
    except ValueError:  # a float JSON cannot hold
        config.write_text(json.dumps(_nest(path, str(value))), encoding="utf-8")
    target = folder / "cilium.nix"
    done = process("module", "--format", "never", "--config", str(config), "-o", str(target))
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr
    if done.returncode == 2:
        one_line_error(done)
        assert not target.exists()
    else:
        run_nix(["--parse", str(target)])


# ---------------------------------------------------------------- the source tree


@pytest.mark.slow
def test_python_m_nixgen_runs_from_a_plain_source_tree(tmp_path: Path) -> None:
    """A checkout with the dependencies installed, and nixgen itself not installed: the copy
    knows only its own folder (no package data mapping)."""
    tree = tmp_path / "checkout"
    shutil.copytree(ROOT / "nixgen", tree / "nixgen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", tree / "templates")
    done = process("module", "--flavor", "nixidy", "--format", "never", cwd=tree)
    assert done.returncode == 0, done.stderr
    where = subprocess.run([sys.executable, "-c", "import nixgen; print(nixgen.__file__)"],
                           capture_output=True, text=True, cwd=tree, check=True).stdout  # fmt: skip
    assert Path(where.strip()).is_relative_to(tree)
    installed = Path(sys.executable).parent / "nixgen"  # the console script of this environment
    from_cli = subprocess.run([str(installed), "module", "--flavor", "nixidy", "--format", "never"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert done.stdout == from_cli == path_of("nixidy-1.18.4").read_text(encoding="utf-8")


# ---------------------------------------------------------------- module idioms in Nix


def test_another_module_may_turn_gateway_api_on_while_the_values_turn_it_off(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    got = evaluate(path_of("hetzkube-1.18.4"), "hetzkube", False, fake_trees["1.18.4"], lib_path,
                   {"helmValues": {"gatewayAPI": {"enabled": False}}}, part="gatewayApi",
                   other={"gateway-api": {"enable": True}})  # fmt: skip
    assert got == {"enable": True, "version": "1.2.0"}
