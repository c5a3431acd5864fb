"""Writing CRD modules through the command line and evaluating them with their framework's
model (tests/nix/crds-harness.nix)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from nixharness import HERE, run_nix

from nixgen.cli import cli
from nixgen.nix import emit

CRDS_HARNESS = HERE / "nix" / "crds-harness.nix"
ROOT = HERE.parent


def nixgen(*args: str) -> tuple[int, str, str]:
    """`nixgen ARGS` in-process from the repository root: exit code, stdout, stderr."""
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_crds(path: Path, flavor: str, version: str = "1.18.4", *extra: str) -> Path:
    code, out, err = nixgen("crds", "--flavor", flavor, "--cilium-version", version, *extra,
                            "--format", "never", "-o", str(path))  # fmt: skip
    assert code == 0, err
    return path


def user_module(path: Path, definitions: Any, args: str = "{ lib, ... }:") -> Path:
    """A module file defining `definitions` (emitter input: lib.mkIf and the like as Call)."""
    path.write_text(f"{args}\n{emit.expr(definitions)}\n", encoding="utf-8")
    return path


def evaluate(flavor: str, crds: Path, user: Path, lib_path: str = "",
             generation: str = "hetzkube-pin", app: str = "cilium",
             module: Path | None = None, src: Path | None = None,
             part: str = "objects") -> Any:  # fmt: skip
    """The manifests the framework writes (hetzkube: kubernetes.generated; nixidy: the
    application's objects), or NixEvalError."""
    args = ["--eval", "--strict", "--json", str(CRDS_HARNESS),
            "--argstr", "flavor", flavor, "--argstr", "crdsPath", str(crds.resolve()),
            "--argstr", "userPath", str(user.resolve()), "--argstr", "libPath", lib_path,
            "--argstr", "generation", generation, "--argstr", "app", app,
            "--argstr", "part", part]  # fmt: skip
    if module is not None:
        assert src is not None
        args += ["--argstr", "modulePath", str(module.resolve()), "--argstr", "src",
                 str(src.resolve())]  # fmt: skip
    return json.loads(run_nix(args))


def judge(flavor: str, crds: Path, users: Path, lib_path: str = "",
          generation: str = "hetzkube-pin", app: str = "cilium") -> list[bool]:
    """For a file holding a list of user modules: whether the framework's evaluation of each
    (with the CRD module) succeeds."""
    args = ["--eval", "--strict", "--json", str(CRDS_HARNESS), "--arg", "judge", "true",
            "--argstr", "flavor", flavor, "--argstr", "crdsPath", str(crds.resolve()),
            "--argstr", "userPath", str(users.resolve()), "--argstr", "libPath", lib_path,
            "--argstr", "generation", generation, "--argstr", "app", app]  # fmt: skip
    return json.loads(run_nix(args, timeout=600))


def hetzkube_objects(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """easykubenix definitions of `objects`: kubernetes.resources.<namespace>.<Kind>.<name>,
    the namespace "none" for cluster-scoped ones."""
    tree: dict[str, Any] = {}
    for obj in objects:
        meta = obj.get("metadata", {})
        body = {k: v for k, v in obj.items() if k != "kind"}
        scope = tree.setdefault(meta.get("namespace", "none"), {})
        scope.setdefault(obj["kind"], {})[meta["name"]] = body
    return {"kubernetes": {"resources": tree}}
