"""Where nixgen writes: `-o`, `regen` and `--check` hold to regular files (a symlink is written
through to its target), and a stdout that cannot take the output is one line and exit 2."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from goldens import path_of
from clirun import one_line_error, process

GOLDEN = path_of("hetzkube-1.18.4")


def golden() -> str:
    return GOLDEN.read_text(encoding="utf-8")


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    committed = tmp_path / "repo" / "cilium.nix"
    committed.parent.mkdir()
    committed.write_text("old\n", encoding="utf-8")
    committed.chmod(0o640)
    link = tmp_path / "cilium.nix"
    link.symlink_to(Path("repo") / "cilium.nix")
    done = process("module", "--format", "never", "-o", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("repo") / "cilium.nix")
    assert committed.read_text(encoding="utf-8") == golden()
    assert stat.S_IMODE(committed.stat().st_mode) == 0o640
    # the temporary file went beside the target, and nothing is left of it
    assert sorted(p.name for p in committed.parent.iterdir()) == ["cilium.nix"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cilium.nix", "repo"]


def test_a_chain_of_symlinks_and_a_dangling_one_are_followed(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("c.nix")  # c.nix does not exist yet: created there
    done = process("module", "--format", "never", "-o", str(tmp_path / "a"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert (tmp_path / "c.nix").read_text(encoding="utf-8") == golden()


def test_regen_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.nix"
    target.write_text(golden().replace("cilium.enable", "cilium.enable "), encoding="utf-8")
    link = tmp_path / "cilium.nix"
    link.symlink_to("real.nix")
    done = process("regen", "--format", "never", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == golden()


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "cilium.nix"
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize("command", [
    ["module", "--format", "never", "-o"], ["node", "--format", "never", "-o"],
    ["module", "--format", "never", "--check", "-o"], ["regen", "--format", "never"],
    ["regen", "--format", "never", "--check"], ["lock"],
])  # fmt: skip
def test_a_fifo_is_refused_and_left_a_fifo(command: list[str], tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    done = process(*command, str(fifo))  # reading a FIFO would block: the timeout would fail it
    one_line_error(done, f"{fifo} is a FIFO", "regular files")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cilium.nix"]


def test_a_symlink_to_a_fifo_is_refused_naming_both(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    link = tmp_path / "link.nix"
    link.symlink_to(fifo.name)
    done = process("module", "--format", "never", "-o", str(link))
    one_line_error(done, f"{fifo} (the target of the symlink {link}) is a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "cilium.nix"
    folder.mkdir()
    link = tmp_path / "link.nix"
    link.symlink_to(folder.name)
    done = process("module", "--format", "never", "-o", str(link))
    one_line_error(done, "is a directory")
    assert folder.is_dir()


def test_a_device_node_is_refused_and_stays_a_device(tmp_path: Path) -> None:
    """The device is a private copy of /dev/null's node (major 1, minor 3), made as root."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as err:
        pytest.skip(f"cannot make a device node here: {err}")
    for command in (["module", "--format", "never", "-o", str(node)],
                    ["regen", "--format", "never", str(node)]):  # fmt: skip
        done = process(*command)
        one_line_error(done, f"{node} is a character device")
        assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_a_symlink_loop_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    done = process("module", "--format", "never", "-o", str(tmp_path / "a"))
    one_line_error(done, "cannot write it")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("command", [
    ["module", "--format", "never"], ["module", "--format", "never", "--set", "a=1",
                                       "--unchecked", "a"],
    ["node", "--format", "never"], ["values", "--profile", "local", "--format", "never"],
    ["values", "--profile", "production", "--output", "json"], ["schema"], ["versions"],
    ["versions", "--json"], ["explain", "hubble.enabled"],
])  # fmt: skip
def test_a_full_stdout_is_one_line_and_exit_2(command: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        done = subprocess.run([sys.executable, "-m", "nixgen", *command], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr == "nixgen: error: cannot write to standard output: No space left on device\n"


def test_a_closed_stdout_pipe_is_one_line_and_exit_2() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "nixgen", "schema"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader went away before nixgen wrote
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 2
    assert err.startswith("nixgen: error: cannot write to standard output: ")
    assert err.count("\n") == 1 and "Traceback" not in err
