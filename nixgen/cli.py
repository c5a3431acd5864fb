"""The `nixgen` command line: flags in, text out. The work is done by the pipeline
(nixgen.pipeline); only click is imported at start-up, so `--help` and `versions` stay cheap.
Every NixgenError becomes one line on stderr and exit status 2, with nothing written; so does
any other exception (a bug in nixgen), as an internal error saying where to report it."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from nixgen.errors import NixgenError
from nixgen.input.choices import (
    DEFAULT_VERSION,
    DEFAULTS_MODES,
    EASYKUBENIX,
    FLAVORS,
    FORMAT_MODES,
    PROFILES,
)
from nixgen.version import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from nixgen.input.spec import Spec


def _as_path(ctx: Any, param: Any, value: str | None) -> Path | None:
    """Paths as pathlib.Path, imported only when a path is given (pathlib costs ~4 ms)."""
    if value is None:
        return None
    from pathlib import Path

    return Path(value)


class Group(click.Group):
    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        extra.pop("standalone_mode", None)
        try:
            code = super().main(args, prog_name or "nixgen", standalone_mode=False, **extra)
            _stdout("")  # what is still buffered: a stdout that fails is an error here too
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
    _drop_stdout()
    return _fail(f"internal error ({what}): a bug in nixgen; {REPORT}")


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


def _spec(**given: Any) -> Spec:
    from nixgen.input import config

    return config.from_command_line(**given)


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
    _deliver(_module_text(_spec(output=output, **given), fmt, output), output, check)


@cli.command()
@spec_options
@click.option("--profile", type=click.Choice(PROFILES), default="production", show_default=True,
              help="Which profile's values the nodes follow.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=_as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def node(profile: str, output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) cilium-node.nix, the NixOS module for the k3s nodes."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    _deliver(_node_text(_spec(output=output, **given), profile, fmt, output), output, check)


@cli.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), callback=_as_path,
              help="Config file: its flavor, ciliumVersion and easykubenix.")
@click.option("--flavor", type=click.Choice(FLAVORS), default=None,
              help="Framework the module is for [default: hetzkube].")
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help=f"Cilium release whose CRDs to type [default: {DEFAULT_VERSION}].")
@click.option("--easykubenix", type=click.Choice(EASYKUBENIX), default=None,
              help="hetzkube flavour: the easykubenix generation (hetzkube-pin checks "
                   "kubernetes.resources, the newer ones kubernetes.objects).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=_as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def crds(output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) a module that types the objects of every Cilium kind the release
    serves: nixidy's typed resources, or a check of easykubenix's kubernetes.resources."""
    from nixgen import pipeline

    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    text = pipeline.crds(_spec(**given), fmt, output.name if output else "cilium-crds.nix")
    _deliver(text, output, check)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False), callback=_as_path)
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help="Bump the file to this Cilium release.")
@click.option("--migrate", is_flag=True,
              help="With --cilium-version: rewrite the spec's keys the new release renamed, and "
                   "object apiVersions it no longer serves, to their replacements (each said on "
                   "stderr); the file is written only if the result passes every check.")
@check_option
@format_option
def regen(file: Path, cilium_version: str | None, migrate: bool, check: bool, fmt: str) -> None:
    """Regenerate FILE (a cilium.nix or a cilium-node.nix) from the spec in its own header,
    optionally at another Cilium version (printing the upgrade notes on stderr first)."""
    from nixgen.input import config

    if migrate and cilium_version is None:
        raise click.UsageError("--migrate needs --cilium-version: it rewrites what the new "
                               "release renamed")  # fmt: skip
    rewrite = None
    if cilium_version is not None:
        config.known_version(cilium_version, "--cilium-version")
        old = config.from_header(file)[0]
        _regen_notes(old, cilium_version, file)
        if migrate:
            rewrite = _migration(old.ciliumVersion, cilium_version)
    spec, profile = config.from_header(file, cilium_version, rewrite)
    text = (_module_text(spec, fmt, file) if profile is None
            else _node_text(spec, profile, fmt, file))  # fmt: skip
    _deliver(text, file, check)


