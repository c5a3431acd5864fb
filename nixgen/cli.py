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


def spec_options(func: Any) -> Any:
    """The options that describe a deployment, shared by the commands that build one."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Config file (TOML, or JSON by its .json suffix); see `nixgen schema`."),
        click.option("--flavor", type=click.Choice(FLAVORS), default=None,
                     help="Framework the module is for [default: hetzkube]."),
        click.option("--cilium-version", metavar="X.Y.Z", default=None,
                     help=f"Cilium release to pin [default: {DEFAULT_VERSION}]."),
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                     help="Free-form Helm value merged over the generated ones (and over the "
                          "config's `values`); VALUE is JSON when it parses, else a string; "
                          "write a dot inside a key as \\. (repeatable)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@cli.command()
@spec_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.option("--check", is_flag=True,
              help="Compare with the -o file instead of writing it: exit 0 when current, "
                   "1 with a diff when not.")
@click.option("--format", "fmt", type=click.Choice(FORMAT_MODES), default="auto",
              show_default=True, help="Run nixfmt over the output: when present, always, never.")
def module(config_path: Path | None, flavor: str | None, cilium_version: str | None,
           sets: tuple[str, ...], output: Path | None, check: bool, fmt: str) -> None:
    """Print (or write) the cilium.nix module."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    spec = build_spec(config_path, flavor, cilium_version, sets)
    text = _module_text(spec, _command(spec, config_path, flavor, cilium_version, sets), fmt,
                        output)
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


@cli.command()
@spec_options
@click.option("--profile", type=click.Choice(["local", "production"]), required=True,
              help="Which profile's values to print.")
@click.option("--objects", is_flag=True,
              help="Print the Kubernetes objects the module adds (policies, pools) instead.")
@click.option("--output", "output_format", type=click.Choice(["nix", "json"]), default="nix",
              show_default=True, help="Print as a Nix expression or as JSON.")
def values(config_path: Path | None, flavor: str | None, cilium_version: str | None,
           sets: tuple[str, ...], profile: str, objects: bool, output_format: str) -> None:
    """Print the resolved Helm values (or objects) a profile gets.

    A value that stays a Nix expression (such as production's k8sServiceHost) is printed as
    that expression in Nix, and as {"nix": "..."} in JSON."""
    import json

    from nixgen import emit

    spec = build_spec(config_path, flavor, cilium_version, sets)
    built = _checked_plan(spec)
    data = built.objects_for(profile) if objects else built.values_for(profile)
    if output_format == "json":
        sys.stdout.write(json.dumps(_jsonable(data), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_emit_or_fail(emit.document, data))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the config file."""
    import json

    from nixgen.spec import Spec

    sys.stdout.write(json.dumps(Spec.model_json_schema(), indent=2, sort_keys=True) + "\n")


def _jsonable(data: Any) -> Any:
    from nixgen.emit import Raw

    if isinstance(data, Raw):
        return {"nix": data.expr}
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    return data


def load_config(path: Path) -> dict[str, Any]:
    """The config file as data: TOML, or JSON when its name ends in .json."""
    import json
    import tomllib

    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UserError(f"--config {path}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except UnicodeDecodeError:
        raise UserError(f"--config {path}: not UTF-8 text") from None
    except (ValueError, tomllib.TOMLDecodeError) as err:
        kind = "JSON" if path.suffix == ".json" else "TOML"
        raise UserError(f"--config {path}: invalid {kind}: {err}") from None
    if not isinstance(data, dict):
        raise UserError(f"--config {path}: the top level must be a table (an object)")
    return data


def build_spec(config_path: Path | None, flavor: str | None, version: str | None,
               sets: tuple[str, ...]) -> Spec:
    """The Spec from the config file, then the command line over it; bad input raises
    UserError."""
    from pydantic import ValidationError

    from nixgen import catalog, overrides
    from nixgen.spec import Spec

    data: dict[str, Any] = load_config(config_path) if config_path else {}
    if flavor is not None:
        data["flavor"] = flavor
    if version is not None:
        data["ciliumVersion"] = version
    chosen = data.get("ciliumVersion", DEFAULT_VERSION)
    if isinstance(chosen, str):
        try:
            catalog.load().release_for(chosen)
        except catalog.UnknownVersion as err:
            where = "--cilium-version" if version is not None else "ciliumVersion"
            raise UserError(f"{where} {chosen}: {err}") from None
    given = data.get("values", {})
    if not isinstance(given, dict):
        raise UserError("values: must be a table of Helm values")
    for item in sets:
        try:
            path, value = overrides.parse_set(item)
        except overrides.SetError as err:
            raise UserError(str(err)) from None
        given = overrides.deep_merge(given, overrides.nest(path, value))
    data["values"] = given
    try:
        return Spec.model_validate(data)
    except ValidationError as err:
        raise UserError(_first_error(err)) from None


def _command(spec: Spec, config_path: Path | None, flavor: str | None, version: str | None,
             sets: tuple[str, ...]) -> str:
    from nixgen import commandline

    return commandline.describe(spec, config_path, sets)


def _emit_or_fail(function: Any, *args: Any) -> Any:
    from nixgen.emit import NixError

    try:
        return function(*args)
    except NixError as err:
        raise UserError(f"values.{err}" if err.path else str(err)) from None


def _checked_plan(spec: Spec) -> Any:
    """The plan, after the cross-field rules: errors stop, warnings go to stderr."""
    from nixgen import plan, rules

    built = plan.build(spec)
    try:
        warnings = rules.check(built)
    except rules.RuleError as err:
        raise UserError(str(err)) from None
    for warning in warnings:
        click.echo(f"nixgen: warning: {warning}", err=True)
    return built


def _module_text(spec: Spec, command: str, fmt: str, output: Path | None) -> str:
    from nixgen import nixfmt, render

    built = _checked_plan(spec)
    text = _emit_or_fail(render.render, built, command)
    try:
        return nixfmt.format_source(text, fmt, output.name if output else "cilium.nix")
    except nixfmt.FormatError as err:
        raise UserError(str(err)) from None


_TYPE_TAGS = frozenset({"str", "int", "bool", "float", "NixExpr", "none", "dict", "list"})
_PREFERRED = {"value_error": 0, "missing": 1}


def _first_error(err: Any) -> str:
    """One line for a validation error: where, then why. For a setting that takes one of
    several shapes, the most telling branch's reason (our own checks first)."""
    errors = err.errors()
    first = min(errors, key=lambda e: _PREFERRED.get(e["type"], 2))
    where = ".".join(str(p) for p in first["loc"]
                     if not (isinstance(p, str) and ("[" in p or p in _TYPE_TAGS)))  # fmt: skip
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


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
