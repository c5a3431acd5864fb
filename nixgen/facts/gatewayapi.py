"""The Gateway API CRDs' schemas, per gateway-api release, for checking the Gateway API objects
of a config (Gateway, HTTPRoute, ...) as the API server would.

The store is one JSON file beside the catalog (nixgen/data/gateway-api.schemas.json for the
shipped one), written by `nixgen catalog import-gateway-api DIR VERSION` from a folder of a
release's CRD YAMLs (its standard channel):

    {"nodes": {hash: node}, "index": {release: {kind: {served version: hash}}},
     "kinds": {release: {kind: {"group", "namespaced", "served", "storage"}}}}

Nodes are cut down and shared by hash exactly as in the Cilium schema store
(nixgen.facts.crds), so a schema shared by kinds, versions and releases is stored once. The
CRDs are the Kubernetes SIG Network's, under the Apache License 2.0, whose text
(gateway-api.LICENSE) is kept beside the store.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import locations, versions

STORE_NAME = "gateway-api.schemas.json"
LICENSE_NAME = "gateway-api.LICENSE"
GROUP = "gateway.networking.k8s.io"


class GatewayApiError(NixgenError):
    """A folder of gateway-api CRDs, or a store, nixgen cannot use."""


@dataclass(frozen=True)
class Kind:
    kind: str
    group: str
    namespaced: bool
    served: tuple[str, ...]
    storage: str


def store_path(catalog_file: str | os.PathLike[str]) -> str:
    """The gateway-api schema store that goes with a catalog file: beside it."""
    return os.path.join(os.path.dirname(os.path.abspath(catalog_file)), STORE_NAME)


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data: Any = json.load(handle)
    except FileNotFoundError:
        return {"nodes": {}, "index": {}, "kinds": {}}
    except OSError as err:
        raise GatewayApiError(f"{path}: cannot read the gateway-api schema store: "
                              f"{err.strerror or err}") from None  # fmt: skip
    except (ValueError, RecursionError) as err:
        raise GatewayApiError(f"{path}: the gateway-api schema store is not JSON: {err}") from None
    if not (isinstance(data, dict)
            and all(isinstance(data.get(k), dict) for k in ("nodes", "index", "kinds"))):
        raise GatewayApiError(f"{path}: not nixgen's gateway-api schema store")
    return data


_load = cache(_read)


def _stores() -> list[str]:
    """The stores nixgen reads, first match wins: beside $NIXGEN_CATALOG's catalog, then the
    shipped one."""
    found = [store_path(locations.catalog_path()), store_path(locations.SHIPPED_CATALOG)]
    return list(dict.fromkeys(found))


def releases() -> list[str]:
    """The gateway-api releases nixgen has schemas of, oldest first."""
    found = {v for path in _stores() for v in _load(path)["index"]}
    return sorted(found, key=versions.parse)


def kinds(release: str) -> dict[str, Kind] | None:
    """kind → its facts in gateway-api `release`, or None when nixgen has no schemas of it."""
    for path in _stores():
        data = _load(path)
        if release in data["kinds"]:
            return {k: Kind(k, f["group"], bool(f["namespaced"]), tuple(f["served"]), f["storage"])
                    for k, f in data["kinds"][release].items()}  # fmt: skip
    return None


def schema_nodes(release: str) -> tuple[dict[str, dict[str, str]], dict[str, Any]] | None:
    """kind → served version → hash for `release`, and the nodes; None without a schema."""
    for path in _stores():
        data = _load(path)
        if release in data["index"]:
            return data["index"][release], data["nodes"]
    return None


def _license(folder: Path, given: Path | None) -> Path:
    for candidate in ([given] if given else [folder / "LICENSE", folder.parent / "LICENSE"]):
        if candidate is not None and candidate.is_file():
            return candidate
    raise GatewayApiError(f"{folder}: no LICENSE beside the CRDs (nor in the folder above): the "
                          "gateway-api CRDs are Apache-2.0, and their notice is kept with the "
                          "schemas; give it with --license")  # fmt: skip


def import_folder(folder: Path, release: str, target: Path,
                  license_file: Path | None = None) -> tuple[int, Path]:
    """Read every CRD of gateway-api `release` from the YAML files in `folder` (other documents,
    such as a ValidatingAdmissionPolicy, are skipped) into the store `target`, and copy the
    release's LICENSE beside it. Everything is read and checked before anything is written.
    Returns the number of kinds and the LICENSE file written."""
    import shutil  # importing a release is rare: its modules load only then

    from nixgen.facts import crds
    from nixgen.output import write_atomic

    try:
        versions.parse(release)
    except versions.UnknownVersion as err:
        raise GatewayApiError(f"VERSION: {err}") from None
    try:
        import yaml  # noqa: F401  (read_crd imports it; a clear error before any work)
    except ImportError:
        raise GatewayApiError("reading CRD YAMLs needs PyYAML: pip install 'nixgen[import]'") from None
    if not folder.is_dir():
        raise GatewayApiError(f"{folder}: not a folder of gateway-api CRD YAMLs")
    read = []
    for file in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        try:
            found = crds.read_crds(file.read_text("utf-8"))
        except (crds.CrdError, UnicodeDecodeError) as err:
            raise GatewayApiError(f"{file}: {err}") from None
        except OSError as err:
            raise GatewayApiError(f"{file}: {err.strerror or err}") from None
        for crd in found:
            if crd["group"] != GROUP:
                raise GatewayApiError(f"{file}: {crd['kind']} is in group {crd['group']}, not "
                                      f"{GROUP}")  # fmt: skip
            read.append(crd)
    if not read:
        raise GatewayApiError(f"{folder}: no CustomResourceDefinition in its *.yaml files")
    names = [c["kind"] for c in read]
    for kind in names:
        if names.count(kind) > 1:
            raise GatewayApiError(f"{folder}: the CRD of {kind} is given twice")
    notice = _license(folder, license_file)
    data = _read(str(target))
    nodes: dict[str, Any] = dict(data["nodes"])
    entry = crds.compact_served(read, nodes)
    facts = {
        c["kind"]: {"group": c["group"], "namespaced": c["namespaced"],
                    "served": sorted(v["name"] for v in c["versions"] if v["served"]),
                    "storage": next(v["name"] for v in c["versions"] if v["storage"])}
        for c in sorted(read, key=lambda c: c["kind"])
    }  # fmt: skip
    index = dict(sorted({**data["index"], release: entry}.items(),
                        key=lambda kv: versions.parse(kv[0])))  # fmt: skip
    all_kinds = dict(sorted({**data["kinds"], release: facts}.items(),
                            key=lambda kv: versions.parse(kv[0])))  # fmt: skip
    out = {"nodes": crds.used_nodes(nodes, index), "index": index, "kinds": all_kinds}
    write_atomic(target, json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")
    license_target = target.parent / LICENSE_NAME
    if notice.resolve() != license_target.resolve():
        tmp = license_target.with_name(f".{LICENSE_NAME}.tmp")
        shutil.copyfile(notice, tmp)
        os.replace(tmp, license_target)
    _load.cache_clear()
    return len(read), license_target