@cli.command()
@spec_options
@click.option("--profile", type=click.Choice(PROFILES), required=True,
              help="Which profile's values to print.")
@click.option("--objects", is_flag=True,
              help="Print the Kubernetes objects the module adds (policies, pools, BGP, L2, "
                   "[[objects]] and patches) instead.")
@click.option("--output", "output_format", type=click.Choice(["nix", "json"]), default="nix",
              show_default=True, help="Print as a Nix expression or as JSON.")
@click.option("--sources", is_flag=True,
              help="Say where each final value comes from: one line per value (path = value, "
                   "then its source), or with --output json {\"values\": ..., \"sources\": ...}, "
                   "the sources a tree of the same shape.")
@format_option
def values(profile: str, objects: bool, output_format: str, sources: bool, fmt: str,
           **given: Any) -> None:  # fmt: skip
    """Print the resolved Helm values (or objects) a profile gets.

    A value that stays a Nix expression (such as production's k8sServiceHost) is printed as
    that expression in Nix, and as {"$nix": "..."} in JSON; one left to the module's user, as
    the option that takes it (cfg.settings.k8sServiceHost)."""
    import json

    from nixgen import pipeline, tree
    from nixgen.nix import emit, nixfmt
    from nixgen.nixatoms import InNix, Raw

    if sources and objects:
        raise click.UsageError("--sources speaks of the Helm values, not of --objects")
    built, warnings = pipeline.checked_plan(_spec(**given))
    _notes(built.notes)
    _warn(warnings)
    data = built.objects_for(profile) if objects else built.values_for(profile)
    # A value the module leaves to the user's Nix is shown by the option that takes it.
    data = tree.rebuild(data, lambda v: Raw(v.expr) if isinstance(v, InNix) else tree.DESCEND)
    if sources:
        _stdout(_sources_text(built, profile, output_format))
    elif output_format == "json":
        _stdout(json.dumps(_jsonable(data), indent=2, ensure_ascii=False) + "\n")
    else:
        _stdout(nixfmt.format_source(emit.document(data), fmt, "values.nix"))


def _sources_text(built: Any, profile: str, output_format: str) -> str:
    """`values --sources`: each final leaf with its source."""
    import json

    from nixgen import tree
    from nixgen.checks.provenance import show
    from nixgen.facts.valuepath import dotted

    values = built.values_for(profile)
    leaves = sorted(((p, v) for p, v in tree.leaves(values, nix=False) if p), key=lambda l: l[0])
    if output_format == "json":
        where: dict[str, Any] = {}
        for path, _ in leaves:
            tree.put(where, path, str(built.source(profile, path)))
        return json.dumps({"values": _jsonable(values), "sources": where}, indent=2,
                          ensure_ascii=False) + "\n"  # fmt: skip
    return "".join(f"{dotted(p)} = {show(v)}  # {built.source(profile, p)}\n" for p, v in leaves)


@cli.command("upgrade-notes")
@click.option("--from", "from_version", metavar="X.Y.Z", default=None,
              help="The release upgraded from [default: the config's ciliumVersion].")
@click.option("--to", "to_version", metavar="X.Y.Z", default=None,
              help="The release upgraded to.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), callback=_as_path,
              help="Config file (TOML, or JSON by its .json suffix) [default: the defaults].")
@click.option("--flavor", type=click.Choice(FLAVORS), default=None,
              help="Framework the module is for [default: hetzkube].")
@click.option("--easykubenix", type=click.Choice(EASYKUBENIX), default=None,
              help="hetzkube flavour: the easykubenix generation to target.")
@click.option("--gateway-api-version", metavar="X.Y.Z", default=None,
              help="gateway-api release the config pins.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE",
              help="Free-form Helm value, as for `nixgen module` (repeatable).")
@click.option("--unchecked", "unchecked", multiple=True, metavar="PATH",
              help="As for `nixgen module` (repeatable).")
