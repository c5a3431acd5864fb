"""`nixgen catalog import`: one release's facts, read from a Cilium source tree and its
released chart, into a catalog file and the stores beside it (CRD schemas, chart facts)."""

from __future__ import annotations

import json
import os
import re
import tarfile
from pathlib import Path
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import chartread, crds, locations, versions
from nixgen.facts.catalog import forget, parse, shape_error
from nixgen.facts.versions import UnknownVersion
from nixgen.output import write_atomic


class TreeError(NixgenError):
    """A Cilium tree nixgen cannot read facts from."""


_KEY = re.compile(r"""("[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*:(?:\s+(.*))?$""")


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _chart_version(tree: Path) -> str:
    chart = tree / "install" / "kubernetes" / "cilium" / "Chart.yaml"
    try:
        lines = chart.read_text("utf-8").splitlines()
    except OSError as err:
        raise TreeError(f"{chart}: {err.strerror or err}") from None
    for line in lines:
        match = _KEY.match(line)
        if match and not line.startswith((" ", "\t")) and _scalar(match.group(1)) == "version":
            version = _scalar(match.group(2) or "")
            try:
                versions.parse(version)
            except UnknownVersion:
                raise TreeError(f"{chart}: version {version!r} is not X.Y.Z") from None
            return version
    raise TreeError(f"{chart}: no version")


def _catalog_data(target: Path) -> dict[str, Any]:
    """The catalog file an import extends, checked to be one."""
    try:
        data = json.loads(target.read_text("utf-8"))
    except OSError as err:
        raise TreeError(f"{target}: cannot read the catalog: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:
        raise TreeError(f"{target}: the catalog is not JSON: {err}") from None
    try:
        parse(data)
    except (KeyError, TypeError, ValueError) as err:
        raise TreeError(f"{target}: not a nixgen catalog ({shape_error(err)})") from None
    return data


def _chart_facts(path: Path, version: str) -> dict[str, Any]:
    """The chart facts of the chart folder or .tgz at `path`, which must be `version`'s."""
    import yaml  # imported where YAML is read: not at start-up

    if path.is_file() and not tarfile.is_tarfile(path):
        raise TreeError(f"{path}: neither a chart folder nor a chart .tgz")
    try:
        facts = chartread.read_chart(path)
    except chartread.ChartError as err:
        raise TreeError(str(err)) from None
    except (yaml.YAMLError, ValueError, AttributeError, TypeError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        raise TreeError(f"{path}: not a Helm chart nixgen can read ({reason})") from None
    except RecursionError:
        raise TreeError(f"{path}: not a Helm chart nixgen can read (nested too deeply)") from None
    if facts["version"] != version:
        raise TreeError(f"{path}: the chart is Cilium {facts['version']}, the tree {version}")
    return facts


def import_tree(tree: Path, target: Path, gateway_api: str | None = None,
                chart_path: Path | None = None) -> tuple[str, int, str]:
    """Read one release's facts from a Cilium source tree into the catalog file `target`: its
    CRDs, their schemas into the store beside it, and the Helm chart's values (from
    `chart_path`, a chart folder or released .tgz, else the tree's own chart) into the chart
    store beside it. Everything is read and checked before anything is written. Returns the
    version, the number of CRDs, and the chart facts file written."""
    if gateway_api is not None:
        try:
            versions.parse(gateway_api)
        except UnknownVersion as err:
            raise TreeError(f"--gateway-api-version: {err}") from None
    version = _chart_version(tree)
    crd_root = tree / "pkg" / "k8s" / "apis" / "cilium.io" / "client" / "crds"
    found, read = [], []
    for folder in sorted(p for p in crd_root.glob("v2*") if p.is_dir()):
        for file in sorted(folder.glob("*.yaml")):
            if file.name == "kustomization.yaml" or not file.is_file():
                continue
            try:
                crd = crds.read_crd(file.read_text("utf-8"))
            except (crds.CrdError, UnicodeDecodeError) as err:
                raise TreeError(f"{file}: {err}") from None
            if crd is not None:
                read.append(crd)
                found.append({**crds.catalog_facts(crd), "dir": folder.name,
                              "file": file.name})  # fmt: skip
    if not found:
        raise TreeError(f"{crd_root}: no CRD YAMLs in v2*/")
    data = _catalog_data(target)
    chart_facts = _chart_facts(chart_path or tree / "install" / "kubernetes" / "cilium", version)
    minor = versions.minor(version)
    if gateway_api is not None:
        data["gatewayApi"][minor] = gateway_api
    elif minor not in data["gatewayApi"]:
        raise TreeError(f"no gateway-api release is known for Cilium {minor}: "
                           "give it with --gateway-api-version")  # fmt: skip
    data["gatewayApi"] = dict(sorted(data["gatewayApi"].items(),
                                     key=lambda kv: versions.parse(kv[0] + ".0")))  # fmt: skip
    data["versions"][version] = {"crds": sorted(found, key=lambda c: c["kind"])}
    data["versions"] = dict(sorted(data["versions"].items(),
                                   key=lambda kv: versions.parse(kv[0])))  # fmt: skip
    try:
        crds.store_schemas(Path(locations.schema_store(target)), version, read)
    except RecursionError:
        raise TreeError(f"{crd_root}: a CRD schema nested too deeply to store") from None
    store = locations.chart_store(target)
    chartread.write_store([chart_facts], store)
    write_atomic(target, json.dumps(data, indent=1) + "\n")
    forget()
    return version, len(found), os.path.join(store, f"{version}.json")
