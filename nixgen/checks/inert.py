"""Inert values: a value the chart (or the agent) reads only while another value allows it, so
that under the final values it has no effect. One table, `INERT`: the paths (a trailing `*`: any
path below the table, but the keys in `except_`), the condition under which they are live, in
the rules' language (nixgen.checks.lang), and why.

A user's value that is inert is a warning naming both sources (nixgen.checks.defaults, which
also makes nixgen's own defaults yield where they would make a user's value inert, or are inert
themselves).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from nixgen import tree
from nixgen.checks.lang import all_, holds, is_, on, paths
from nixgen.nixatoms import Raw

Keys = tuple[str, ...]


class Inert(NamedTuple):
    """`pattern` (keys; a last key `*` stands for any path below) is live only when `live`
    holds; `reason` says what it needs. (A named tuple: cheap to define.)"""

    pattern: Keys
    live: list[Any]
    reason: str
    except_: frozenset[str] = frozenset()

    def covers(self, path: Keys) -> bool:
        """Whether the value at `path` (a leaf) is one this entry speaks of."""
        if self.pattern[-1] != "*":
            return path == self.pattern
        head = self.pattern[:-1]
        return (len(path) > len(head) and path[: len(head)] == head
                and path[len(head)] not in self.except_)  # fmt: skip

    def reads(self) -> list[Keys]:
        """The paths the condition reads."""
        return [tuple(p) for p in paths(self.live)]


_TUNNEL = is_("routingMode", ["tunnel", ""], "")
_CLUSTER_POOL = is_("ipam.mode", ["cluster-pool"], "cluster-pool")

INERT: tuple[Inert, ...] = (
    *(Inert((key,), _TUNNEL, "Cilium builds tunnels only with routingMode = tunnel (the "
                              "chart's default)") for key in ("tunnelProtocol", "tunnelPort")),
    *(Inert(("ipam", "operator", key),
            all_(_CLUSTER_POOL, on(f"ipv{family}.enabled", family == "4")),
            f"it applies only with ipam.mode = cluster-pool (the chart's default) and "
            f"ipv{family}.enabled")
      for family in ("4", "6")
      for key in (f"clusterPoolIPv{family}PodCIDRList", f"clusterPoolIPv{family}MaskSize")),
    *(Inert(("encryption", key), on("encryption.enabled", False),
            "it applies only with encryption.enabled")
      for key in ("type", "nodeEncryption")),
    Inert(("encryption", "wireguard", "*"), on("encryption.enabled", False),
          "it applies only with encryption.enabled"),
    *(Inert(("ingressController", key), on("ingressController.enabled", False),
            "it applies only with ingressController.enabled")
      for key in ("default", "loadbalancerMode")),
    Inert(("hubble", "relay", "*"), on("hubble.relay.enabled", False),
          "it applies only with hubble.relay.enabled", frozenset({"enabled"})),
    Inert(("hubble", "ui", "*"), on("hubble.ui.enabled", False),
          "it applies only with hubble.ui.enabled", frozenset({"enabled"})),
)  # fmt: skip


# The first keys of the paths the table speaks of: most paths are none of its.
_FIRST = frozenset(entry.pattern[0] for entry in INERT)


def may_be_inert(path: Keys) -> bool:
    """Whether some entry of the table speaks of the leaf at `path` (most paths: none)."""
    return bool(path) and path[0] in _FIRST and _covered(path)


@lru_cache(maxsize=4096)
def _covered(path: Keys) -> bool:
    return any(entry.covers(path) for entry in INERT)


def inert_at(path: Keys, values: Mapping[str, Any]) -> Inert | None:
    """The entry under which the leaf at `path` has no effect in `values`, else None."""
    if not path or path[0] not in _FIRST:
        return None
    for entry in INERT:
        if not entry.covers(path):
            continue
        if any(isinstance(tree.lookup(values, p), Raw) for p in entry.reads()):
            continue  # a Nix expression's value is not known here: it may well be live
        if not holds(entry.live, values):
            return entry
    return None


def inert_leaves(leaves: Iterable[Keys], values: Mapping[str, Any]) -> list[tuple[Keys, Inert]]:
    """The leaves (paths) of `values` that have no effect there, each with its entry."""
    return [(path, entry) for path in leaves if (entry := inert_at(path, values)) is not None]