@click.option("--output", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Text for people, JSON for CI (see --schema).")
@click.option("--schema", "print_schema", is_flag=True,
              help="Print the JSON Schema of --output json, and nothing else.")
@click.option("--render", is_flag=True,
              help="Also compare the charts' objects: helm template of both releases' charts "
                   "with the config's final values of each profile (needs helm).")
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False), callback=_as_path,
              default=".", show_default=True,
              help="--render: the folder with cilium-X.Y.Z.tgz of both releases.")
@click.option("--helm", "helm_binary", default="helm", show_default=True, metavar="BINARY",
              help="--render: the helm binary (3 or 4).")
def upgrade_notes(from_version: str | None, to_version: str | None, config_path: Path | None,
                  output_format: str, print_schema: bool, render: bool, charts_dir: Path,
                  helm_binary: str, **given: Any) -> None:
    """Print what changes for a config between two Cilium releases, step by step: removed and
    renamed values it sets, chart defaults that change under it, rules that start or stop
    applying, its objects' apiVersions, CRDs, the gateway-api release, skipped minors."""
    from nixgen import notes as notes_

    if print_schema:
        _stdout(notes_.schema_text())
        return
    from nixgen import pipeline
    from nixgen.checks import upgrade
    from nixgen.input import config

    if to_version is None:
        raise click.UsageError("--to X.Y.Z is required: the release to upgrade to")
    if from_version is None and config_path is not None:
        from_version = config.load_config(config_path).get("ciliumVersion")
    if not isinstance(from_version, str):
        raise click.UsageError("--from X.Y.Z is required (the config sets no ciliumVersion)")
    upgrade.check_pair(from_version, to_version)
    spec = _spec(config_path=config_path, cilium_version=from_version, **given)
    result = upgrade.notes(spec, from_version, to_version, pipeline.planned)
    if render:
        from nixgen.checks import helmdiff

        diff = helmdiff.compare(spec, from_version, to_version, charts_dir, helm_binary,
                               pipeline.planned)
        result = result.model_copy(update={"render": diff})
    if output_format == "json":
        _stdout(notes_.as_json(result))
    else:
        _stdout(notes_.text(result, str(config_path) if config_path else None))


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False), callback=_as_path)
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=_as_path,
              help="Write the config to this file (atomically) instead of stdout; JSON when its "
                   "name ends in .json (which a null needs: TOML has none).")
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help="The release the values are for [default: the one a HelmRelease or "
                   f"Application pins, else {DEFAULT_VERSION}].")
