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
            raw = json.load(handle)
    except OSError as err:
        raise CatalogError(f"{where}: cannot read the catalog: {err.strerror or err}") from None
    except ValueError as err:  # not JSON, or not UTF-8
        raise CatalogError(f"{where}: the catalog is not JSON: {err}") from None
    try:
        return parse(raw)
    except (KeyError, TypeError, ValueError) as err:
        raise CatalogError(f"{where}: not a nixgen catalog ({shape_error(err)})") from None


def shape_error(err: Exception) -> str:
    """What a KeyError/TypeError/ValueError from `parse` says of a file that is no catalog."""
    if isinstance(err, KeyError):
        return f"no {err.args[0]!r} key"
    return str(err) or type(err).__name__


def parse(raw: Any) -> Catalog:
    """A catalog from its JSON data; KeyError/TypeError/ValueError where the shape is wrong."""
    if not isinstance(raw, dict):
        raise TypeError("the top level is not an object")
    releases = {}
    for version, entry in raw["versions"].items():
        versions.parse(version)
        releases[version] = Release(version, tuple(
            Crd(c["kind"], c["group"], c["storageVersion"], bool(c["namespaced"]), c["dir"],
                c["file"], tuple(c.get("servedVersions", (c["storageVersion"],))),
                tuple(c.get("deprecatedVersions", ())),
                # catalogs written before plurals were recorded: Cilium names a CRD's file
                # after its plural
                c.get("plural") or c["file"].removesuffix(".yaml"))
            for c in entry["crds"]
        ))  # fmt: skip
    gateway_api = dict(raw["gatewayApi"])
    for its_minor, release in gateway_api.items():
        versions.parse(f"{its_minor}.0")
        versions.parse(release)
    experimental = {minor: tuple(stems) for minor, stems
                    in raw.get("gatewayApiExperimental", {}).items()}  # fmt: skip
    return Catalog(releases, gateway_api, experimental)


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
