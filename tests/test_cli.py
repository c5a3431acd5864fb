"""The command line, through click's runner and as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from goldens import path_of

from nixgen.cli import cli

GOLDEN_HETZKUBE = path_of("hetzkube-1.18.4")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nixgen", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("flavor", ["hetzkube", "nixidy"])
def test_module_prints_the_flavour_module(flavor: str) -> None:
    code, out, err = run("module", "--flavor", flavor, "--format", "never")
    assert code == 0 and err == ""
    assert out == path_of(f"{flavor}-1.18.4").read_text(encoding="utf-8")


def test_default_flavour_is_hetzkube_at_the_seed_version() -> None:
    code, out, _ = run("module", "--format", "never")
    assert code == 0 and out == GOLDEN_HETZKUBE.read_text(encoding="utf-8")


def test_output_file_is_written_and_nothing_printed(tmp_path: Path) -> None:
    target = tmp_path / "cilium.nix"
    code, out, _ = run("module", "--format", "never", "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8") == GOLDEN_HETZKUBE.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cilium.nix"]


def test_check_passes_on_a_current_file(tmp_path: Path) -> None:
    target = tmp_path / "cilium.nix"
    target.write_text(GOLDEN_HETZKUBE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run("module", "--format", "never", "-o", str(target), "--check")
    assert (code, out, err) == (0, "", "")


def test_check_fails_with_a_diff_on_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "cilium.nix"
    stale = GOLDEN_HETZKUBE.read_text(encoding="utf-8").replace("default = if cfg.isLocal then 1",
                                                                "default =  if cfg.isLocal then 1")
    target.write_text(stale, encoding="utf-8")
    code, out, err = run("module", "--format", "never", "-o", str(target), "--check")
    assert code == 1
    assert out.startswith(f"--- {target} (committed)\n+++ {target} (generated)\n")
    assert "-      default =  if cfg.isLocal then 1" in out
    assert "+      default = if cfg.isLocal then 1" in out
    assert "stale" in err
    assert target.read_text(encoding="utf-8") == stale  # --check never writes


def test_check_on_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    code, out, err = run("module", "-o", str(tmp_path / "none.nix"), "--check")
    assert code == 1 and out == ""
    assert "does not exist" in err
    assert not (tmp_path / "none.nix").exists()


def test_check_without_output_file_is_a_usage_error() -> None:
    code, out, err = run("module", "--check")
    assert code == 2 and out == ""
    assert err.strip() == "nixgen: error: --check needs -o FILE: the file to compare with"


def test_set_values_reach_the_module() -> None:
    code, out, _ = run("module", "--format", "never", "--set", "cluster.name=prod",
                       "--set", "a\\.b.c=[1,2]", "--set", "s=\"true\"",
                       "--unchecked", '"a.b"', "--unchecked", "s")  # fmt: skip
    assert code == 0
    assert 'cluster.name = lib.mkDefault "prod";' in out
    assert '"a.b".c = lib.mkDefault [\n            1\n            2\n          ];' in out
    assert 's = lib.mkDefault "true";' in out


BAD_INPUTS = [
    (["--flavor", "helm"], "'--flavor'"),
    (["--cilium-version", "1.12.0"], "--cilium-version 1.12.0: nixgen has no facts for Cilium 1.12"),
    (["--cilium-version", "1.18"], "--cilium-version 1.18: '1.18' is not a version of the form X.Y.Z"),
    (["--cilium-version", "v1.18.4"], "is not a version of the form X.Y.Z"),
    (["--set", "novalue"], "--set 'novalue': expected PATH=VALUE"),
    (["--set", "a..b=1"], "empty key in the path"),
    (["--set", "=1"], "empty key in the path"),
    (["--set", "x=0.1234567"], "values.x: float 0.1234567 has more than 6 significant digits"),
    (["--set", "x=99999999999999999999"], "values.x: integer 99999999999999999999 does not fit"),
    (["--set", 'x.y="a\\u0000b"'], "values.x.y: a Nix string cannot hold a NUL character"),
    (["--bogus"], "--bogus"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    args: list[str], message: str, tmp_path: Path
) -> None:
    target = tmp_path / "cilium.nix"
    target.write_text("previous contents\n", encoding="utf-8")
    code, out, err = run("module", "-o", str(target), *args)
    assert code == 2
    assert out == ""
    assert err.startswith("nixgen: error: ") and err.endswith("\n") and err.count("\n") == 1
    assert message in err
    assert target.read_text(encoding="utf-8") == "previous contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cilium.nix"]


def test_bad_input_on_stdout_prints_no_partial_module() -> None:
    done = process("module", "--set", "x=0.1234567")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("nixgen: error: values.x: float")


def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run("module", "-o", str(tmp_path / "missing" / "cilium.nix"))
    assert code == 2 and out == ""
    assert err.startswith("nixgen: error: ") and "cilium.nix: cannot write it: No such file" in err


@pytest.mark.slow
def test_real_process_writes_the_golden(tmp_path: Path) -> None:
    target = tmp_path / "cilium.nix"
    done = process("module", "--flavor", "nixidy", "--format", "never", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == path_of("nixidy-1.18.4").read_bytes()
    done = process("module", "--flavor", "nixidy", "--format", "never", "-o", str(target),
                   "--check")  # fmt: skip
    assert done.returncode == 0
    target.write_text("stale\n", encoding="utf-8")
    done = process("module", "--flavor", "nixidy", "--format", "never", "-o", str(target),
                   "--check")  # fmt: skip
    assert done.returncode == 1 and done.stdout.startswith("---")


@pytest.mark.slow
def test_output_is_byte_identical_across_hash_seeds() -> None:
    args = ("module", "--flavor", "nixidy", "--format", "never", "--set", "z.b=1", "--set",
            "z.a={\"q\":1,\"p\":[true,null]}", "--set", "a=x", "--unchecked", "z",
            "--unchecked", "a")  # fmt: skip
    outputs = {process(*args, env={"PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "4242", "random")}
    assert len(outputs) == 1 and next(iter(outputs)).startswith("# Generated by nixgen")


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("nixgen, version ")
    code, out, _ = run("module", "--help")
    assert code == 0 and "--flavor [hetzkube|nixidy]" in out
