"""What the commands share: the options that describe a deployment (`spec_options`), `--format`,
`--check`, paths as pathlib.Path; building the spec; and the output: text to stdout or to a file
(atomically), `--check`'s comparison with the file, notes and warnings on stderr."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from nixgen.errors import NixgenError
from nixgen.input.choices import DEFAULT_VERSION, DEFAULTS_MODES, EASYKUBENIX, FLAVORS, FORMAT_MODES

if TYPE_CHECKING:
    from pathlib import Path

    from nixgen.input.spec import Spec


def as_path(ctx: Any, param: Any, value: str | None) -> Path | None:
    """Paths as pathlib.Path, imported only when a path is given (pathlib costs ~4 ms)."""
    if value is None:
        return None
    from pathlib import Path

    return Path(value)


def spec_options(func: Any) -> Any:
    """The options that describe a deployment, shared by the commands that build one."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False), callback=as_path,
                     help="Config file (TOML, or JSON by its .json suffix); see `nixgen schema`."),
        click.option("--flavor", type=click.Choice(FLAVORS), default=None,
                     help="Framework the module is for [default: hetzkube]."),
        click.option("--cilium-version", metavar="X.Y.Z", default=None,
                     help=f"Cilium release to pin [default: {DEFAULT_VERSION}]."),
        click.option("--easykubenix", type=click.Choice(EASYKUBENIX), default=None,
                     help="hetzkube flavour: the easykubenix generation to target "
                          "[default: hetzkube-pin]."),
        click.option("--gateway-api-version", metavar="X.Y.Z", default=None,
                     help="gateway-api release to deploy instead of the one Cilium's docs name."),
        click.option("--rev", default=None, help="Pin the Cilium tree to this commit."),
        click.option("--nar-hash", default=None, help="...and to this NAR hash (sha256-...)."),
        click.option("-f", "--values", "values_files", multiple=True, metavar="FILE",
                     help="Helm values file (YAML or JSON; a Flux HelmRelease or an Argo CD "
                          "Application too), merged in order as Helm merges them, under the "
                          "config; recorded in the header, regen reads it again (repeatable)."),
        click.option("--defaults", type=click.Choice(DEFAULTS_MODES), default=None,
                     help="nixgen: nixgen's defaults fill what the values leave open, and yield "
                          "where they would collide; chart: only the chart's defaults, so the "
                          "module deploys what helm install -f FILE does [default: nixgen]."),
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                     help="Free-form Helm value merged over the generated ones (and over the "
                          "config's `values`); VALUE is JSON when it parses, else a string; "
                          "write a dot inside a key as \\. (repeatable)."),
        click.option("--set-nix", "set_nix", multiple=True, metavar="PATH=EXPR",
                     help="A Helm value that is a Nix expression, an attribute path from config, "
                          "lib, options or pkgs (such as config.clusterName) (repeatable)."),
        click.option("--unchecked", "unchecked", multiple=True, metavar="PATH",
                     help="Let this Helm value path (and all below it) past the check against "
                          "the pinned chart, for a key the chart reads that nixgen does not see; "
                          "recorded as uncheckedValues in the header (repeatable)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


# Every command that writes Nix takes --format.
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMAT_MODES), default="auto", show_default=True,
    help="Run nixfmt over the Nix it writes: when present, always, never.")  # fmt: skip
check_option = click.option(
    "--check", is_flag=True,
    help="Compare with the file instead of writing it: exit 0 when current, 1 with a diff "
         "when not.")  # fmt: skip


def build_spec(**given: Any) -> Spec:
    from nixgen.input import config

    return config.from_command_line(**given)


def jsonable(data: Any) -> Any:
    """Resolved values as JSON: a Nix expression in the config's notation, {"$nix": ...}."""
    from nixgen.plan.model import notation

    return notation(data)


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        kind = "note" if type(warning).__name__ == "Note" else "warning"
        click.echo(f"nixgen: {kind}: {warning}", err=True)


def say_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        click.echo(f"nixgen: note: {note}", err=True)


def module_text(spec: Spec, fmt: str, output: Path | None) -> str:
    from nixgen import pipeline

    result = pipeline.module(spec, fmt, output.name if output else "cilium.nix")
    say_notes(result.notes)
    warn(result.warnings)
    return result.text


def node_text(spec: Spec, profile: str, fmt: str, output: Path | None) -> str:
    from nixgen import pipeline
    from nixgen.nix.node import FILENAME

    result = pipeline.node(spec, profile, fmt, output.name if output else FILENAME)
    say_notes(result.notes)
    warn(result.warnings)
    return result.text


def deliver(text: str, output: Path | None, check: bool) -> None:
    """`text` to stdout, to `output`, or (with `check`) compared with `output`."""
    if check:
        assert output is not None
        check_file(output, text)
    elif output is not None:
        write(output, text)
    else:
        stdout(text)


def stdout(text: str) -> None:
    """`text` on standard output, flushed: a stdout that cannot take it (a full disk, a closed
    pipe) is an error, exit 2, never a traceback or a silently cut output."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        drop_stdout()
        raise NixgenError(f"cannot write to standard output: {err.strerror or err}") from None


def drop_stdout() -> None:
    """Point stdout at /dev/null once writing to it failed, so that the interpreter's own
    flush at exit does not fail a second time with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test runner's capture): nothing flushes it at exit


def write(path: Path, text: str) -> None:
    from nixgen.output import write_atomic

    try:
        write_atomic(path, text)
    except OSError as err:
        raise NixgenError(f"{path}: cannot write it: {err.strerror or err}") from None


def check_file(path: Path, wanted: str) -> None:
    from nixgen.output import diff, read_regular

    try:
        current = read_regular(path)
    except FileNotFoundError:
        click.echo(f"nixgen: {path} does not exist; generate it without --check", err=True)
        sys.exit(1)
    except (OSError, UnicodeDecodeError) as err:
        raise NixgenError(f"{path}: cannot read it: {err}") from None
    if current == wanted:
        return
    stdout(diff(path, current, wanted))
    click.echo(f"nixgen: {path} is stale: regenerate it (nixgen regen {path})", err=True)
    sys.exit(1)
