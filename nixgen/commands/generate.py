"""The commands that write a file: the modules (`module`, `node`, `crds`), `regen` (a module
again from its own header, with the upgrade notes and `--migrate`), `lock` (a Cilium tree's
pin) and `import` (a Helm values file as a config)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from nixgen.commands.common import (
    as_path,
    build_spec,
    check_option,
    deliver,
    format_option,
    module_text,
    node_text,
    spec_options,
    stdout,
    warn,
    write,
)
from nixgen.errors import NixgenError
from nixgen.input.choices import DEFAULT_VERSION, EASYKUBENIX, FLAVORS, PROFILES

if TYPE_CHECKING:
    from pathlib import Path

    from nixgen.input.spec import Spec


@click.command()
@spec_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def module(output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) the cilium.nix module."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    deliver(module_text(build_spec(output=output, **given), fmt, output), output, check)


@click.command()
@spec_options
@click.option("--profile", type=click.Choice(PROFILES), default="production", show_default=True,
              help="Which profile's values the nodes follow.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def node(profile: str, output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) cilium-node.nix, the NixOS module for the k3s nodes."""
    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    deliver(node_text(build_spec(output=output, **given), profile, fmt, output), output, check)


@click.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), callback=as_path,
              help="Config file: its flavor, ciliumVersion and easykubenix.")
@click.option("--flavor", type=click.Choice(FLAVORS), default=None,
              help="Framework the module is for [default: hetzkube].")
@click.option("--cilium-version", metavar="X.Y.Z", default=None,
              help=f"Cilium release whose CRDs to type [default: {DEFAULT_VERSION}].")
@click.option("--easykubenix", type=click.Choice(EASYKUBENIX), default=None,
              help="hetzkube flavour: the easykubenix generation (hetzkube-pin checks "
                   "kubernetes.resources, the newer ones kubernetes.objects).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=as_path,
              help="Write to this file (atomically) instead of stdout.")
@check_option
@format_option
def crds(output: Path | None, check: bool, fmt: str, **given: Any) -> None:
    """Print (or write) a module that types the objects of every Cilium kind the release
    serves: nixidy's typed resources, or a check of easykubenix's kubernetes.resources."""
    from nixgen import pipeline

    if check and output is None:
        raise click.UsageError("--check needs -o FILE: the file to compare with")
    text = pipeline.crds(build_spec(**given), fmt, output.name if output else "cilium-crds.nix")
    deliver(text, output, check)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False), callback=as_path)
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
    text = (module_text(spec, fmt, file) if profile is None
            else node_text(spec, profile, fmt, file))  # fmt: skip
    deliver(text, file, check)


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


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False), callback=as_path)
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
    stdout(f"--rev {rev} --nar-hash {nar_hash}\n")
    if file is not None:
        data["ciliumVersion"] = version
        data["source"] = {"rev": rev, "narHash": nar_hash}
        text = module_text(spec.validate(data, where=f"{file}: header spec", base=file.parent),
                            fmt, file)  # fmt: skip
        write(file, text)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False), callback=as_path)
@click.option("-o", "--output", type=click.Path(dir_okay=False), callback=as_path,
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
    warn(list(imported.warnings))
    deliver(text, output, False)
