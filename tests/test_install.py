"""A plain (non-editable) install, in a temporary venv, finds its templates and data."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from goldens import path_of

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_finds_templates_and_catalog(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", wheels, ROOT, cwd=tmp_path)  # fmt: skip
    (wheel,) = wheels.glob("nixgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["nixgen/templates/nix/hetzkube.nix.j2", "nixgen/templates/nix/nixidy.nix.j2",
                   "nixgen/templates/nix/_header.nix.j2", "nixgen/data/catalog.json",
                   "nixgen/data/chart/1.18.4.json", "nixgen/data/chart/docs.json",
                   "nixgen/data/chart-changes.json",
                   "nixgen/data/upgrade-notes.schema.json",
                   "nixgen/data/gateway-api.schemas.json",
                   "nixgen/data/gateway-api.LICENSE"]:  # fmt: skip
        assert needed in names

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    venv_site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                          cwd=tmp_path).strip())  # fmt: skip
    # The dependencies (click, jinja2, pydantic) come from this environment, offline; a path
    # line in a .pth file adds the folder without running the .pth files inside it, so this
    # environment's own (editable) nixgen stays out of sight.
    (venv_site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "-q", wheel, cwd=tmp_path)  # fmt: skip

    where = _run(python, "-c", "import nixgen; print(nixgen.__file__)", cwd=tmp_path).strip()
    assert Path(where).is_relative_to(venv_site)
    out = _run(venv / "bin" / "nixgen", "module", "--flavor", "nixidy", "--format", "never",
               cwd=tmp_path)  # fmt: skip
    assert out == path_of("nixidy-1.18.4").read_text(encoding="utf-8")
