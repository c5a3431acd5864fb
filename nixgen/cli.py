"""The `nixgen` command line: flags in, text out. The commands are in nixgen.commands; the work
is done by the pipeline (nixgen.pipeline). Only click is imported at start-up, so `--help` and
`versions` stay cheap. Every NixgenError becomes one line on stderr and exit status 2, with
nothing written; so does any other exception (a bug in nixgen), as an internal error saying
where to report it."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from nixgen.commands import catalog, generate, show
from nixgen.commands.common import drop_stdout, stdout
from nixgen.errors import NixgenError
from nixgen.version import __version__


class Group(click.Group):
    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name or "nixgen", standalone_mode=False, **extra)
            stdout("")  # what is still buffered: a stdout that fails is an error here too
        except NixgenError as err:
            code = _fail(str(err))
        except click.ClickException as err:
            code = _fail(err.format_message(), 2 if isinstance(err, click.UsageError)
                         else err.exit_code)  # fmt: skip
        except click.exceptions.Abort:
            click.echo("nixgen: aborted", err=True)
            code = 1
        except Exception as err:  # noqa: BLE001  (the last resort: a bug, said in one line)
            code = _internal(err)
        sys.exit(code or 0)


def _fail(message: str, code: int = 2) -> int:
    click.echo(f"nixgen: error: {' '.join(message.split())}", err=True)
    return code


def _internal(err: Exception) -> int:
    """A failure nixgen has no message for: a bug in nixgen, not in the input. One line saying
    so and where to report it; NIXGEN_DEBUG=1 shows the traceback for the report."""
    from nixgen.errors import REPORT

    if os.environ.get("NIXGEN_DEBUG"):
        import traceback

        traceback.print_exception(err)
    if isinstance(err, RecursionError):
        what = "RecursionError (input nested too deeply for nixgen)"
    else:
        reason = " ".join(str(err).split())[:200]
        what = f"{type(err).__name__}: {reason}" if reason else type(err).__name__
    drop_stdout()
    return _fail(f"internal error ({what}): a bug in nixgen; {REPORT}")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nixgen")
def cli() -> None:
    """Generate Nix modules that deploy Cilium into k3s (easykubenix/kubenix or nixidy)."""


for command in (generate.module, generate.node, generate.crds, generate.regen, show.values,
                show.upgrade_notes, generate.import_command, show.schema, show.explain,
                show.versions, generate.lock, catalog.catalog_group):  # fmt: skip
    cli.add_command(command)


def main() -> None:
    cli()
