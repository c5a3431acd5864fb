"""What `nixgen values` prints, in the form Nix evaluates to."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from click.testing import CliRunner
from goldens import ROOT

from nixgen import tree
from nixgen.cli import cli


def substitute(data: Any, env: Mapping[str, Any]) -> Any:
    """Replace each {"$nix": expr} with the value the test gives that expression."""

    def replace(node: Any) -> Any:
        if isinstance(node, dict) and node.keys() == {"$nix"} and isinstance(node["$nix"], str):
            return env[node["$nix"]]
        return tree.DESCEND

    return tree.rebuild(data, replace)


def values_output(args: list[str], profile: str, objects: bool, env: Mapping[str, Any]) -> Any:
    """`nixgen values` for the same arguments as `nixgen module ARGS`."""
    assert args[0] == "module"
    extra = ["--objects"] if objects else []
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(cli, ["values", *args[1:], "--profile", profile,
                                          "--output", "json", *extra])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return substitute(json.loads(result.stdout), env)
