"""`nixgen lock`: rev and narHash of a Cilium release, from `nix flake prefetch`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from nixgen.errors import NixgenError

TIMEOUT_SECONDS = 600.0

# A Cilium tree pinned for pure evaluation: a commit and the NAR hash of its tree (what the
# config's `source` takes, and what `nix flake prefetch` must print).
REV_PATTERN = r"[0-9a-f]{40}"
NAR_HASH_PATTERN = r"sha256-[A-Za-z0-9+/]{43}="


class PrefetchError(NixgenError):
    """The release could not be locked: no nix, no network, or an answer nixgen cannot read."""


def lock(version: str) -> tuple[str, str]:
    nix = shutil.which("nix")
    if nix is None:
        raise PrefetchError("nixgen lock needs the `nix` command (and the network): not on PATH")
    ref = f"github:cilium/cilium/v{version}"
    command = [nix, "--extra-experimental-features", "nix-command flakes", "flake", "prefetch",
               "--json", ref]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise PrefetchError(f"nix flake prefetch {ref} did not finish in time") from None
    except OSError as err:
        raise PrefetchError(f"nix flake prefetch {ref} could not run: {err.strerror or err}") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        reason = lines[-1] if lines else f"exit {done.returncode}"
        raise PrefetchError(f"nix flake prefetch {ref} failed: {reason}")
    try:
        data = json.loads(done.stdout)
        rev, nar_hash = data["locked"]["rev"], data["hash"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise PrefetchError(f"nix flake prefetch {ref} printed no rev and hash") from None
    if not isinstance(rev, str) or not isinstance(nar_hash, str) or not (
        re.fullmatch(REV_PATTERN, rev) and re.fullmatch(NAR_HASH_PATTERN, nar_hash)
    ):
        raise PrefetchError(f"nix flake prefetch {ref} printed an unexpected rev or hash")
    return rev, nar_hash
