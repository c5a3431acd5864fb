"""Evaluating generated modules with nix-instantiate, and the small fake Cilium tree they read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from nixgen.facts import catalog
from nixgen.nix.flavors import nixidy
from nixgen.nixatoms import InNix
from nixgen.plan import objects

HERE = Path(__file__).parent
HARNESS = HERE / "nix" / "harness.nix"
CLUSTER_HOST = "api.cluster.test"
# The production API server host a test sets in Nix where the module has none (nixidy, plain
# easykubenix): cilium.settings.k8sServiceHost.
API_HOST = "10.0.0.9"
# The values of the Nix expressions plans hold, as the tests evaluate them.
ENV = {"config.clusterHost": CLUSTER_HOST, "cfg.settings.k8sServiceHost": API_HOST}


def api_host(values: Any) -> dict[str, Any]:
    """The cilium.* definitions a module needs for one profile's planned `values`: production's
    API server host, where the module leaves it to the user's Nix."""
    if isinstance(values, dict) and isinstance(values.get("k8sServiceHost"), InNix):
        return {"settings": {"k8sServiceHost": API_HOST}}
    return {}


# nixidy's typed resources the harness stands for: attribute → kind and scope.
NIXIDY_KINDS = {attr: {"kind": kind, "namespaced": objects.WELL_KNOWN[kind]}
                for kind, attr in nixidy.TYPED_RESOURCES.items()}  # fmt: skip


class NixEvalError(RuntimeError):
    pass


def nix_instantiate() -> str:
    exe = shutil.which("nix-instantiate")
    if exe is None:
        raise RuntimeError(
            "nix-instantiate is not on PATH: the tests judge every module with Nix "
            "(on Debian/Ubuntu: apt-get install -y nix-bin)"
        )
    return exe


def in_ci() -> bool:
    """Whether the tests run in CI, where a tool a tier needs must be there: a missing one
    fails that tier's tests instead of skipping them."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def real_lib() -> str | None:
    """A nixpkgs `lib` folder: $NIXPKGS_LIB, else `<nixpkgs/lib>` on NIX_PATH; None when
    neither gives one."""
    given = os.environ.get("NIXPKGS_LIB")
    if given:
        return given
    if not os.environ.get("NIX_PATH") or shutil.which("nix-instantiate") is None:
        return None
    done = subprocess.run([nix_instantiate(), "--find-file", "nixpkgs/lib"], capture_output=True,
                          text=True, timeout=30, check=False)  # fmt: skip
    found = done.stdout.strip()
    return found if done.returncode == 0 and found else None


def lib_choices() -> list[tuple[str, str | None]]:
    """(id, lib path) for each lib to evaluate with: the project's small lib, always, and
    nixpkgs' lib (None: not available here)."""
    return [("minilib", ""), ("nixpkgs-lib", real_lib())]


# The majors users render with: helm 3 and helm 4 (CI installs both, .ci/install-helm).
HELM_MAJORS = ("3", "4")


def helm_choices() -> list[tuple[str, str | None]]:
    """(id, binary) of helm 3 and helm 4: `helm3`/`helm4` on PATH, else `helm` when it is that
    major (None: not available here)."""
    out = []
    plain = shutil.which("helm")
    plain_major = _helm_major(plain) if plain else None
    for major in HELM_MAJORS:
        found = shutil.which(f"helm{major}")
        if found is None and plain_major == major:
            found = plain
        out.append((f"helm{major}", found))
    return out


def _helm_major(binary: str) -> str | None:
    try:
        done = subprocess.run([binary, "version", "--short"], capture_output=True, text=True,
                              timeout=30, check=False)  # fmt: skip
    except OSError:
        return None
    version = done.stdout.strip()
    return version[1] if version.startswith("v") and len(version) > 1 else None