def import_command(file: Path, output: Path | None, cilium_version: str | None) -> None:
    """Turn a Helm values FILE (or a Flux HelmRelease, an Argo CD Application) into a nixgen
    config: the keys nixgen models in [settings], the rest in [values], defaults = "chart", so
    that `nixgen module --config` deploys what the file did. Keys Helm would ignore are left
    out and said on stderr."""
    from nixgen import valuesimport

    imported = valuesimport.import_file(file, str(file), cilium_version)
    as_json = output is not None and output.suffix == ".json"
    text = valuesimport.json_text(imported) if as_json else valuesimport.toml_text(imported)
    _warn(list(imported.warnings))
    _deliver(text, output, False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the config file."""
    import json

    from nixgen.input.models import json_schema

    _stdout(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")


@cli.command()
@click.argument("path")
@click.option("--cilium-version", metavar="X.Y.Z", default=DEFAULT_VERSION, show_default=True,
              help="The release whose chart to ask.")
def explain(path: str, cilium_version: str) -> None:
    """Print what the Cilium chart says of a Helm value PATH (dotted, e.g.
    hubble.relay.enabled): its description, type and default, and whether nixgen models it as
    a typed setting."""
    from nixgen import explain as explain_
    from nixgen.input import config

    # The catalog, as every command reads it: a missing or broken NIXGEN_CATALOG is an error
    # here too, and the version must be one of its releases.
    config.known_version(cilium_version, "--cilium-version")
    _stdout(explain_.explain(path, cilium_version))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def versions(as_json: bool) -> None:
    """Print the Cilium releases nixgen has facts for."""
    from nixgen.facts import catalog

    rows = catalog.summary(catalog.load())
    if as_json:
        import json

        _stdout(json.dumps(rows, indent=2) + "\n")
        return
    header = ("version", "gateway-api", "CRDs", "changes from the previous minor")
    table = [header] + [(r["version"], r["gatewayApi"], str(r["crds"]), "; ".join(r["changes"]))
                        for r in rows]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    _stdout("".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3] + "\n"
                    for row in table))


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False), callback=_as_path)
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help="The release to lock [default: FILE's, else the default version].")
@format_option
def lock(file: Path | None, cilium_version: str | None, fmt: str) -> None:
    """Compute rev and narHash for a Cilium release (needs Nix and the network); with FILE,
    pin FILE's tree to them."""
    from nixgen.facts import prefetch
    from nixgen.input import config, spec

    data = config.header_spec(file) if file is not None else {}
    if data.get("output") is not None:
        raise NixgenError(f"{file}: a node module pins no Cilium tree; lock the cluster module")
    version = cilium_version or data.get("ciliumVersion") or DEFAULT_VERSION
    config.known_version(version, "--cilium-version" if cilium_version else "ciliumVersion")
    rev, nar_hash = prefetch.lock(version)
    _stdout(f"--rev {rev} --nar-hash {nar_hash}\n")
    if file is not None:
        data["ciliumVersion"] = version
        data["source"] = {"rev": rev, "narHash": nar_hash}
        text = _module_text(spec.validate(data, where=f"{file}: header spec", base=file.parent),
                            fmt, file)  # fmt: skip
        _write(file, text)


@cli.group("catalog")
def catalog_group() -> None:
    """The facts nixgen keeps per Cilium release."""


@catalog_group.command("import")
@click.argument("tree", type=click.Path(file_okay=False, exists=True), callback=_as_path)
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False), callback=_as_path,
              default=None, help="Catalog file to update [default: the one nixgen reads].")
@click.option("--gateway-api-version", metavar="X.Y.Z", default=None,
              help="The gateway-api release for this minor, when the catalog has none yet.")
@click.option("--chart", "chart_path", type=click.Path(exists=True), callback=_as_path,
              default=None, help="The release's Helm chart, a folder or the released .tgz "
                                 "[default: TREE's install/kubernetes/cilium].")
def catalog_import(tree: Path, catalog_file: Path | None, gateway_api_version: str | None,
                   chart_path: Path | None) -> None:
    """Add or refresh one release's facts from a Cilium source TREE: its CRDs into the
    catalog, its chart's values into the chart store beside the catalog."""
    from pathlib import Path

    from nixgen.facts import importer, locations

    target = catalog_file or Path(locations.catalog_path())
    try:
        version, count, chart_file = importer.import_tree(tree, target, gateway_api_version,
                                                         chart_path)  # fmt: skip
    except OSError as err:
        raise NixgenError(f"{err.filename or target}: {err.strerror or err}") from None
    _stdout(f"{target}: Cilium {version}, {count} CRDs\n"
            f"{chart_file}: chart facts of Cilium {version}\n")


@catalog_group.command("import-gateway-api")
@click.argument("folder", type=click.Path(file_okay=False, exists=True), callback=_as_path)
@click.argument("version", metavar="VERSION")
@click.option("--store", "store_file", type=click.Path(dir_okay=False), callback=_as_path,
              default=None, help="Schema store to update [default: gateway-api.schemas.json "
                                 "beside the catalog nixgen reads].")
@click.option("--license", "license_file", type=click.Path(dir_okay=False, exists=True),
              callback=_as_path, default=None,
              help="The CRDs' LICENSE [default: FOLDER's, else the folder above it].")
