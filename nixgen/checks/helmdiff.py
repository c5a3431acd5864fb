"""`nixgen upgrade-notes --render`: the objects the two releases' charts render for the config,
compared. Each chart (cilium-X.Y.Z.tgz in the charts folder; nothing is downloaded) is rendered
with `helm template` and the config's final values of each profile, as `nixgen values --profile
P --output json` gives them, a Nix expression standing in as a plausible string. Objects are
keyed by kind, namespace and name; one is changed when its content differs, leaving aside what
Helm generates afresh on every render (certificates and keys in Secrets) and checksum
annotations."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nixgen import notes as model
from nixgen import tree
from nixgen.checks.upgrade import at
from nixgen.errors import NixgenError
from nixgen.facts.valuepath import dotted
from nixgen.input.choices import PROFILES
from nixgen.input.spec import Spec
from nixgen.nixatoms import Raw
from nixgen.plan.model import NAMESPACE, Plan

# What a Nix expression of the config evaluates to in a cluster, for the chart's eyes.
PLAUSIBLE = {"cfg.k8sServiceHost": "api.cluster.example.com",
             "config.clusterHost": "api.cluster.example.com"}  # fmt: skip
GENERATED = "<generated>"
# Secret entries helm generates on each render (genCA, genSignedCert).
_GENERATED_SUFFIXES = (".crt", ".key", ".pem")

Key = tuple[str, str | None, str]


class RenderError(NixgenError):
    """A render --render cannot make: no helm, no chart tarball, a chart that refuses."""


def plausible(expr: str) -> str:
    return PLAUSIBLE.get(expr, f"nix-{expr}")


def values(plan: Plan, profile: str) -> Any:
    """The final Helm values of `profile`, each Nix expression a plausible string."""
    resolved = plan.values_for(profile)
    return tree.rebuild(resolved, lambda v: plausible(v.expr) if isinstance(v, Raw)
                        else tree.DESCEND)  # fmt: skip


def compare(spec: Spec, from_version: str, to_version: str, charts: Path, helm: str,
            plan_of: Callable[[Spec], Plan]) -> model.RenderDiff:  # fmt: skip
    """Both releases' charts rendered with the config's values of each profile (`plan_of`
    plans the config at each release), compared."""
    binary = shutil.which(helm)
    if binary is None:
        raise RenderError(f"--render needs helm (3 or 4): {helm!r} is not on PATH; give "
                          "--helm BINARY")  # fmt: skip
    tarballs = {}
    for version in (from_version, to_version):
        tarball = charts / f"cilium-{version}.tgz"
        if not tarball.is_file():
            raise RenderError(f"--charts {charts}: no cilium-{version}.tgz, the released chart of "
                              f"Cilium {version} (helm pull cilium --repo https://helm.cilium.io "
                              f"--version {version} fetches it)")  # fmt: skip
        tarballs[version] = tarball
    profiles = []
    with tempfile.TemporaryDirectory(prefix="nixgen-render-") as folder:
        for profile in PROFILES:
            old, new = (_objects(binary, tarballs[v], values(plan_of(at(spec, v)), profile), Path(folder),
                                 v, profile) for v in (from_version, to_version))  # fmt: skip
            profiles.append(_diff(profile, old, new))
    return model.RenderDiff(from_=from_version, to=to_version, profiles=profiles)


def _objects(helm: str, chart: Path, given: Any, folder: Path, version: str,
             profile: str) -> dict[Key, Any]:  # fmt: skip
    file = folder / "values.json"
    file.write_text(json.dumps(given), encoding="utf-8")
    try:
        done = subprocess.run([helm, "template", "cilium", str(chart), "-n", NAMESPACE, "-f",
                               str(file)], capture_output=True, text=True, timeout=300,
                              check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RenderError(f"--render: helm template of Cilium {version}'s chart: {err}") from None
    if done.returncode != 0:
        why = next((line for line in done.stderr.splitlines() if line.strip()), "failed")
        raise RenderError(f"--render: helm template of Cilium {version}'s chart with the "
                          f"{profile} profile's values: {why}")  # fmt: skip
    import yaml  # imported where YAML is read: not at start-up

    out: dict[Key, Any] = {}
    for doc in yaml.safe_load_all(done.stdout):
        if not isinstance(doc, dict) or "kind" not in doc:
            continue
        meta = doc.get("metadata") or {}
        out[(str(doc["kind"]), meta.get("namespace"), str(meta.get("name", "")))] = _normal(doc)
    return out


def _normal(obj: dict[str, Any]) -> Any:
    """The object without what differs on every render."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (_no_checksums(v) if k == "annotations" else strip(v))
                    for k, v in node.items()}  # fmt: skip
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    out: dict[str, Any] = strip(obj)
    if out.get("kind") == "Secret":
        for section in ("data", "stringData"):
            entries = out.get(section)
            if isinstance(entries, dict):
                out[section] = {k: GENERATED if k.endswith(_GENERATED_SUFFIXES) else v
                                for k, v in entries.items()}  # fmt: skip
    return out


def _no_checksums(annotations: Any) -> Any:
    if not isinstance(annotations, dict):
        return annotations
    return {k: v for k, v in annotations.items() if "checksum" not in str(k)}


def differences(old: Any, new: Any, at: str = "") -> list[str]:
    """The JSON paths where two objects differ, in key order."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            here = f"{at}.{dotted([str(key)])}" if at else dotted([str(key)])
            if key not in old or key not in new:
                out.append(here)
            else:
                out += differences(old[key], new[key], here)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [p for i, (a, b) in enumerate(zip(old, new))
                for p in differences(a, b, f"{at}[{i}]")]  # fmt: skip
    return [] if old == new and type(old) is type(new) else [at or "."]


def _ref(key: Key) -> model.ObjectKey:
    return model.ObjectKey(kind=key[0], namespace=key[1], name=key[2])


def _diff(profile: str, old: dict[Key, Any], new: dict[Key, Any]) -> model.ProfileDiff:
    order = sorted(set(old) | set(new), key=lambda k: (k[0], k[1] or "", k[2]))
    changed = []
    for key in order:
        if key in old and key in new:
            paths = differences(old[key], new[key])
            if paths:
                changed.append(model.ChangedObject(kind=key[0], namespace=key[1], name=key[2],
                                                   paths=paths))  # fmt: skip
    return model.ProfileDiff(
        profile=profile,  # type: ignore[arg-type]
        added=[_ref(k) for k in order if k not in old],
        removed=[_ref(k) for k in order if k not in new],
        changed=changed,
        unchanged=sum(1 for k in order if k in old and k in new) - len(changed))  # fmt: skip
