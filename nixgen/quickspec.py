"""The spec of a plain command line: no config file, no --set, no pins, every setting at its
default. It needs no validation model, and pydantic's import alone costs more than the rest of
such a run, so `nixgen module --flavor X` starts fast.

The default Helm values are a snapshot of what the pydantic models give
(data/default-values.json); the tests hold the snapshot, and every module built from a
QuickSpec, equal to the pydantic path's. `python -m nixgen.quickspec` rewrites the snapshot.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from nixgen.catalog import DATA_DIR
from nixgen.choices import DEFAULT_VERSION
from nixgen.emit import Raw, Split

SNAPSHOT = "default-values.json"


def encode(tree: Any) -> Any:
    if isinstance(tree, Split):
        return {"$split": [encode(tree.local), encode(tree.production)]}
    if isinstance(tree, Raw):
        return {"$nix": tree.expr}
    if isinstance(tree, dict):
        return {k: encode(v) for k, v in tree.items()}
    return tree


def decode(data: Any) -> Any:
    if isinstance(data, dict):
        if data.keys() == {"$split"}:
            local, production = data["$split"]
            return Split(decode(local), decode(production))
        if data.keys() == {"$nix"}:
            return Raw(data["$nix"])
        return {k: decode(v) for k, v in data.items()}
    return data


@dataclass(frozen=True)
class _Policies:
    defaultPolicy: bool = True
    hubbleRelayPolicy: bool = True
    extra: tuple[Any, ...] = ()


@dataclass(frozen=True)
class _Production:
    ipv6: bool = False
    bgpControlPlane: bool = False
    hostFirewall: bool = False
    l2announcements: bool = False
    loadBalancerIPPools: Any = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class _Source:
    rev: str | None = None
    narHash: str | None = None


@dataclass(frozen=True)
class QuickSpec:
    """What a Spec with these fields set, and everything else at its default, holds."""

    flavor: str = "hetzkube"
    ciliumVersion: str = DEFAULT_VERSION
    easykubenix: str = "hetzkube-pin"
    given: frozenset[str] = frozenset()  # which of the three the command line set
    gatewayApiVersion: None = None
    source: _Source = _Source()
    policies: _Policies = _Policies()
    production: _Production = _Production()
    values: Any = field(default_factory=lambda: MappingProxyType({}))

    def settings_values(self) -> dict[str, Any]:
        with open(os.path.join(DATA_DIR, SNAPSHOT), encoding="utf-8") as handle:
            return decode(json.load(handle))

    def header_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"flavor": self.flavor, "ciliumVersion": self.ciliumVersion}
        if "easykubenix" in self.given:
            data["easykubenix"] = self.easykubenix
        return data


def snapshot_text() -> str:
    """The snapshot as the pydantic models give it today."""
    from nixgen.spec import Spec

    return json.dumps(encode(Spec().settings_values()), indent=1) + "\n"


if __name__ == "__main__":
    target = os.path.join(DATA_DIR, SNAPSHOT)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(snapshot_text())
    sys.stdout.write(f"wrote {target}\n")
