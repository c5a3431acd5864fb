"""A values file is data; a Nix expression is one unambiguous marker, `{ "$nix" = "..." }` (and
`--set-nix`), `{ nix = ... }` only in `[settings]`; every expression starts from one of the
module's arguments (config, lib, options, pkgs), never from a binding of the module's own.
Nix is the judge of what the generated module computes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from goldens import ROOT
from nixharness import evaluate

from nixgen.cli import cli
from nixgen.input import config as config_

CORPUS = ROOT / "tests" / "fixtures" / "values"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def module(tmp_path: Path, *args: str) -> Path:
    target = tmp_path / "cilium.nix"
    code, _, err = run("module", "--format", "never", "-o", str(target), *args)
    assert code == 0, err
    return target


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, *args: str) -> str:
    """The one line a refused run prints; nothing written."""
    target = tmp_path / "out.nix"
    code, out, err = run("module", "-o", str(target), *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and not target.exists(), err
    return err


# ------------------------------------------------------------------ what is refused


@pytest.mark.parametrize("expr", ["x", "_", "self", "merged", "cfg.isLocal", "values.a",
                                  "builtins.currentTime", "config.a or 1"])
def test_an_expression_must_start_from_a_module_argument(expr: str, tmp_path: Path) -> None:
    """Before, `{ nix = "merged" }` captured the module's own binding (the evaluation then
    overflowed the stack) and `"x"` gave a module Nix could not evaluate, with exit 0."""
    settings = write(tmp_path, "s.toml", f'[settings]\nk8sServiceHost = {{ nix = "{expr}" }}\n')
    values = write(tmp_path, "v.toml", f'[values]\ncluster.name = {{ "$nix" = "{expr}" }}\n')
    for line in (refused(tmp_path, "--config", str(settings)),
                 refused(tmp_path, "--config", str(values)),
                 refused(tmp_path, "--set-nix", f"cluster.name={expr}")):  # fmt: skip
        assert repr(expr) in line
        assert "config, lib, options, pkgs" in line or "not a Nix attribute path" in line


def test_the_whole_values_as_one_expression_is_one_clear_error(tmp_path: Path) -> None:
    config = write(tmp_path, "c.toml", '[values]\n"$nix" = "config.x"\n')
    assert "values: the Helm values as a whole cannot be a Nix expression" in refused(
        tmp_path, "--config", str(config))
    assert "values: the Helm values as a whole" in refused(tmp_path, "--set", '$nix=config.x')


def test_a_table_whose_only_key_is_nix_is_data_where_values_are_free(tmp_path: Path) -> None:
    """`values = { nix = "config.x" }` and `--set nix=config.x` were a traceback ('Raw' object
    has no attribute 'items'); now they are a key `nix` the chart does not have."""
    config = write(tmp_path, "c.toml", '[values]\nnix = "config.x"\n')
    for args in (["--config", str(config)], ["--set", "nix=config.x"]):
        line = refused(tmp_path, *args)
        assert line.startswith("nixgen: error: nix: Cilium 1.18.4's chart has no such value")


# ------------------------------------------------------------------ what Nix computes


def _values(path: Path, lib_path: str, fake_trees: dict[str, Path],
            pkgs: dict[str, Any] | None = None) -> Any:  # fmt: skip
    return evaluate(path, "hetzkube", False, fake_trees["1.18.4"], lib_path, part="values",
                    pkgs=pkgs)  # fmt: skip


def test_data_that_looks_like_nix_stays_data(tmp_path: Path, lib_path: str,
                                             fake_trees: dict[str, Path]) -> None:  # fmt: skip
    """A values file's `{nix: "builtins.currentTime"}`, `--set nodeSelector.nix=...` (silently
    an expression before) and a `[values]` table whose only key is `nix`: attribute sets with a
    string, as Nix evaluates the module."""
    config = write(tmp_path, "c.toml", '[values.operator.podLabels]\nnix = "enabled"\n')
    path = module(tmp_path, "-f", str(CORPUS / "34-freeform-nix-key.yaml"), "--config",
                  str(config), "--set", "nodeSelector.nix=config.clusterName")  # fmt: skip
    values = _values(path, lib_path, fake_trees)
    assert values["podLabels"]["nix"] == "builtins.currentTime"
    assert values["podAnnotations"]["nix"] == "${pkgs.hello}"
    assert values["operator"]["podLabels"] == {"nix": "enabled"}
    assert values["nodeSelector"] == {"nix": "config.clusterName"}


def test_an_expression_reading_pkgs_makes_the_module_take_pkgs(
    tmp_path: Path, lib_path: str, fake_trees: dict[str, Path]
) -> None:
    """`{ nix = "pkgs.foo" }` gave a module that named `pkgs` without taking it."""
    config = write(tmp_path, "c.toml", '[settings]\nk8sServiceHost = { nix = "pkgs.host" }\n')
    path = module(tmp_path, "--config", str(config),
                  "--set-nix", "cluster.name=pkgs.names.cluster")  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert "{\n  config,\n  lib,\n  pkgs,\n  ...\n}:\n" in text
    values = _values(path, lib_path, fake_trees, {"host": "10.1.2.3",
                                                  "names": {"cluster": "from-pkgs"}})
    assert (values["k8sServiceHost"], values["cluster"]["name"]) == ("10.1.2.3", "from-pkgs")
    plain = module(tmp_path, "--set-nix", "cluster.name=config.clusterName")
    assert "{ config, lib, ... }:\n" in plain.read_text(encoding="utf-8")
    # `options` likewise: the version option's own default, read through the module system.
    read = module(tmp_path, "--set-nix", "podLabels.version=options.cilium.version.default")
    assert "{\n  config,\n  lib,\n  options,\n  ...\n}:\n" in read.read_text(encoding="utf-8")
    assert _values(read, lib_path, fake_trees)["podLabels"]["version"] == "1.18.4"


# ------------------------------------------------------------------ headers


OLD_HEADER = ('# nixgen-spec: {"flavor":"hetzkube","ciliumVersion":"1.18.4","values":{"cluster":'
              '{"name":{"nix":"config.clusterName"}},"podLabels":{"a":"b"}}}\n')


def test_an_old_headers_nix_tables_are_expressions_and_come_back_marked(
    tmp_path: Path, lib_path: str, fake_trees: dict[str, Path]
) -> None:
    path = write(tmp_path, "cilium.nix", OLD_HEADER + "{ }\n")
    assert config_.read_header(path) == (
        {"flavor": "hetzkube", "ciliumVersion": "1.18.4",
         "values": {"cluster": {"name": {"nix": "config.clusterName"}}, "podLabels": {"a": "b"}}},
        True)  # fmt: skip
    code, _, err = run("regen", str(path), "--format", "never")
    assert code == 0, err
    data, old = config_.read_header(path)
    assert data["values"]["cluster"]["name"] == {"$nix": "config.clusterName"}
    assert _values(path, lib_path, fake_trees)["cluster"]["name"] == "hetzkube-test"


def test_a_header_holding_a_nix_table_of_data_reads_back_as_data(tmp_path: Path) -> None:
    path = module(tmp_path, "--set", "podLabels.nix=on")
    text = path.read_text(encoding="utf-8")
    assert "# nixgen-spec:\n#   {\n" in text  # the block form, which no old reader misreads
    data, old = config_.read_header(path)
    assert not old and data["values"] == {"podLabels": {"nix": "on"}}
    assert run("regen", str(path), "--format", "never", "--check")[0] == 0


@pytest.mark.parametrize("given", [{"a": {"nix": "x"}}, {"nix": 1}, {"l": [{"nix": "y"}]},
                                   {"long": {"nix": "z" * 500}}])
def test_a_block_header_round_trips_its_values(given: dict[str, Any], tmp_path: Path) -> None:
    data = {"flavor": "nixidy", "ciliumVersion": "1.18.4", "values": given}
    text = "\n".join(config_.header_lines(data))
    assert text.startswith(config_.BLOCK_MARK + "\n")
    assert max(len(line) for line in text.splitlines()) <= 200
    path = write(tmp_path, "cilium.nix", text + "\n{ }\n")
    assert config_.read_header(path) == (data, False)
