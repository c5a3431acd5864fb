"""The command line that regenerates a module, written into its header comment.

It is rebuilt from the Spec (not copied from argv), so the same spec always gets the same
header, whatever order or spelling the user typed. Every word is shell-quoted, and a word with a
control character uses bash's $'...' form, so the header is always one comment line.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nixgen.overrides import parse_value
from nixgen.spec import Spec


def _escape_key(key: str) -> str:
    return key.replace("\\", "\\\\").replace(".", "\\.").replace("=", "\\=")


def set_arguments(values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """`--set` arguments that rebuild `values` (one per leaf; an empty attrset is a leaf)."""
    out: list[str] = []
    for key, value in values.items():
        path = prefix + _escape_key(key)
        if isinstance(value, Mapping) and value:
            out.extend(set_arguments(value, path + "."))
            continue
        if isinstance(value, str) and parse_value(value) == value and not _has_control(value):
            text = value
        else:
            text = json.dumps(value, ensure_ascii=False)
        out.append(f"{path}={text}")
    return out


def _has_control(text: str) -> bool:
    return any(ord(c) < 0x20 or ord(c) == 0x7F or c in "\u2028\u2029\x85" for c in text)


def quote(word: str) -> str:
    if not _has_control(word):
        return shlex.quote(word)
    body = []
    for c in word:
        if c in "\\'":
            body.append("\\" + c)
        elif _has_control(c):
            body.append(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        else:
            body.append(c)
    return "$'" + "".join(body) + "'"


def arguments(spec: Spec, config: Path | None = None, sets: Sequence[str] | None = None) -> list[str]:
    """The words after `nixgen` that rebuild `spec`. With a config file, the file is named and
    only the command line's own `--set`s follow; without one, `--set`s rebuild the values."""
    args = ["module"]
    if config is not None:
        args += ["--config", str(config)]
    args += ["--flavor", spec.flavor, "--cilium-version", spec.ciliumVersion]
    items = list(sets) if config is not None and sets is not None else set_arguments(spec.values)
    for item in items:
        args += ["--set", item]
    return args


def describe(spec: Spec, config: Path | None = None, sets: Sequence[str] | None = None) -> str:
    return " ".join(["nixgen", *(quote(a) for a in arguments(spec, config, sets))])
