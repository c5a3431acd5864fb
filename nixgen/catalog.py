"""Facts per Cilium release: which CRDs it ships (kind, group, storage version, scope, file)
and which gateway-api release each minor needs. Data, not code: nixgen/data/catalog.json."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from nixgen.errors import NixgenError

if TYPE_CHECKING:
    from pathlib import Path

VERSION_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\Z")


class UnknownVersion(NixgenError):
    """A version string that is not X.Y.Z, or a minor nixgen has no facts for."""


class CatalogError(NixgenError):
    """A catalog file nixgen cannot read."""


def parse_version(text: str) -> tuple[int, int, int]:
    m = VERSION_RE.match(text)
    if not m:
        raise UnknownVersion(f"{text!r} is not a version of the form X.Y.Z (for example 1.18.4)")
    return int(m[1]), int(m[2]), int(m[3])


def minor_of(version: str) -> str:
    major, minor, _ = parse_version(version)
    return f"{major}.{minor}"


@dataclass(frozen=True)
class Crd:
    kind: str
    group: str
    storage_version: str
    namespaced: bool
    dir: str
    file: str
    served: tuple[str, ...] = ()  # the versions the API server serves, sorted
    deprecated: tuple[str, ...] = ()  # served versions the CRD marks deprecated

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.storage_version}"


@dataclass(frozen=True)
class Release:
    version: str
    crds: tuple[Crd, ...]

    @property
    def minor(self) -> str:
        return minor_of(self.version)

    @cached_property
    def api_mappings(self) -> dict[str, str]:
        """kind → group/storage version, by kind."""
        return {c.kind: c.api_version for c in sorted(self.crds, key=lambda c: c.kind)}

    @cached_property
    def namespaced(self) -> dict[str, bool]:
        """kind → whether its objects live in a namespace, by kind."""
        return {c.kind: c.namespaced for c in sorted(self.crds, key=lambda c: c.kind)}


@dataclass(frozen=True)
class Catalog:
    releases: dict[str, Release]
    gateway_api: dict[str, str]
    # Minor → experimental-channel gateway-api CRDs that minor requires besides the standard
    # ones (Cilium 1.16 needs TLSRoute), by file stem: gateway.networking.k8s.io_<stem>.yaml.
    gateway_api_experimental: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def minors(self) -> list[str]:
        """Minors with CRD facts and a gateway-api release, oldest first."""
        found = {r.minor for r in self.releases.values()} & set(self.gateway_api)
        return sorted(found, key=lambda m: tuple(int(p) for p in m.split(".")))

    def release_for(self, version: str) -> Release:
        """The facts for `version`: its own, else the newest known patch of its minor below it,
        else the oldest known patch of its minor. A minor without facts is an error."""
        wanted = parse_version(version)
        minor = minor_of(version)
        same = sorted(
            (r for r in self.releases.values() if r.minor == minor),
            key=lambda r: parse_version(r.version),
        )
        if not same or minor not in self.gateway_api:
            known = ", ".join(self.minors())
            raise UnknownVersion(
                f"nixgen has no facts for Cilium {minor} (known minors: {known})"
            )
        below = [r for r in same if parse_version(r.version) <= wanted]
        return below[-1] if below else same[0]

    def newest(self, minor: str) -> Release:
        """The newest known patch release of `minor`."""
        same = [r for r in self.releases.values() if r.minor == minor]
        return max(same, key=lambda r: parse_version(r.version))


DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def catalog_path() -> str:
    """The catalog nixgen reads: $NIXGEN_CATALOG when set (a catalog extended by
    `nixgen catalog import`), else the one shipped with nixgen."""
    return os.environ.get("NIXGEN_CATALOG") or os.path.join(DATA_DIR, "catalog.json")


def load() -> Catalog:
    return _load(catalog_path())


@cache
def _load(path: str) -> Catalog:
    where = f"NIXGEN_CATALOG={path}" if os.environ.get("NIXGEN_CATALOG") else path
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except OSError as err:
        raise CatalogError(f"{where}: cannot read the catalog: {err.strerror or err}") from None
    except ValueError as err:  # not JSON, or not UTF-8
        raise CatalogError(f"{where}: the catalog is not JSON: {err}") from None
    try:
        return parse(raw)
    except (KeyError, TypeError, ValueError) as err:
        raise CatalogError(f"{where}: not a nixgen catalog ({_reason(err)})") from None


def _reason(err: Exception) -> str:
    if isinstance(err, KeyError):
        return f"no {err.args[0]!r} key"
    return str(err) or type(err).__name__


def parse(raw: Any) -> Catalog:
    """A catalog from its JSON data; KeyError/TypeError/ValueError where the shape is wrong."""
    if not isinstance(raw, dict):
        raise TypeError("the top level is not an object")
    releases = {}
    for version, entry in raw["versions"].items():
        parse_version(version)
        releases[version] = Release(version, tuple(
            Crd(c["kind"], c["group"], c["storageVersion"], bool(c["namespaced"]), c["dir"],
                c["file"], tuple(c.get("servedVersions", (c["storageVersion"],))),
                tuple(c.get("deprecatedVersions", ())))
            for c in entry["crds"]
        ))  # fmt: skip
    gateway_api = dict(raw["gatewayApi"])
    for minor, release in gateway_api.items():
        parse_version(f"{minor}.0")
        parse_version(release)
    experimental = {minor: tuple(stems) for minor, stems
                    in raw.get("gatewayApiExperimental", {}).items()}  # fmt: skip
    return Catalog(releases, gateway_api, experimental)


def summary(cat: Catalog) -> list[dict[str, Any]]:
    """One row per release, oldest first: its gateway-api release, CRD count, and what
    changed from the newest release of the previous minor."""
    ordered = sorted(cat.releases.values(), key=lambda r: parse_version(r.version))
    rows = []
    for release in ordered:
        earlier = [r for r in ordered if parse_version(r.version)[:2] < parse_version(release.version)[:2]]
        previous = earlier[-1] if earlier else None
        rows.append({
            "version": release.version,
            "gatewayApi": cat.gateway_api.get(release.minor, "?"),
            "crds": len(release.crds),
            "changes": _changes(previous, release) if previous else [],
        })  # fmt: skip
    return rows


def _changes(old: Release, new: Release) -> list[str]:
    before = {c.kind: c for c in old.crds}
    after = {c.kind: c for c in new.crds}
    out = [f"+{k}" for k in sorted(after.keys() - before.keys())]
    out += [f"-{k}" for k in sorted(before.keys() - after.keys())]
    for kind in sorted(after.keys() & before.keys()):
        a, b = before[kind].storage_version, after[kind].storage_version
        if a != b:
            out.append(f"{kind} {a}→{b}")
    return out


# ------------------------------------------------------------------ import from a Cilium tree


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
        raise ImportError_(f"{target}: not a nixgen catalog ({_reason(err)})") from None
    return data


def _chart_facts(path: Path, version: str) -> dict[str, Any]:
    """The chart facts of the chart folder or .tgz at `path`, which must be `version`'s."""
    import tarfile

    import yaml

    from nixgen import chart

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
    from nixgen import crds as crd_yaml

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

    from nixgen import chart
    from nixgen.output import write_atomic

    crd_yaml.store_schemas(Path(crd_yaml.schemas_path(target)), version, read)
    store = chart.store_path(target)
    chart.write_store([chart_facts], store)
    write_atomic(target, json.dumps(data, indent=1) + "\n")
    _load.cache_clear()
    return version, len(crds), os.path.join(store, f"{version}.json")
