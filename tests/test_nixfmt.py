"""--format auto|always|never, with fake nixfmt programs on PATH; and the real nixfmt, when
there is one, leaves every golden unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from goldens import CASES, path_of
from hypothesis import given, settings, strategies as st
from strategies import SCALARS, TEXT, Split

from nixgen.cli import cli
from nixgen.nix import emit, nixfmt, pretty, syntax
from nixgen.nixatoms import Call, If, Raw

KEYS = st.one_of(TEXT, st.sampled_from(["a", "hubble", "relay", "enabled", "x-y", "if", "1.18"]))
# Long strings and keys push lines past 100 columns, where the layout rules matter.
LONG = st.text(st.sampled_from("abc-./"), min_size=40, max_size=120)
LEAVES = st.one_of(SCALARS, LONG, st.builds(Raw, st.sampled_from(["cfg.x", "config.clusterHost"])))
VALUES_WITH_SPLITS = st.recursive(
    st.one_of(LEAVES, st.builds(Split, LEAVES, LEAVES)),
    lambda children: st.one_of(
        st.lists(children.filter(lambda v: not isinstance(v, If)), max_size=4),
        st.dictionaries(KEYS, children, max_size=4),
        st.builds(lambda d: Call("lib.mkIf", (Raw("!cfg.isLocal"), d)),
                  st.dictionaries(KEYS, children, min_size=1, max_size=3)),
    ),
    max_leaves=14,
)

GOLDEN = path_of("hetzkube-1.18.4")

FAKES = {
    "identity": "#!/bin/sh\ncat\n",
    "changes": "#!/bin/sh\necho '# formatted'\ncat\n",
    "fails": "#!/bin/sh\necho 'nixfmt: parse error at line 3' >&2\nexit 1\n",
    "hangs": "#!/bin/sh\nexec sleep 30\n",
    "records-args": '#!/bin/sh\necho "# args: $*"\ncat\n',
    # exit 0 and print nothing, or what is not Nix: never written
    "empty": "#!/bin/sh\ncat >/dev/null\n",
    "blank": "#!/bin/sh\ncat >/dev/null\necho\necho\n",
    "garbage": "#!/bin/sh\ncat >/dev/null\necho '{ this is = not nix; ; }'\n",
    "unclosed": "#!/bin/sh\ncat >/dev/null\necho '{ this is = not nix'\n",
    "truncates": "#!/bin/sh\nhead -c 200\n",
    "stray-paren": "#!/bin/sh\ncat\necho ')'\n",
    # a child that outlives nixfmt and holds its output open, or a sleeper that forks one
    "forks": '#!/bin/sh\nsleep 30 &\necho $! > "$0.child"\nsleep 30\n',
    "leaves-a-child": '#!/bin/sh\ncat\nsleep 30 &\necho $! > "$0.child"\n',
}


@pytest.fixture
def fake_nixfmt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def install(kind: str) -> None:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        exe = folder / "nixfmt"
        exe.write_text(FAKES[kind])
        exe.chmod(0o755)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    return install


@pytest.fixture
def fake_nixfmt_without_nix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fake nixfmt on a PATH that has no nix-instantiate: the plain check judges it."""

    def install(kind: str) -> None:
        folder = tmp_path / "onlybin"
        folder.mkdir(exist_ok=True)
        for tool in ("sh", "cat", "head", "sleep"):
            found = shutil.which(tool)
            assert found is not None
            (folder / tool).symlink_to(found)
        exe = folder / "nixfmt"
        exe.write_text(FAKES[kind])
        exe.chmod(0o755)
        monkeypatch.setenv("PATH", str(folder))

    return install


