"""Facts per Cilium release: which CRDs it ships (kind, group, storage version, scope, file)
and which gateway-api release each minor needs. Data, not code: nixgen/data/catalog.json."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import versions
from nixgen.facts.locations import catalog_path
from nixgen.facts.versions import UnknownVersion


class CatalogError(NixgenError):
    """A catalog file nixgen cannot read."""


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
    unserved: tuple[str, ...] = ()  # versions the CRD defines but does not serve (yet)
    plural: str = ""  # the resource name (spec.names.plural), e.g. ciliumnetworkpolicies

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.storage_version}"


@dataclass(frozen=True)
class Release:
    version: str
    crds: tuple[Crd, ...]

    @property
    def minor(self) -> str:
        return versions.minor(self.version)

    @cached_property
    def api_mappings(self) -> dict[str, str]:
        """kind → group/storage version, by kind."""
        return {c.kind: c.api_version for c in sorted(self.crds, key=lambda c: c.kind)}

    @cached_property
    def namespaced(self) -> dict[str, bool]:
        """kind → whether its objects live in a namespace, by kind."""
        return {c.kind: c.namespaced for c in sorted(self.crds, key=lambda c: c.kind)}


@dataclass(frozen=True, eq=False)
class Catalog:
    releases: dict[str, Release]
    gateway_api: dict[str, str]
    # Minor → experimental-channel gateway-api CRDs that minor requires besides the standard
    # ones (Cilium 1.16 needs TLSRoute), by file stem: gateway.networking.k8s.io_<stem>.yaml.
    gateway_api_experimental: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The JSON the catalog was read from: catalogs are equal when it is, so what is computed
    # from one can be cached by it.
    source: str = field(default="", repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalog) and self.source == other.source

    def __hash__(self) -> int:
        return hash(self.source)

    def minors(self) -> list[str]:
        """Minors with CRD facts and a gateway-api release, oldest first."""
        found = {r.minor for r in self.releases.values()} & set(self.gateway_api)
        return sorted(found, key=versions.numbers)

    def release_for(self, version: str) -> Release:
        """The facts for `version`: its own, else the newest known patch of its minor below it,
        else the oldest known patch of its minor. A minor without facts is an error."""
        wanted = versions.parse(version)
        its_minor = versions.minor(version)
        same = sorted(
            (r for r in self.releases.values() if r.minor == its_minor),
            key=lambda r: versions.parse(r.version),
        )
        if not same or its_minor not in self.gateway_api:
            known = ", ".join(self.minors())
            raise UnknownVersion(
                f"nixgen has no facts for Cilium {its_minor} (known minors: {known})"
            )
        below = [r for r in same if versions.parse(r.version) <= wanted]
        return below[-1] if below else same[0]

    def newest(self, of_minor: str) -> Release:
        """The newest known patch release of `of_minor`."""
        same = [r for r in self.releases.values() if r.minor == of_minor]
        return max(same, key=lambda r: versions.parse(r.version))


def load() -> Catalog:
    return _load(catalog_path())


def forget() -> None:
    """Read the catalog file again on the next `load` (after `nixgen catalog import`)."""
    _load.cache_clear()


@cache
def _load(path: str) -> Catalog:
    where = f"NIXGEN_CATALOG={path}" if os.environ.get("NIXGEN_CATALOG") else path
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        raw = json.loads(text)
    except OSError as err:
        raise CatalogError(f"{where}: cannot read the catalog: {err.strerror or err}") from None
    except (ValueError, RecursionError) as err:  # not JSON, not UTF-8, or nested past reading
        raise CatalogError(f"{where}: the catalog is not JSON: {err}") from None
    try:
        return parse(raw, text)
    except (KeyError, TypeError, ValueError) as err:
        raise CatalogError(f"{where}: not a nixgen catalog ({shape_error(err)})") from None


def shape_error(err: Exception) -> str:
    """What a KeyError/TypeError/ValueError from `parse` says of a file that is no catalog."""
    if isinstance(err, KeyError):
        return f"no {err.args[0]!r} key"
    return str(err) or type(err).__name__


def parse(raw: Any, source: str | None = None) -> Catalog:
    """A catalog from its JSON data (read from the text `source`); KeyError/TypeError/ValueError
    where the shape is wrong."""
    releases = {}
    for version, entry in _object(raw, "the top level", "versions").items():
        versions.parse(version)
        crds = _object(entry, f"versions.{version}", "crds", list)
        for i, c in enumerate(crds):
            where = f"versions.{version}.crds[{i}]"
            if not isinstance(c, dict):
                raise TypeError(f"{where} is not an object")
            for key in ("kind", "group", "storageVersion", "dir", "file"):
                if not isinstance(c[key], str):
                    raise TypeError(f"{where}.{key} is not a string")
            for key in ("servedVersions", "deprecatedVersions", "unservedVersions"):
                if not (isinstance(c.get(key, []), list)
                        and all(isinstance(v, str) for v in c.get(key, []))):
                    raise TypeError(f"{where}.{key} is not a list of strings")
        releases[version] = Release(version, tuple(
            Crd(c["kind"], c["group"], c["storageVersion"], bool(c["namespaced"]), c["dir"],
                c["file"], tuple(c.get("servedVersions", (c["storageVersion"],))),
                tuple(c.get("deprecatedVersions", ())), tuple(c.get("unservedVersions", ())),
                # catalogs written before plurals were recorded: Cilium names a CRD's file
                # after its plural
                c.get("plural") or c["file"].removesuffix(".yaml"))
            for c in crds
        ))  # fmt: skip
    gateway_api = dict(_object(raw, "the top level", "gatewayApi"))
    for its_minor, release in gateway_api.items():
        versions.parse(f"{its_minor}.0")
        if not isinstance(release, str):
            raise TypeError(f"gatewayApi.{its_minor} is not a version string")
        versions.parse(release)
    experimental = {}
    for minor, stems in _object(raw, "the top level", "gatewayApiExperimental", dict,
                                {}).items():  # fmt: skip
        if not (isinstance(stems, list) and all(isinstance(s, str) for s in stems)):
            raise TypeError(f"gatewayApiExperimental.{minor} is not a list of strings")
        experimental[minor] = tuple(stems)
    if source is None:
        source = json.dumps(raw, sort_keys=True)
    return Catalog(releases, gateway_api, experimental, source)


_NAMES = {dict: "an object", list: "a list"}


def _object(parent: Any, where: str, key: str, kind: type = dict, default: Any = None) -> Any:
    """parent[key], which must be a `kind`: TypeError saying what it is not, KeyError when it
    is missing and has no default."""
    if not isinstance(parent, dict):
        raise TypeError(f"{where} is not an object")
    value = parent[key] if default is None else parent.get(key, default)
    if not isinstance(value, kind):
        raise TypeError(f"{key} is not {_NAMES[kind]}" if where == "the top level"
                        else f"{where}.{key} is not {_NAMES[kind]}")  # fmt: skip
    return value


def summary(cat: Catalog) -> list[dict[str, Any]]:
    """One row per release, oldest first: its gateway-api release, CRD count, and what
    changed from the newest release of the previous minor."""
    ordered = sorted(cat.releases.values(), key=lambda r: versions.parse(r.version))
    rows = []
    for release in ordered:
        earlier = [r for r in ordered
                   if versions.parse(r.version)[:2] < versions.parse(release.version)[:2]]
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
