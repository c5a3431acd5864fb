"""The tests' small lib (tests/nix/minilib.nix) against nixpkgs' lib, two ways:

- tests/nix/minilib-cases.nix: the parts of the module system the CRD modules and their
  harnesses use; each case evaluates to the same value with both libs, or fails with both,
  naming the same option.
- tests/nix/lib-probes.nix exercises what the cluster modules and harnesses use of lib (free-form
  submodules, the types, priorities, aliases, definition order), and
  tests/fixtures/lib-probes.json holds nixpkgs' lib's answers. Both libs must give exactly those
  answers: with the small lib in the fast loop, and with nixpkgs' own (the slow tier) so that the
  recording stays nixpkgs' truth.

Re-record the probes' answers after changing them (with nixpkgs' lib):
  nix-instantiate --eval --strict --json tests/nix/lib-probes.nix --argstr libPath $NIXPKGS_LIB
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from nixharness import HERE, NixEvalError, run_nix

MINILIB = HERE / "nix" / "minilib.nix"
CASES = HERE / "nix" / "minilib-cases.nix"
PROBES = HERE / "nix" / "lib-probes.nix"
ANSWERS = HERE / "fixtures" / "lib-probes.json"

# case → its value, or ("error", what the message names)
EXPECTED: dict[str, Any] = {
    "submoduleValues": {"x": 1, "y": None},
    "submoduleOverride": {"x": 1, "y": "a"},
    "submoduleUnknownField": ("error", "`p.z' does not exist"),
    "submoduleWrongType": ("error", "`p.x' is not of type `signed integer'"),
    "submoduleMissingRequired": ("error", "`p.x'"),
    "listOfSubmodules": [{"x": 3, "y": None}, {"x": 1, "y": None}],
    "listElementUnknownField": ("error", '`l."[definition 1-entry 2]".w\' does not exist'),
    "attrsOfNamed": {"first": {"id": "first"}, "second": {"id": "given"}},
    "enumRefused": ("error", "`e' is not of type `one of \"a\", \"b\"'"),
    "eitherIntStr": {"i": 80, "s": "http"},
    "addCheckRefused": ("error", "`n' is not of type `signed integer'"),
    "freeform": {"kind": "K", "spec": {"a": 1, "b": [2]}},
    "freeformTyped": ("error", "`f.kind' is not of type `null or string'"),
    "coerced": {"g/A": {"group": "g", "kind": "A"}, "g/B": {"group": "g", "kind": "B"}},
    "applyAddedByASecondDeclaration": {"a": 10},
    "aliasDefinitions": {"a": 1, "b": 2},
    "optionDefaultLoses": "user default",
    "mkIfInsideSubmodule": {"x": 1, "y": None},
    "emptyValues": {"a": {}, "l": [], "n": None, "p": {"x": 1, "y": None}},
    "submoduleEmptyValue": {"y": None},
    "noEmptyValue": ("error", "`s'"),
    "unspecifiedKeepsProperties": 2,
}


def test_every_case_is_expected() -> None:
    names = json.loads(run_nix(["--eval", "--json", "-E",
                                f"builtins.attrNames (import {CASES} {{ lib = import "
                                f"{MINILIB}; }})"]))  # fmt: skip
    assert sorted(names) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_small_lib_agrees_with_nixpkgs(case: str, lib_path: str) -> None:
    lib = lib_path or str(MINILIB)
    expr = f"(import {CASES} {{ lib = import {lib}; }}).{case}"
    want = EXPECTED[case]
    if isinstance(want, tuple):
        with pytest.raises(NixEvalError) as err:
            run_nix(["--eval", "--strict", "--json", "-E", expr])
        assert want[1] in str(err.value)
    else:
        assert json.loads(run_nix(["--eval", "--strict", "--json", "-E", expr])) == want


def test_each_lib_gives_nixpkgs_answers(lib_path: str) -> None:
    got = json.loads(run_nix(["--eval", "--strict", "--json", str(PROBES),
                              "--argstr", "libPath", lib_path]))  # fmt: skip
    expected = json.loads(ANSWERS.read_text())
    assert sorted(got) == sorted(expected)
    wrong = {name: (got[name], expected[name]) for name in expected if got[name] != expected[name]}
    assert not wrong, f"(this lib's answer, nixpkgs' answer) by probe: {wrong}"
