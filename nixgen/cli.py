"""The `nixgen` command line. Only click is imported at start-up; the pipeline (pydantic,
jinja2) is imported by the commands that need it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from nixgen import __version__
from nixgen.choices import DEFAULT_VERSION, FLAVORS, FORMAT_MODES

if TYPE_CHECKING:
    from nixgen.spec import Spec


class UserError(click.ClickException):
    """Bad input: one line on stderr, exit status 2, nothing written."""

    exit_code = 2


class Group(click.Group):
    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name or "nixgen", standalone_mode=False, **extra)
        except click.ClickException as err:
            message = " ".join(err.format_message().split("\n"))
            click.echo(f"nixgen: error: {message}", err=True)
            code = 2 if isinstance(err, (click.UsageError, UserError)) else err.exit_code
        except click.exceptions.Abort:
            click.echo("nixgen: aborted", err=True)
            code = 1
        sys.exit(code or 0)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nixgen")
def cli() -> None:
    """Generate Nix modules that deploy Cilium into k3s (easykubenix/kubenix or nixidy)."""


@cli.command()
@click.option("--flavor", type=click.Choice(FLAVORS), default="hetzkube", show_default=True,
              help="Framework the module is for.")
@click.option("--cilium-version", metavar="X.Y.Z", default=DEFAULT_VERSION, show_default=True,
              help="Cilium release to pin.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Free-form Helm value merged over the generated ones; VALUE is JSON when it "
                   "parses, else a string; write a dot inside a key as \\. (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.option("--check", is_flag=True,
              help="Compare with the -o file instead of writing it: exit 0 when current, "
                   "1 with a diff when not.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_MODES), default="auto",
              show_default=True, help="Run nixfmt over the output: when present, always, never.")
def module(flavor: str, cilium_version: str, sets: tuple[str, ...], output: Path | None,
           check: bool, fmt: str) -> None:
    """Print (or write) the cilium.nix module."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    text = _module_text(flavor, cilium_version, sets, fmt, output)
    if check:
        assert output is not None
        _check(output, text)
    elif output is not None:
        from nixgen.output import write_atomic

        try:
            write_atomic(output, text)
        except OSError as err:
            raise UserError(f"-o {output}: {err.strerror or err}") from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def build_spec(flavor: str, version: str, sets: tuple[str, ...]) -> Spec:
    """The Spec the command line describes; bad input raises UserError."""
    from pydantic import ValidationError

    from nixgen import catalog, overrides
    from nixgen.spec import Spec

    try:
        catalog.load().release_for(version)
    except catalog.UnknownVersion as err:
        raise UserError(f"--cilium-version {version}: {err}") from None
    values: dict[str, Any] = {}
    for item in sets:
        try:
            path, value = overrides.parse_set(item)
        except overrides.SetError as err:
            raise UserError(str(err)) from None
        values = overrides.deep_merge(values, overrides.nest(path, value))
    try:
        spec = Spec(flavor=flavor, ciliumVersion=version, values=values)
    except ValidationError as err:
        raise UserError(_first_error(err)) from None
    return spec


def _module_text(flavor: str, version: str, sets: tuple[str, ...], fmt: str,
                 output: Path | None) -> str:
    from nixgen import generate, nixfmt
    from nixgen.emit import NixError

    spec = build_spec(flavor, version, sets)
    try:
        text = generate(spec)
    except NixError as err:
        raise UserError(f"values.{err}" if err.path else str(err)) from None
    try:
        return nixfmt.format_source(text, fmt, output.name if output else "cilium.nix")
    except nixfmt.FormatError as err:
        raise UserError(str(err)) from None


def _first_error(err: Any) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    more = err.error_count() - 1
    return f"{where}: {message}" + (f" (and {more} more)" if more else "")


def _check(path: Path, wanted: str) -> None:
    from nixgen.output import diff

    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        click.echo(f"nixgen: {path} does not exist; generate it without --check", err=True)
        sys.exit(1)
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"-o {path}: cannot read it: {err}") from None
    if current == wanted:
        return
    sys.stdout.write(diff(path, current, wanted))
    click.echo(f"nixgen: {path} is stale: regenerate it with the command in its header", err=True)
    sys.exit(1)


def main() -> None:
    cli()
