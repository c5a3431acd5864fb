"""Run nixfmt over generated source: `--format auto|always|never`.

nixgen's own output is already in nixfmt's layout, so nixfmt is a check of that claim and a
guard for users whose nixfmt differs; a failure is reported, never half-applied.
"""

from __future__ import annotations

import shutil
import subprocess

from nixgen.errors import NixgenError

TIMEOUT_SECONDS = 30.0


class FormatError(NixgenError):
    """nixfmt was required and missing, failed, or did not finish."""


def format_source(text: str, mode: str, filename: str = "cilium.nix") -> str:
    if mode == "never":
        return text
    exe = shutil.which("nixfmt")
    if exe is None:
        if mode == "always":
            raise FormatError("--format always: nixfmt is not on PATH")
        return text
    try:
        done = subprocess.run(
            [exe, f"--filename={filename}", "-"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FormatError(f"nixfmt did not finish within {TIMEOUT_SECONDS:g} seconds") from None
    except OSError as err:
        raise FormatError(f"nixfmt could not run: {err}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[0] if message else "no message"
        raise FormatError(f"nixfmt failed (exit {done.returncode}): {reason}")
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError("nixfmt printed text that is not UTF-8") from None
