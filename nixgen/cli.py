"""The `nixgen` command line. Only click is imported at start-up; the pipeline (pydantic,
jinja2) is imported by the commands that need it, so `--help` and `versions` stay cheap."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from nixgen import __version__
from nixgen.choices import DEFAULT_VERSION, EASYKUBENIX, FLAVORS, FORMAT_MODES

if TYPE_CHECKING:
    from pathlib import Path

    from nixgen.plan import Plan
    from nixgen.spec import Spec

SPEC_MARK = "# nixgen-spec: "


def _as_path(ctx: Any, param: Any, value: str | None) -> Path | None:
    """Paths as pathlib.Path, imported only when a path is given (pathlib costs ~4 ms)."""
    if value is None:
        return None
    from pathlib import Path

    return Path(value)


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
        click.option("--config", "config_path", type=click.Path(dir_okay=False), callback=_as_path,
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
        click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
                     help="Free-form Helm value merged over the generated ones (and over the "
                          "config's `values`); VALUE is JSON when it parses, else a string; "
                          "write a dot inside a key as \\. (repeatable)."),
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


@cli.command()
@spec_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=_as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def module(output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) the cilium.nix module."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    text = module_text(spec_for(**given), fmt, output)
    if check:
        assert output is not None
        _check(output, text)
    elif output is not None:
        _write(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@cli.command()
@spec_options
@click.option("--profile", type=click.Choice(["local", "production"]), default="production",
              show_default=True, help="Which profile's values the nodes follow.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=_as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def node(profile: str, output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) cilium-node.nix, the NixOS module for the k3s nodes."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    text = node_text(spec_for(**given), profile, fmt, output)
    if check:
        assert output is not None
        _check(output, text)
    elif output is not None:
        _write(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False), callback=_as_path)
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help="Bump the file to this Cilium release.")
@check_option
@format_option
def regen(file: Path, cilium_version: str | None, check: bool, fmt: str) -> None:
    """Regenerate FILE from the spec in its own header (optionally at another version)."""
    from nixgen.node import NodeError, split_header

    data = read_header_spec(file)
    try:
        profile = split_header(data)  # a node module's header names its output and profile
    except NodeError as err:
        raise UserError(f"{file}: {err}") from None
    if cilium_version is not None:
        data["ciliumVersion"] = cilium_version
        data.pop("source", None)  # a pin belongs to the version it was computed for
    spec = validate_spec(data, where=f"{file}: header spec")
    text = module_text(spec, fmt, file) if profile is None else node_text(spec, profile, fmt, file)
    if check:
        _check(file, text)
    else:
        _write(file, text)


@cli.command()
@spec_options
@click.option("--profile", type=click.Choice(["local", "production"]), required=True,
              help="Which profile's values to print.")
@click.option("--objects", is_flag=True,
              help="Print the Kubernetes objects the module adds (policies, pools) instead.")
@click.option("--output", "output_format", type=click.Choice(["nix", "json"]), default="nix",
              show_default=True, help="Print as a Nix expression or as JSON.")
@format_option
def values(profile: str, objects: bool, output_format: str, fmt: str, **given: Any) -> None:
    """Print the resolved Helm values (or objects) a profile gets.

    A value that stays a Nix expression (such as production's k8sServiceHost) is printed as
    that expression in Nix, and as {"nix": "..."} in JSON."""
    import json

    from nixgen import emit

    built = checked_plan(spec_for(**given))
    data = built.objects_for(profile) if objects else built.values_for(profile)
    if output_format == "json":
        sys.stdout.write(json.dumps(_jsonable(data), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_formatted(_emit_or_fail(emit.document, data), fmt, "values.nix"))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the config file."""
    import json

    from nixgen.spec import Spec

    sys.stdout.write(json.dumps(Spec.model_json_schema(), indent=2, sort_keys=True) + "\n")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def versions(as_json: bool) -> None:
    """Print the Cilium releases nixgen has facts for."""
    from nixgen import catalog

    rows = catalog.summary(catalog.load())
    if as_json:
        import json

        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    header = ("version", "gateway-api", "CRDs", "changes from the previous minor")
    table = [header] + [(r["version"], r["gatewayApi"], str(r["crds"]), "; ".join(r["changes"]))
                        for r in rows]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for row in table:
        sys.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3] + "\n")


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False), callback=_as_path)
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help="The release to lock [default: FILE's, else the default version].")
@format_option
def lock(file: Path | None, cilium_version: str | None, fmt: str) -> None:
    """Compute rev and narHash for a Cilium release (needs Nix and the network); with FILE,
    pin FILE's tree to them."""
    from nixgen import prefetch

    data = read_header_spec(file) if file is not None else {}
    version = cilium_version or data.get("ciliumVersion") or DEFAULT_VERSION
    _known_version(version, "--cilium-version")
    try:
        rev, nar_hash = prefetch.lock(version)
    except prefetch.PrefetchError as err:
        raise UserError(str(err)) from None
    click.echo(f"--rev {rev} --nar-hash {nar_hash}")
    if file is not None:
        data["ciliumVersion"] = version
        data["source"] = {"rev": rev, "narHash": nar_hash}
        _write(file, module_text(validate_spec(data, where=f"{file}: header spec"), fmt, file))


