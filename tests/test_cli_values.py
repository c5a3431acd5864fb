"""Free-form Helm values given on the command line end up, evaluated by Nix, exactly as given,
in both flavours, whatever their keys and strings hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from nixharness import ENV, api_host, evaluate, strictly_equal
from strategies import CHARS, TEXT

from nixgen.checks.values import SETTING_PATHS
from nixgen.cli import cli
from nixgen.facts.chart import dotted
from nixgen.input.choices import PROFILES
from nixgen.input.sets import parse_value
from nixgen.input.spec import Spec
from nixgen.pipeline import planned
from nixgen.plan import model
from nixgen.tree import deep_merge, nest

# (any key but `$nix`, which marks a Nix expression: a key `nix` is data)
KEYS = st.one_of(TEXT, st.text(CHARS, min_size=1, max_size=8), st.just("nix")).filter(
    lambda k: k and k != "$nix")
# Keys no chart knows, passed by name past the chart check (`--unchecked`); a typed setting's
# key would be held to the setting's type.
FIRST_KEYS = KEYS.filter(lambda k: k not in {p[0] for p in SETTING_PATHS})
PATHS = st.tuples(FIRST_KEYS, st.lists(KEYS, max_size=2)).map(lambda t: [t[0], *t[1]])
LEAVES = st.one_of(TEXT, st.booleans(), st.integers(-(2**63), 2**63 - 1), st.none(),
                   st.lists(TEXT, max_size=3))  # fmt: skip


def escape_key(key: str) -> str:
    return key.replace("\\", "\\\\").replace(".", "\\.").replace("=", "\\=")


def set_argument(path: list[str], value: Any, raw: bool) -> str:
    """`--set` text for `value`: a string that is not JSON may be given as it is."""
    plain = raw and isinstance(value, str) and parse_value(value) == value
    text = value if plain else json.dumps(value)
    return ".".join(escape_key(k) for k in path) + "=" + text


@pytest.mark.slow
@pytest.mark.nix
@settings(max_examples=25)
@given(
    sets=st.lists(st.tuples(PATHS, LEAVES, st.booleans()), min_size=1, max_size=8),
    flavor=st.sampled_from(["hetzkube", "nixidy"]),
    profile=st.sampled_from(PROFILES),
)
def test_set_values_evaluate_exactly_as_given(
    sets: list[tuple[list[str], Any, bool]], flavor: str, profile: str,
    tmp_path_factory: pytest.TempPathFactory, fake_trees: dict[str, Path],
) -> None:  # fmt: skip
    args = ["module", "--flavor", flavor, "--format", "never"]
    given_values: dict[str, Any] = {}
    for path, value, raw in sets:
        args += ["--set", set_argument(path, value, raw), "--unchecked", dotted(path[:1])]
        given_values = deep_merge(given_values, nest(path, value))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    module = tmp_path_factory.mktemp("set") / "cilium.nix"
    module.write_text(result.stdout, encoding="utf-8")

    plan = planned(Spec(flavor=flavor))
    got = evaluate(module, flavor, profile == "local", fake_trees["1.18.4"],
                   settings=api_host(plan.values_for(profile)), part="values")  # fmt: skip
    generated = model.resolve(plan.values, profile, ENV)
    assert strictly_equal(got, deep_merge(generated, given_values))
    header = result.stdout.split("\n{", 1)[0]
    assert all(line.startswith("#") for line in header.splitlines())
