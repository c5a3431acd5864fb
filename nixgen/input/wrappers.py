"""The Helm values inside a Flux `HelmRelease` or an Argo CD `Application` that deploys the
Cilium chart, and the release it pins: `spec.values` of a HelmRelease; `helm.valuesObject`,
`helm.values` (YAML text) and `helm.parameters` (as Helm's `--set` gives them) of an
Application's source. What Helm would read from elsewhere (valuesFrom, valueFiles) is a note.
"""

from __future__ import annotations

import re
from typing import Any

from nixgen.input.helmyaml import Refused, yaml_docs
from nixgen.input.sets import SetError, parse_set
from nixgen.tree import deep_merge, nest

_EXACT_VERSION = re.compile(r"v?([0-9]+\.[0-9]+\.[0-9]+)\Z")


def wrapper_kind(doc: Any) -> str | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("apiVersion"), str):
        return None
    group = doc["apiVersion"].split("/")[0]
    if doc.get("kind") == "HelmRelease" and group == "helm.toolkit.fluxcd.io":
        return "HelmRelease"
    if doc.get("kind") == "Application" and group == "argoproj.io":
        return "Application"
    return None


def unwrap(wrappers: list[dict[str, Any]]) -> tuple[str, dict[str, Any], str | None, list[str]]:
    """The one Cilium chart the wrappers deploy: its kind (HelmRelease or Application), its
    Helm values, the Cilium release it pins exactly (None when it pins none), and the notes on
    what is not read."""
    found = [(doc, kind, source) for doc in wrappers
             for kind in [wrapper_kind(doc)]
             for source in _cilium_sources(doc, kind)]  # fmt: skip
    names = ", ".join(sorted({f"{wrapper_kind(d)} {_name(d)}" for d in wrappers}))
    if not found:
        raise Refused(f"{names} deploys no Cilium chart")
    if len(found) > 1:
        raise Refused(f"{len(found)} Cilium charts are deployed here ({names}): give the one "
                      "to read in a file of its own")  # fmt: skip
    doc, kind, source = found[0]
    name = f"{kind} {_name(doc)}"
    if kind == "HelmRelease":
        values, version, notes = _helm_release(source, name)
    else:
        values, version, notes = _application(source, name)
    return kind, values, version, notes


def _name(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata")
    return str(meta.get("name", "?")) if isinstance(meta, dict) else "?"


def _cilium_sources(doc: dict[str, Any], kind: str | None) -> list[dict[str, Any]]:
    """The parts of a wrapper that deploy the Cilium chart (the HelmRelease itself, or each
    source of an Application)."""
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "HelmRelease":
        chart = _dig(spec, "chart", "spec", "chart")
        ref = spec.get("chartRef")
        cilium = chart == "cilium" or (chart is None and isinstance(ref, dict)
                                       and "cilium" in str(ref.get("name", "")))  # fmt: skip
        return [spec] if cilium else []
    sources = [spec["source"]] if isinstance(spec.get("source"), dict) else []
    if isinstance(spec.get("sources"), list):
        sources += [s for s in spec["sources"] if isinstance(s, dict)]
    return [s for s in sources
            if s.get("chart") == "cilium" or str(s.get("path", "")).rstrip("/").endswith(
                "kubernetes/cilium")]  # fmt: skip


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _exact(version: Any) -> str | None:
    match = _EXACT_VERSION.match(version) if isinstance(version, str) else None
    return match.group(1) if match else None


def _helm_release(spec: dict[str, Any], name: str) -> tuple[dict[str, Any], str | None,
                                                            list[str]]:  # fmt: skip
    values = spec.get("values") or {}
    if not isinstance(values, dict):
        raise Refused(f"{name}: spec.values must be a table of Helm values")
    notes = []
    if spec.get("valuesFrom"):
        notes.append("spec.valuesFrom (ConfigMaps and Secrets in the cluster) is not read: "
                     "give those values with -f as well")  # fmt: skip
    return values, _exact(_dig(spec, "chart", "spec", "version")), notes


def _application(source: dict[str, Any], name: str) -> tuple[dict[str, Any], str | None,
                                                              list[str]]:  # fmt: skip
    helm = source.get("helm") or {}
    if not isinstance(helm, dict):
        raise Refused(f"{name}: helm must be a table")
    notes = []
    values: Any = {}
    if isinstance(helm.get("valuesObject"), dict):
        values = helm["valuesObject"]
        if helm.get("values"):
            notes.append("helm.values is not read: Argo CD takes helm.valuesObject instead")
    elif helm.get("values"):
        text = helm["values"]
        if not isinstance(text, str):
            raise Refused(f"{name}: helm.values must be a string of YAML")
        try:
            inner = yaml_docs(text)
        except Refused as err:
            raise Refused(f"{name}: helm.values: {err}") from None
        inner = [d for d in inner if d is not None]
        values = inner[0] if inner else {}
        if not isinstance(values, dict):
            raise Refused(f"{name}: helm.values must hold a table of Helm values")
    for parameter in helm.get("parameters") or ():
        values = deep_merge(values, _parameter(parameter, name))
    for key in ("valueFiles", "fileParameters"):
        if helm.get(key):
            notes.append(f"helm.{key} (files in the source repository) is not read: give them "
                         "with -f as well")  # fmt: skip
    return values, _exact(source.get("targetRevision")), notes


def _parameter(parameter: Any, name: str) -> dict[str, Any]:
    """An Application's helm parameter as Helm's `--set` (or `--set-string`) gives it."""
    if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
        raise Refused(f"{name}: helm.parameters: each needs a name")
    text = str(parameter.get("value", ""))
    if "[" in parameter["name"]:
        raise Refused(f"{name}: helm.parameters: {parameter['name']}: list indices are not "
                      "read; give the list in valuesObject")  # fmt: skip
    try:
        keys, _ = parse_set(parameter["name"] + "=")
    except SetError as err:
        raise Refused(f"{name}: helm.parameters: {err}") from None
    value: Any = text
    if not parameter.get("forceString"):
        if text in ("true", "false"):
            value = text == "true"
        elif text == "null":
            value = None
        elif re.fullmatch(r"-?(0|[1-9][0-9]{0,17})", text):
            value = int(text)
    return nest(keys, value)