@cli.group("catalog")
def catalog_group() -> None:
    """The facts nixgen keeps per Cilium release."""


@catalog_group.command("import")
@click.argument("tree", type=click.Path(file_okay=False, exists=True), callback=_as_path)
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False), callback=_as_path,
              default=None, help="Catalog file to update [default: the one nixgen reads].")
@click.option("--gateway-api-version", metavar="X.Y.Z", default=None,
              help="The gateway-api release for this minor, when the catalog has none yet.")
def catalog_import(tree: Path, catalog_file: Path | None, gateway_api_version: str | None) -> None:
    """Add or refresh one release's facts from a Cilium source TREE."""
    from pathlib import Path

    from nixgen import catalog

    target = catalog_file or Path(catalog.catalog_path())
    try:
        version, count = catalog.import_tree(tree, target, gateway_api_version)
    except catalog.ImportError_ as err:
        raise UserError(str(err)) from None
    click.echo(f"{target}: Cilium {version}, {count} CRDs")


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


def _known_version(version: Any, where: str) -> None:
    from nixgen import catalog

    if isinstance(version, str):
        try:
            catalog.load().release_for(version)
        except catalog.UnknownVersion as err:
            raise UserError(f"{where} {version}: {err}") from None


def spec_for(**given: Any) -> Any:
    """The spec the command line describes: a QuickSpec (no pydantic import) when it only
    names flavour, version and easykubenix generation, else the validated Spec."""
    quick = ("flavor", "cilium_version", "easykubenix")
    if any(v for k, v in given.items() if k not in quick):
        return build_spec(**given)
    from nixgen.quickspec import QuickSpec

    version = given.get("cilium_version") or DEFAULT_VERSION
    _known_version(version, "--cilium-version")
    names = {"flavor": "flavor", "cilium_version": "ciliumVersion", "easykubenix": "easykubenix"}
    chosen = {names[k]: v for k, v in given.items() if k in quick and v is not None}
    return QuickSpec(**chosen, given=frozenset(chosen))