def catalog_import_gateway_api(folder: Path, version: str, store_file: Path | None,
                               license_file: Path | None) -> None:
    """Add or refresh the schemas of gateway-api release VERSION from FOLDER, its CRD YAMLs
    (the standard channel), for checking the Gateway API objects of a config; the CRDs'
    LICENSE is copied beside the store."""
    from pathlib import Path

    from nixgen.facts import gatewayapi, locations

    target = store_file or Path(gatewayapi.store_path(locations.catalog_path()))
    try:
        count, notice = gatewayapi.import_folder(folder, version, target, license_file)
    except OSError as err:
        raise NixgenError(f"{err.filename or target}: {err.strerror or err}") from None
    except RecursionError:
        raise NixgenError(f"{folder}: a CRD schema nested too deeply to read") from None
    _stdout(f"{target}: gateway-api {version}, {count} CRDs\n{notice}: their license\n")


def _regen_notes(spec: Spec, to_version: str, file: Path) -> None:
    """The upgrade notes from the file's release to `to_version`, on stderr."""
    from nixgen import notes, pipeline
    from nixgen.checks import upgrade
    from nixgen.facts.versions import numbers

    old = spec.ciliumVersion
    if numbers(old) >= numbers(to_version):
        if old != to_version:
            click.echo(f"nixgen: note: {old} → {to_version} is a downgrade: no upgrade notes",
                       err=True)  # fmt: skip
        return
    try:
        upgrade.check_pair(old, to_version, (f"{file}'s release", "--cilium-version"))
    except NixgenError as err:
        click.echo(f"nixgen: warning: no upgrade notes: {err}", err=True)
        return
    sys.stderr.write(notes.text(upgrade.notes(spec, old, to_version, pipeline.planned),
                                str(file)))
    sys.stderr.flush()


def _migration(from_version: str, to_version: str) -> Any:
    """regen --migrate's rewrite of the header spec, saying each change on stderr."""
    from nixgen.input import migrate

    def rewrite(data: dict[str, Any]) -> dict[str, Any]:
        new, lines = migrate.migrate(data, from_version, to_version)
        for line in lines:
            click.echo(f"nixgen: migrated {line}", err=True)
        return new

    return rewrite


def _jsonable(data: Any) -> Any:
    """Resolved values as JSON: a Nix expression in the config's notation, {"$nix": ...}."""
    from nixgen.plan.model import notation

    return notation(data)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        kind = "note" if type(warning).__name__ == "Note" else "warning"
        click.echo(f"nixgen: {kind}: {warning}", err=True)


def _notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        click.echo(f"nixgen: note: {note}", err=True)


def _module_text(spec: Spec, fmt: str, output: Path | None) -> str:
    from nixgen import pipeline

    result = pipeline.module(spec, fmt, output.name if output else "cilium.nix")
    _notes(result.notes)
    _warn(result.warnings)
    return result.text


def _node_text(spec: Spec, profile: str, fmt: str, output: Path | None) -> str:
    from nixgen import pipeline
    from nixgen.nix.node import FILENAME

    result = pipeline.node(spec, profile, fmt, output.name if output else FILENAME)
    _notes(result.notes)
    _warn(result.warnings)
    return result.text


def _deliver(text: str, output: Path | None, check: bool) -> None:
    """`text` to stdout, to `output`, or (with `check`) compared with `output`."""
    if check:
        assert output is not None
        _check(output, text)
    elif output is not None:
        _write(output, text)
    else:
        _stdout(text)


def _stdout(text: str) -> None:
    """`text` on standard output, flushed: a stdout that cannot take it (a full disk, a closed
    pipe) is an error, exit 2, never a traceback or a silently cut output."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        _drop_stdout()
        raise NixgenError(f"cannot write to standard output: {err.strerror or err}") from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null once writing to it failed, so that the interpreter's own
    flush at exit does not fail a second time with a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (a test runner's capture): nothing flushes it at exit


def _write(path: Path, text: str) -> None:
    from nixgen.output import write_atomic

    try:
        write_atomic(path, text)
    except OSError as err:
        raise NixgenError(f"{path}: cannot write it: {err.strerror or err}") from None


def _check(path: Path, wanted: str) -> None:
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
    _stdout(diff(path, current, wanted))
    click.echo(f"nixgen: {path} is stale: regenerate it (nixgen regen {path})", err=True)
    sys.exit(1)


def main() -> None:
    cli()
