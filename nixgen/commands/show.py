"""The commands that print what nixgen knows or would deploy, and write no file: `values` (a
profile's resolved Helm values or objects, with their sources), `upgrade-notes`, `schema` (the
config's JSON Schema), `explain` (what the chart says of a value) and `versions`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from nixgen.commands.common import (
    as_path,
    build_spec,
    format_option,
    jsonable,
    say_notes,
    spec_options,
    stdout,
    warn,
)
from nixgen.input.choices import DEFAULT_VERSION, EASYKUBENIX, FLAVORS, PROFILES

if TYPE_CHECKING:
    from pathlib import Path


@click.command()
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
    built, warnings = pipeline.checked_plan(build_spec(**given))
    say_notes(built.notes)
    warn(warnings)
    data = built.objects_for(profile) if objects else built.values_for(profile)
    # A value the module leaves to the user's Nix is shown by the option that takes it.
    data = tree.rebuild(data, lambda v: Raw(v.expr) if isinstance(v, InNix) else tree.DESCEND)
    if sources:
        stdout(_sources_text(built, profile, output_format))
    elif output_format == "json":
        stdout(json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n")
    else:
        stdout(nixfmt.format_source(emit.document(data), fmt, "values.nix"))


def _sources_text(built: Any, profile: str, output_format: str) -> str:
    """`values --sources`: each final leaf with its source."""
    import json

    from nixgen import tree
    from nixgen.checks.provenance import show
    from nixgen.facts.valuepath import dotted
    from nixgen.plan import layers

    values = built.values_for(profile)
    leaves = sorted(((p, v) for p, v in tree.leaves(values, nix=False) if p), key=lambda l: l[0])
    if output_format == "json":
        where: dict[str, Any] = {}
        for path, _ in leaves:
            tree.put(where, path, str(layers.source(built, profile, path)))
        return json.dumps({"values": jsonable(values), "sources": where}, indent=2,
                          ensure_ascii=False) + "\n"  # fmt: skip
    return "".join(f"{dotted(p)} = {show(v)}  # {layers.source(built, profile, p)}\n" for p, v in leaves)


@click.command("upgrade-notes")
@click.option("--from", "from_version", metavar="X.Y.Z", default=None,
              help="The release upgraded from [default: the config's ciliumVersion].")
@click.option("--to", "to_version", metavar="X.Y.Z", default=None,
              help="The release upgraded to.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), callback=as_path,
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
@click.option("--charts", "charts_dir", type=click.Path(file_okay=False), callback=as_path,
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
        stdout(notes_.schema_text())
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
    spec = build_spec(config_path=config_path, cilium_version=from_version, **given)
    result = upgrade.notes(spec, from_version, to_version, pipeline.planned)
    if render:
        from nixgen.checks import helmdiff

        diff = helmdiff.compare(spec, from_version, to_version, charts_dir, helm_binary,
                               pipeline.planned)
        result = result.model_copy(update={"render": diff})
    if output_format == "json":
        stdout(notes_.as_json(result))
    else:
        stdout(notes_.text(result, str(config_path) if config_path else None))


@click.command()
def schema() -> None:
    """Print the JSON Schema of the config file."""
    import json

    from nixgen.input.models import json_schema

    stdout(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")


@click.command()
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
    stdout(explain_.explain(path, cilium_version))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def versions(as_json: bool) -> None:
    """Print the Cilium releases nixgen has facts for."""
    from nixgen.facts import catalog

    rows = catalog.summary(catalog.load())
    if as_json:
        import json

        stdout(json.dumps(rows, indent=2) + "\n")
        return
    header = ("version", "gateway-api", "CRDs", "changes from the previous minor")
    table = [header] + [(r["version"], r["gatewayApi"], str(r["crds"]), "; ".join(r["changes"]))
                        for r in rows]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    stdout("".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3] + "\n"
                    for row in table))