def build_spec(config_path: Path | None = None, flavor: str | None = None,
               cilium_version: str | None = None, easykubenix: str | None = None,
               gateway_api_version: str | None = None, rev: str | None = None,
               nar_hash: str | None = None, sets: tuple[str, ...] = ()) -> Spec:
    """The Spec from the config file, then the command line over it; bad input raises
    UserError."""
    from nixgen import overrides

    data: dict[str, Any] = load_config(config_path) if config_path else {}
    flags = {"flavor": flavor, "ciliumVersion": cilium_version, "easykubenix": easykubenix,
             "gatewayApiVersion": gateway_api_version}  # fmt: skip
    data.update({k: v for k, v in flags.items() if v is not None})
    if rev is not None or nar_hash is not None:
        data["source"] = {k: v for k, v in (("rev", rev), ("narHash", nar_hash)) if v is not None}
    where = "--cilium-version" if cilium_version is not None else "ciliumVersion"
    _known_version(data.get("ciliumVersion", DEFAULT_VERSION), where)
    given = data.get("values", {})
    if not isinstance(given, dict):
        raise UserError("values: must be a table of Helm values")
    for item in sets:
        try:
            path, value = overrides.parse_set(item)
        except overrides.SetError as err:
            raise UserError(str(err)) from None
        given = overrides.deep_merge(given, overrides.nest(path, value))
    if given:
        data["values"] = given
    return validate_spec(data)


def validate_spec(data: dict[str, Any], where: str = "") -> Spec:
    from pydantic import ValidationError

    from nixgen.spec import Spec

    try:
        return Spec.model_validate(data)
    except ValidationError as err:
        message = _first_error(err)
        raise UserError(f"{where}: {message}" if where else message) from None


def read_header_spec(file: Path) -> dict[str, Any]:
    """The spec a generated file carries in its header comment."""
    import json

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{file}: cannot read it: {getattr(err, 'strerror', None) or err}") from None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(SPEC_MARK):
            try:
                data = json.loads(line[len(SPEC_MARK):])
            except ValueError as err:
                raise UserError(f"{file}: the nixgen-spec header is not JSON: {err}") from None
            if not isinstance(data, dict):
                raise UserError(f"{file}: the nixgen-spec header is not an object")
            return data
    raise UserError(f"{file}: no `{SPEC_MARK.strip()}` line in its header: not made by nixgen")


def _emit_or_fail(function: Any, *args: Any) -> Any:
    from nixgen.emit import NixError

    try:
        return function(*args)
    except NixError as err:
        raise UserError(f"values.{err}" if err.path else str(err)) from None


def checked_plan(spec: Spec) -> Plan:
    """The plan, after the cross-field rules: errors stop, warnings go to stderr."""
    from nixgen import plan, rules

    try:
        built = plan.build(spec)
        warnings = rules.check(built)
    except (plan.PlanError, rules.RuleError) as err:
        raise UserError(str(err)) from None
    for warning in warnings:
        click.echo(f"nixgen: warning: {warning}", err=True)
    return built


def module_text(spec: Spec, fmt: str, output: Path | None) -> str:
    from nixgen import render

    text = _emit_or_fail(render.render, checked_plan(spec))
    return _formatted(text, fmt, output.name if output else "cilium.nix")


def node_text(spec: Spec, profile: str, fmt: str, output: Path | None) -> str:
    from nixgen import node

    try:
        text = _emit_or_fail(node.render_node, checked_plan(spec), profile)
    except node.NodeError as err:
        raise UserError(str(err)) from None
    return _formatted(text, fmt, output.name if output else node.FILENAME)


def _formatted(text: str, fmt: str, filename: str) -> str:
    from nixgen import nixfmt

    try:
        return nixfmt.format_source(text, fmt, filename)
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


def _write(path: Path, text: str) -> None:
    from nixgen.output import write_atomic

    try:
        write_atomic(path, text)
    except OSError as err:
        raise UserError(f"{path}: cannot write it: {err.strerror or err}") from None


def _check(path: Path, wanted: str) -> None:
    from nixgen.output import diff

    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        click.echo(f"nixgen: {path} does not exist; generate it without --check", err=True)
        sys.exit(1)
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read it: {err}") from None
    if current == wanted:
        return
    sys.stdout.write(diff(path, current, wanted))
    click.echo(f"nixgen: {path} is stale: regenerate it (nixgen regen {path})", err=True)
    sys.exit(1)


def main() -> None:
    cli()