def run_nix(args: list[str], timeout: float = 120, traces: list[str] | None = None) -> str:
    """nix-instantiate's output; NixEvalError with its stderr when it fails. `traces` gets the
    stderr of a success (warnings, builtins.trace)."""
    done = subprocess.run(
        [nix_instantiate(), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise NixEvalError(done.stderr.strip())
    if traces is not None:
        traces.append(done.stderr)
    return done.stdout


def evaluate(
    module: Path,
    flavor: str,
    is_local: bool,
    src: Path,
    lib_path: str = "",
    settings: dict[str, Any] | None = None,
    part: str = "all",
    generation: str = "hetzkube-pin",
    other: dict[str, Any] | None = None,
    chart_name: str = "",
    traces: list[str] | None = None,
    pkgs: dict[str, Any] | None = None,
    batch: list[dict[str, Any]] | None = None,
) -> Any:
    """What the framework would see of `module`, as JSON (see tests/nix/harness.nix). nixidy:
    with `chart_name`, its chart is a derivation-like attrset of that name. With `batch` and
    part "accepted": whether the values evaluate with each of those settings."""
    args = [
        "--eval", "--strict", "--json", str(HARNESS),
        "--argstr", "modulePath", str(module.resolve()),
        "--argstr", "flavor", flavor,
        "--arg", "isLocal", "true" if is_local else "false",
        "--argstr", "src", str(src.resolve()),
        "--argstr", "libPath", lib_path,
        "--argstr", "settingsJSON", json.dumps(settings or {}),
        "--argstr", "clusterHost", CLUSTER_HOST,
        "--argstr", "part", part,
        "--argstr", "generation", generation,
        "--argstr", "otherJSON", json.dumps(other or {}),
        "--argstr", "nixidyKindsJSON", json.dumps(NIXIDY_KINDS),
        "--argstr", "chartName", chart_name,
        "--argstr", "pkgsJSON", json.dumps(pkgs or {}),
        "--argstr", "batchJSON", json.dumps(batch or []),
    ]  # fmt: skip
    return json.loads(run_nix(args, traces=traces))


def eval_expr(source: str) -> Any:
    return json.loads(run_nix(["--eval", "--strict", "--json", "-E", source]))


def eval_file(path: Path) -> Any:
    return json.loads(run_nix(["--eval", "--strict", "--json", str(path)]))


def fake_cilium_tree(root: Path, version: str) -> Path:
    """A Cilium source tree with just what a module reads: the chart folder and the CRD YAMLs
    of `version` (as the catalog lists them), plus the files a CRD import must skip."""
    release = catalog.load().release_for(version)
    chart = root / "install" / "kubernetes" / "cilium"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: cilium\nversion: {version}\n")
    (chart / "values.yaml").write_text("kubeProxyReplacement: false\n")
    crds = root / "pkg" / "k8s" / "apis" / "cilium.io" / "client" / "crds"
    for crd in release.crds:
        folder = crds / crd.dir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / crd.file).write_text(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            f"spec:\n  group: {crd.group}\n  names:\n    kind: {crd.kind}\n"
        )
    v2 = crds / "v2"
    v2.mkdir(parents=True, exist_ok=True)
    (v2 / "embed.go").write_text("package crds\n")
    (v2 / "kustomization.yaml").write_text("resources: []\n")
    (v2 / "notes.yaml").mkdir()  # a folder, not a CRD
    return root


def strictly_equal(nix: Any, python: Any) -> bool:
    """Equality that tells true from 1 (Python does not); a float may come back from Nix's
    JSON as an integer-looking number."""
    if isinstance(python, bool) or isinstance(nix, bool):
        return type(nix) is type(python) and nix == python
    if isinstance(python, float):
        return isinstance(nix, (int, float)) and nix == python
    if isinstance(python, int):
        return type(nix) is int and nix == python
    if isinstance(python, dict):
        return (
            isinstance(nix, dict)
            and nix.keys() == python.keys()
            and all(strictly_equal(nix[k], python[k]) for k in python)
        )
    if isinstance(python, (list, tuple)):
        return (
            isinstance(nix, list)
            and len(nix) == len(python)
            and all(strictly_equal(a, b) for a, b in zip(nix, python))
        )
    return type(nix) is type(python) and nix == python