@pytest.fixture
def no_nixfmt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH without any nixfmt (keeping what else the run needs)."""
    kept = [p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "nixfmt").exists()]
    monkeypatch.setenv("PATH", os.pathsep.join(kept))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["module", *args])
    return result.exit_code, result.stdout, result.stderr


def golden() -> str:
    return GOLDEN.read_text(encoding="utf-8")


def test_auto_runs_nixfmt_when_present(fake_nixfmt) -> None:
    fake_nixfmt("changes")
    code, out, _ = run()
    assert code == 0 and out == "# formatted\n" + golden()


def test_nixfmt_gets_the_file_name_and_stdin(fake_nixfmt, tmp_path: Path) -> None:
    fake_nixfmt("records-args")
    target = tmp_path / "mine.nix"
    code, _, _ = run("-o", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == "# args: --filename=mine.nix -\n" + golden()


def test_identity_nixfmt_changes_nothing(fake_nixfmt) -> None:
    fake_nixfmt("identity")
    assert run("--format", "always") == (0, golden(), "")


def test_auto_without_nixfmt_prints_the_emitter_output(no_nixfmt) -> None:
    assert run() == (0, golden(), "")


def test_always_without_nixfmt_is_exit_2(no_nixfmt, tmp_path: Path) -> None:
    target = tmp_path / "cilium.nix"
    code, out, err = run("--format", "always", "-o", str(target))
    assert code == 2 and out == "" and "nixfmt is not on PATH" in err
    assert not target.exists()


def test_never_skips_even_a_broken_nixfmt(fake_nixfmt) -> None:
    fake_nixfmt("fails")
    assert run("--format", "never") == (0, golden(), "")


def test_failing_nixfmt_is_exit_2_with_its_message_and_nothing_written(
    fake_nixfmt, tmp_path: Path
) -> None:
    fake_nixfmt("fails")
    target = tmp_path / "cilium.nix"
    target.write_text("old\n", encoding="utf-8")
    code, out, err = run("-o", str(target))
    assert code == 2 and out == ""
    assert err == "nixgen: error: nixfmt failed (exit 1): nixfmt: parse error at line 3\n"
    assert target.read_text(encoding="utf-8") == "old\n"


def test_hanging_nixfmt_times_out_as_exit_2(
    fake_nixfmt, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_nixfmt("hangs")
    monkeypatch.setattr(nixfmt, "TIMEOUT_SECONDS", 0.5)
    code, out, err = run()
    assert code == 2 and out == ""
    assert "nixfmt did not finish within 0.5 seconds" in err


@pytest.mark.parametrize("name", CASES)
def test_real_nixfmt_leaves_every_golden_unchanged(name: str) -> None:
    exe = shutil.which("nixfmt")
    if exe is None:
        pytest.skip("nixfmt is not on PATH: the goldens' layout is checked against the fixtures only")
    text = path_of(name).read_text(encoding="utf-8")
    done = subprocess.run([exe, f"--filename={name}.nix", "-"], input=text, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == text


def test_values_output_goes_through_nixfmt_too(fake_nixfmt) -> None:
    fake_nixfmt("records-args")
    result = CliRunner().invoke(cli, ["values", "--profile", "local"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# args: --filename=values.nix -\n{\n")
    fake_nixfmt("fails")
    result = CliRunner().invoke(cli, ["values", "--profile", "local", "--format", "always"])
    assert result.exit_code == 2 and "nixfmt failed" in result.stderr


@pytest.mark.slow
@settings(max_examples=150)
@given(value=st.dictionaries(KEYS, VALUES_WITH_SPLITS, min_size=1, max_size=6))
def test_emitter_output_is_a_fixed_point_of_real_nixfmt(value: dict) -> None:
    exe = shutil.which("nixfmt")
    if exe is None:
        pytest.skip("nixfmt is not on PATH: layout is checked against the fixtures only")
    text = emit.document(value)
    done = subprocess.run([exe, "--filename=value.nix", "-"], input=text, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == text


@pytest.mark.parametrize(("kind", "reason"), [
    ("empty", "printed nothing"), ("blank", "printed only whitespace"),
    ("garbage", "printed what Nix cannot parse"), ("truncates", "printed what is not Nix ("),
    ("stray-paren", "printed what is not Nix (an unmatched ')')"),
])  # fmt: skip
@pytest.mark.parametrize("command", [["module"], ["node"], ["values", "--profile", "local"]])
def test_a_nixfmt_that_exits_0_with_no_nix_is_exit_2_and_nothing_written(
    kind: str, reason: str, command: list[str], fake_nixfmt, tmp_path: Path
) -> None:
    fake_nixfmt(kind)
    target = tmp_path / "out.nix"
    target.write_text("old\n", encoding="utf-8")
    args = [*command, "-o", str(target)] if command[0] != "values" else command
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("nixgen: error: nixfmt (") and reason in result.stderr
    assert result.stderr.count("\n") == 1 and "nothing was written" in result.stderr
    assert target.read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize(("kind", "reason"), [
    ("empty", "printed nothing"), ("unclosed", "printed what is not Nix (an unclosed '{')"),
    ("blank", "printed only whitespace"),
    ("truncates", "printed what is not Nix (only comments)"), ("stray-paren", "an unmatched ')'"),
])  # fmt: skip
def test_without_nix_the_plain_check_judges_nixfmt(
    kind: str, reason: str, fake_nixfmt_without_nix, tmp_path: Path
) -> None:
    fake_nixfmt_without_nix(kind)
    target = tmp_path / "cilium.nix"
    code, out, err = run("-o", str(target))
    assert code == 2 and out == "" and reason in err
    assert not target.exists()


def test_without_nix_a_good_nixfmt_still_passes(fake_nixfmt_without_nix) -> None:
    fake_nixfmt_without_nix("identity")
    assert run() == (0, golden(), "")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie (not reaped by its dead parent yet) is gone too
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" in status.read_text()


@pytest.mark.parametrize("kind", ["forks", "leaves-a-child"])
def test_a_nixfmt_whose_children_hang_is_killed_with_them_on_time(
    kind: str, fake_nixfmt, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    fake_nixfmt(kind)
    monkeypatch.setattr(nixfmt, "TIMEOUT_SECONDS", 0.5)
    start = time.monotonic()
    code, out, err = run()
    assert time.monotonic() - start < 10  # not the children's 30 s
    assert code == 2 and out == "" and "nixfmt did not finish within 0.5 seconds" in err
    child = int((tmp_path / "bin" / "nixfmt.child").read_text())
    deadline = time.monotonic() + 5
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child), "the process nixfmt started was left running"


def test_the_plain_check_holds_every_golden_and_refuses_its_cuts() -> None:
    for name in CASES:
        text = path_of(name).read_text(encoding="utf-8")
        assert nixfmt.unbalanced(text) is None, name
        body = text.index("\n{") if "\n{" in text else 0
        for cut in (body + (len(text) - body) // 2, len(text) - 3):
            assert nixfmt.unbalanced(text[:cut]) is not None, (name, cut)


@pytest.mark.slow
@settings(max_examples=150)
@given(value=st.dictionaries(KEYS, VALUES_WITH_SPLITS, min_size=1, max_size=6))
def test_the_plain_check_holds_what_the_emitter_writes(value: dict) -> None:
    text = emit.document(value)
    assert nixfmt.unbalanced(text) is None
    assert nixfmt.not_nix(text) is None


# Expressions of the kinds the module writes as code (nixgen.nix.syntax): selections with an
# `or` default, applications, comparisons, `!`, operator chains and implications, lists.
NAMES = st.sampled_from(["a", "hubble", "relay", "enabled", "clustermesh", "apiserver", "tls",
                         "kvstoremeshKvstoreModeWithALongName", "x-y"])  # fmt: skip
ATOMS = st.one_of(
    st.builds(lambda p, d: syntax.Sel("v", tuple(p), d), st.lists(NAMES, min_size=1, max_size=5),
              st.sampled_from([None, syntax.Tok("false"), syntax.Str(("cluster-pool",))])),
    st.builds(syntax.Str, st.tuples(st.text(st.sampled_from("abc -./"), max_size=50))),
    st.sampled_from([syntax.Tok("minor"), syntax.Tok("true"), syntax.Tok("128")]),
)  # fmt: skip
EXPRESSIONS = st.recursive(
    ATOMS,
    lambda children: st.one_of(
        st.builds(lambda f, args: syntax.call(f, *args),
                  st.sampled_from(["on", "truthy", "builtins.elem", "lib.versionAtLeast"]),
                  st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda a, b: syntax.Op("==", syntax.Par(a), b), ATOMS, ATOMS),
        st.builds(syntax.invert, children),
        st.builds(syntax.chain, st.sampled_from(["&&", "||", "++", "//", "+"]),
                  st.lists(children, min_size=2, max_size=5)),
        st.builds(lambda a, b: syntax.chain("->", [a, b]), children, children),
        st.builds(lambda items: syntax.Lst(tuple(items)), st.lists(ATOMS, max_size=4)),
    ),
    max_leaves=12,
)  # fmt: skip


@pytest.mark.slow
@settings(max_examples=150)
@given(expr=EXPRESSIONS, indent=st.sampled_from([2, 6, 10]))
def test_the_ported_layout_is_nixfmts_own(expr: syntax.Expr, indent: int) -> None:
    """nixgen.nix.pretty lays out what nixfmt would: a binding written by it, at any depth, is
    a fixed point of the real nixfmt."""
    exe = shutil.which("nixfmt")
    if exe is None:
        pytest.skip("nixfmt is not on PATH: layout is checked against the fixtures only")
    depth = indent // 2  # the binding inside attrsets nested this deep
    opening = "{\n" + "".join("  " * i + "a = {\n" for i in range(1, depth))
    closing = "".join("  " * i + "};\n" for i in reversed(range(1, depth))) + "}\n"
    text = opening + pretty.binding("x", expr, indent) + "\n" + closing
    done = subprocess.run([exe, "--filename=expr.nix", "-"], input=text, capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == text
