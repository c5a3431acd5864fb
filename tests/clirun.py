"""Running nixgen as a user does, in a process of its own, and what a clean failure looks
like."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def process(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m nixgen ARGS...` with `env` over this environment."""
    return subprocess.run(
        [sys.executable, "-m", "nixgen", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=60, check=False, cwd=cwd,
    )  # fmt: skip


def one_line_error(done: subprocess.CompletedProcess[str], *wanted: str) -> str:
    """The error line of a run that must have failed cleanly, with each of `wanted` in it."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nixgen: error: "), done.stderr
    for text in wanted:
        assert text in lines[0]
    return lines[0]
