"""Facts per Cilium release: which CRDs it ships (kind, group, storage version, scope, file)
and which gateway-api release each minor needs. Data, not code: nixgen/data/catalog.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

VERSION_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\Z")


class UnknownVersion(ValueError):
    pass


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


@dataclass(frozen=True)
class Catalog:
    releases: dict[str, Release]
    gateway_api: dict[str, str]

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


@cache
def load() -> Catalog:
    raw = json.loads(resources.files("nixgen.data").joinpath("catalog.json").read_text("utf-8"))
    releases = {
        version: Release(
            version,
            tuple(
                Crd(c["kind"], c["group"], c["storageVersion"], c["namespaced"], c["dir"], c["file"])
                for c in entry["crds"]
            ),
        )
        for version, entry in raw["versions"].items()
    }
    return Catalog(releases, dict(raw["gatewayApi"]))
