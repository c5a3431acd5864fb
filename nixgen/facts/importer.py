"""`nixgen catalog import`: one release's facts, read from a Cilium source tree and its
released chart, into a catalog file and the stores beside it (CRD schemas, chart facts)."""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from nixgen.facts.catalog import UnknownVersion, forget, minor_of, parse, parse_version, shape_error
from nixgen.errors import NixgenError

if TYPE_CHECKING:
    from pathlib import Path


class ImportError_(NixgenError):
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
        raise ImportError_(f"{chart}: {err.strerror or err}") from None
    for line in lines:
        match = _KEY.match(line)
        if match and not line.startswith((" ", "\t")) and _scalar(match.group(1)) == "version":
            version = _scalar(match.group(2) or "")
            try:
                parse_version(version)
            except UnknownVersion:
                raise ImportError_(f"{chart}: version {version!r} is not X.Y.Z") from None
            return version
    raise ImportError_(f"{chart}: no version")


def _catalog_data(target: Path) -> dict[str, Any]:
    """The catalog file an import extends, checked to be one."""
    try:
        data = json.loads(target.read_text("utf-8"))
    except OSError as err:
        raise ImportError_(f"{target}: cannot read the catalog: {err.strerror or err}") from None
    except ValueError as err:
        raise ImportError_(f"{target}: the catalog is not JSON: {err}") from None
    try:
        parse(data)
    except (KeyError, TypeError, ValueError) as err:
        raise ImportError_(f"{target}: not a nixgen catalog ({shape_error(err)})") from None
    return data


def _chart_facts(path: Path, version: str) -> dict[str, Any]:
    """The chart facts of the chart folder or .tgz at `path`, which must be `version`'s."""
    import tarfile

    import yaml

    from nixgen.facts import chart

    if path.is_file() and not tarfile.is_tarfile(path):
        raise ImportError_(f"{path}: neither a chart folder nor a chart .tgz")
    try:
        facts = chart.read_chart(path)
    except chart.ChartError as err:
        raise ImportError_(str(err)) from None
    except (yaml.YAMLError, ValueError, AttributeError, TypeError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        raise ImportError_(f"{path}: not a Helm chart nixgen can read ({reason})") from None
    if facts["version"] != version:
        raise ImportError_(f"{path}: the chart is Cilium {facts['version']}, the tree {version}")
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
            parse_version(gateway_api)
        except UnknownVersion as err:
            raise ImportError_(f"--gateway-api-version: {err}") from None
    version = _chart_version(tree)
    crd_root = tree / "pkg" / "k8s" / "apis" / "cilium.io" / "client" / "crds"
    try:
        import yaml  # noqa: F401  (read_crd imports it; a clear error before any work)
    except ImportError:
        raise ImportError_("reading CRD YAMLs needs PyYAML: pip install 'nixgen[import]'") from None
    from nixgen.facts import crds as crd_yaml

    crds, read = [], []
    for folder in sorted(p for p in crd_root.glob("v2*") if p.is_dir()):
        for file in sorted(folder.glob("*.yaml")):
            if file.name == "kustomization.yaml" or not file.is_file():
                continue
            try:
                crd = crd_yaml.read_crd(file.read_text("utf-8"))
            except (crd_yaml.CrdError, UnicodeDecodeError) as err:
                raise ImportError_(f"{file}: {err}") from None
            if crd is not None:
                read.append(crd)
                crds.append({**crd_yaml.catalog_facts(crd), "dir": folder.name,
                             "file": file.name})  # fmt: skip
    if not crds:
        raise ImportError_(f"{crd_root}: no CRD YAMLs in v2*/")
    data = _catalog_data(target)
    chart_facts = _chart_facts(chart_path or tree / "install" / "kubernetes" / "cilium", version)
    minor = minor_of(version)
    if gateway_api is not None:
        data["gatewayApi"][minor] = gateway_api
    elif minor not in data["gatewayApi"]:
        raise ImportError_(f"no gateway-api release is known for Cilium {minor}: "
                           "give it with --gateway-api-version")  # fmt: skip
    data["gatewayApi"] = dict(sorted(data["gatewayApi"].items(),
                                     key=lambda kv: parse_version(kv[0] + ".0")))  # fmt: skip
    data["versions"][version] = {"crds": sorted(crds, key=lambda c: c["kind"])}
    data["versions"] = dict(sorted(data["versions"].items(),
                                   key=lambda kv: parse_version(kv[0])))  # fmt: skip
    from pathlib import Path

    from nixgen.facts import chart
    from nixgen.nix.output import write_atomic

    crd_yaml.store_schemas(Path(crd_yaml.schemas_path(target)), version, read)
    store = chart.store_path(target)
    chart.write_store([chart_facts], store)
    write_atomic(target, json.dumps(data, indent=1) + "\n")
    forget()
    return version, len(crds), os.path.join(store, f"{version}.json")
