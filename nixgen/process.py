"""Running another program (nixfmt, nix-instantiate, nix) so that it cannot outlive nixgen: in
a session of its own, its whole process group killed when it takes too long."""

from __future__ import annotations

import os
import signal
import subprocess


class TimedOut(Exception):
    """The program (or something it started, holding its output open) ran past its time."""


def run(argv: list[str], stdin: bytes, timeout: float) -> tuple[int, bytes, bytes]:
    """Run `argv` with `stdin`: its exit code, stdout and stderr. TimedOut, after killing its
    process group, when it takes longer than `timeout` seconds."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise TimedOut() from None
    except BaseException:
        _kill_group(proc)
        raise
    return proc.returncode, out, err


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # its session's group: it and what it started
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover  (a process that survives SIGKILL)
        pass
