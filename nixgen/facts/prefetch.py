"""`nixgen lock`: rev and narHash of a Cilium release, from `nix flake prefetch`."""

from __future__ import annotations

import json
import re
import shutil

from nixgen import process
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
        code, out, err = process.run(command, b"", TIMEOUT_SECONDS)
    except process.TimedOut:
        raise PrefetchError(f"nix flake prefetch {ref} did not finish within "
                            f"{TIMEOUT_SECONDS:g} seconds") from None  # fmt: skip
    except OSError as err:
        raise PrefetchError(f"nix flake prefetch {ref} could not run: {err.strerror or err}") from None
    if code != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit {code}"
        raise PrefetchError(f"nix flake prefetch {ref} failed: {reason}")
    try:
        data = json.loads(out.decode("utf-8"))
        rev, nar_hash = data["locked"]["rev"], data["hash"]
    except (ValueError, KeyError, TypeError, RecursionError):  # UnicodeDecodeError too
        raise PrefetchError(f"nix flake prefetch {ref} printed no rev and hash") from None
    if not isinstance(rev, str) or not isinstance(nar_hash, str) or not (
        re.fullmatch(REV_PATTERN, rev) and re.fullmatch(NAR_HASH_PATTERN, nar_hash)
    ):
        raise PrefetchError(f"nix flake prefetch {ref} printed an unexpected rev or hash")
    return rev, nar_hash
