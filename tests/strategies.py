"""Hypothesis strategies for values the emitter and the command line must carry exactly, shared
by the tests that generate them."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from nixgen.nixatoms import INT_MAX, INT_MIN, If


def Split(local: Any, production: Any) -> If:
    """A profile split as the renderer hands it to the emitter."""
    return If("cfg.isLocal", local, production)


TRAPS = ["${", "$${", "$$${", "$", "\\", '"', "''", "\n", "\r", "\t", "${x}", "\\${", "$\\",
         "or", "if", "inherit", "__proto__", ".", "a.b", "", " ", "\x01", "\x7f", "é", "☃",
         "日本", "\U0001f600", "\u2028"]  # fmt: skip
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.lists(st.one_of(st.sampled_from(TRAPS), st.text(CHARS, max_size=6)), max_size=5).map(
    "".join
)


def _nix_float(x: float) -> float:
    return float(f"{x:.6g}")


def _writable(x: float) -> bool:
    return math.isfinite(x) and (x == 0 or abs(x) >= 2.2250738585072014e-308)


FLOATS = st.floats(allow_nan=False, allow_infinity=False).map(_nix_float).filter(_writable)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=INT_MIN, max_value=INT_MAX), FLOATS, TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=16,
)
