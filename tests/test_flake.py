from pathlib import Path

from nixharness import run_nix

ROOT = Path(__file__).resolve().parent.parent


def test_flake_parses() -> None:
    run_nix(["--parse", str(ROOT / "flake.nix")])
