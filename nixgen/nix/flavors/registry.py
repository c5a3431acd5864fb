"""The flavours by name, as the config names them (nixgen.input.choices.FLAVORS)."""

from __future__ import annotations

from nixgen.nix.flavors.base import Flavor
from nixgen.nix.flavors.hetzkube import HETZKUBE
from nixgen.nix.flavors.nixidy import NIXIDY

FLAVORS: dict[str, Flavor] = {f.name: f for f in (HETZKUBE, NIXIDY)}


def of(name: str) -> Flavor:
    """The flavour named `name` (one of the config's choices)."""
    return FLAVORS[name]
