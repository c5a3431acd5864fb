"""Writing a module: atomically to a file, or comparing with the file for --check.

A file nixgen writes is a regular file or a path that does not exist yet. A symlink is
followed, and its target is what is replaced (a link to a committed file keeps linking to it);
anything else (a FIFO, a device, a directory, a socket) is refused, never replaced by a plain
file. Reading a file to compare with or to regenerate holds to the same rule, so a FIFO or a
device cannot stall nixgen or feed it endless bytes.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from pathlib import Path

from nixgen.errors import NixgenError


class OutputError(NixgenError):
    """A path nixgen refuses to write or read: not a regular file."""


_KINDS = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
)  # fmt: skip


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def target(path: Path) -> Path:
    """Where writing `path` lands: the path itself, or, for a symlink, the file it points to
    (through every link). OutputError when that exists and is not a regular file; OSError
    when it cannot be looked at."""
    real = Path(os.path.realpath(path))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    if not stat.S_ISREG(mode):
        via = f" (the target of the symlink {path})" if real != Path(os.path.abspath(path)) else ""
        shown = real if via else path
        raise OutputError(f"{shown}{via} is {_kind(mode)}: nixgen writes and reads only regular "
                          "files")  # fmt: skip
    return real


def read_regular(path: Path) -> str:
    """The text of `path`, which must be a regular file (through symlinks). OutputError for
    anything else; FileNotFoundError, UnicodeDecodeError and OSError as reading raises them."""
    real = target(path)
    if not real.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    return real.read_text(encoding="utf-8")


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and a rename, so the
    file is either the old one or the whole new one, never half of it. A symlink is written
    through: the temporary file goes beside its target and replaces that. The file keeps its
    mode (and, where the writer may, its owner and group)."""
    real = target(path)
    folder = real.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        mode = 0o666 & ~_umask()
        try:
            old = os.stat(real)
        except FileNotFoundError:
            old = None
        if old is not None:
            mode = old.st_mode & 0o7777
            if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.chown(tmp, old.st_uid, old.st_gid)
                except OSError:
                    pass  # not allowed to: the file becomes the writer's
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def diff(path: Path, current: str, wanted: str) -> str:
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            fromfile=f"{path} (committed)",
            tofile=f"{path} (generated)",
        )
    )
