"""`nixgen catalog`: reading a Cilium release (its CRDs and its chart's values) or a
gateway-api release (its CRDs' schemas) into the facts nixgen keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from nixgen.commands.common import as_path, stdout
from nixgen.errors import NixgenError

if TYPE_CHECKING:
    from pathlib import Path


@click.group("catalog")
def catalog_group() -> None:
    """The facts nixgen keeps per Cilium release."""


@catalog_group.command("import")
@click.argument("tree", type=click.Path(file_okay=False, exists=True), callback=as_path)
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False), callback=as_path,
              default=None, help="Catalog file to update [default: the one nixgen reads].")
@click.option("--gateway-api-version", metavar="X.Y.Z", default=None,
              help="The gateway-api release for this minor, when the catalog has none yet.")
@click.option("--chart", "chart_path", type=click.Path(exists=True), callback=as_path,
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
    stdout(f"{target}: Cilium {version}, {count} CRDs\n"
            f"{chart_file}: chart facts of Cilium {version}\n")


@catalog_group.command("import-gateway-api")
@click.argument("folder", type=click.Path(file_okay=False, exists=True), callback=as_path)
@click.argument("version", metavar="VERSION")
@click.option("--store", "store_file", type=click.Path(dir_okay=False), callback=as_path,
              default=None, help="Schema store to update [default: gateway-api.schemas.json "
                                 "beside the catalog nixgen reads].")
@click.option("--license", "license_file", type=click.Path(dir_okay=False, exists=True),
              callback=as_path, default=None,
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
    stdout(f"{target}: gateway-api {version}, {count} CRDs\n{notice}: their license\n")
