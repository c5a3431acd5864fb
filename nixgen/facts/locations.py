"""Where nixgen's facts live: the data folder shipped inside the package (nixgen/data), and the
catalog nixgen reads, whose stores (CRD schemas, chart facts) sit beside it."""

from __future__ import annotations

import os

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
SHIPPED_CATALOG = os.path.join(DATA_DIR, "catalog.json")
# The chart facts shipped with nixgen: <version>.json per release, docs.json for all.
CHART_STORE = os.path.join(DATA_DIR, "chart")
# Removed and renamed chart keys, with what replaces them (curated by hand).
CHANGES_FILE = os.path.join(DATA_DIR, "chart-changes.json")
# The rules as every module writes them (nixgen.nix.rules writes it from the rules table).
RULES_FILE = os.path.join(DATA_DIR, "rules.nix")


def catalog_path() -> str:
    """The catalog nixgen reads: $NIXGEN_CATALOG when set (a catalog extended by
    `nixgen catalog import`), else the one shipped with nixgen."""
    return os.environ.get("NIXGEN_CATALOG") or SHIPPED_CATALOG


def chart_store(catalog_file: str | os.PathLike[str]) -> str:
    """The chart store that goes with a catalog file: the folder `chart` beside it (for the
    shipped catalog, nixgen/data/chart)."""
    return os.path.join(os.path.dirname(os.path.abspath(catalog_file)), "chart")


def schema_store(catalog_file: str | os.PathLike[str]) -> str:
    """The CRD schema store that goes with a catalog file: catalog.json → catalog.schemas.json."""
    base, _ = os.path.splitext(os.fspath(catalog_file))
    return base + ".schemas.json"
