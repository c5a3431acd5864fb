"""The project's small lib (tests/nix/minilib.nix) against nixpkgs' lib: tests/nix/lib-probes.nix
exercises what the modules and harnesses use of lib (free-form submodules, the types, priorities,
aliases, definition order), and tests/fixtures/lib-probes.json holds nixpkgs' lib's answers. Both
libs must give exactly those answers: with the small lib in the fast loop, and with nixpkgs' own
(the slow tier) so that the recording stays nixpkgs' truth.

Re-record after changing the probes (with nixpkgs' lib):
  nix-instantiate --eval --strict --json tests/nix/lib-probes.nix --argstr libPath $NIXPKGS_LIB
"""

from __future__ import annotations

import json

from nixharness import HERE, run_nix

PROBES = HERE / "nix" / "lib-probes.nix"
ANSWERS = HERE / "fixtures" / "lib-probes.json"


def test_each_lib_gives_nixpkgs_answers(lib_path: str) -> None:
    got = json.loads(run_nix(["--eval", "--strict", "--json", str(PROBES),
                              "--argstr", "libPath", lib_path]))  # fmt: skip
    expected = json.loads(ANSWERS.read_text())
    assert sorted(got) == sorted(expected)
    wrong = {name: (got[name], expected[name]) for name in expected if got[name] != expected[name]}
    assert not wrong, f"(this lib's answer, nixpkgs' answer) by probe: {wrong}"

