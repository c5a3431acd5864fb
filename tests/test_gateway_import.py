"""`nixgen catalog import-gateway-api`: the Gateway API CRDs' schemas, per gateway-api release,
read into nixgen's store by the project's own importer, with the CRDs' LICENSE beside them."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from clirun import one_line_error, process

from nixgen.facts import locations

GROUP = "gateway.networking.k8s.io"

ROOT = Path(__file__).resolve().parent.parent


def _crd_yaml(kind: str, group: str = GROUP, extra: str = "") -> str:
    return (f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n"
            f"  group: {group}\n  names:\n    kind: {kind}\n    plural: {kind.lower()}s\n"
            "  scope: Namespaced\n  versions:\n"
            f"  - name: v1\n    served: true\n    storage: true\n    schema:\n"
            f"      openAPIV3Schema:\n        type: object\n        properties:\n"
            f"          spec:\n            type: object\n            properties:\n"
            f"              size:\n                type: integer\n{extra}")  # fmt: skip


def test_the_importer_writes_a_store_and_the_license_beside_it(tmp_path: Path) -> None:
    crds = tmp_path / "crds" / "9.9.9"
    crds.mkdir(parents=True)
    (crds / "a.yaml").write_text(_crd_yaml("Gateway") + "---\n" + _crd_yaml("HTTPRoute"))
    (crds / "policy.yaml").write_text("apiVersion: admissionregistration.k8s.io/v1\n"
                                      "kind: ValidatingAdmissionPolicy\n")  # skipped
    (tmp_path / "crds" / "LICENSE").write_text("Apache License 2.0 (test)\n")
    store = tmp_path / "store" / "gateway-api.schemas.json"
    store.parent.mkdir()
    done = process("catalog", "import-gateway-api", str(crds), "9.9.9", "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"{store}: gateway-api 9.9.9, 2 CRDs"
    assert (store.parent / "gateway-api.LICENSE").read_text() == "Apache License 2.0 (test)\n"
    data = json.loads(store.read_text())
    assert sorted(data["kinds"]["9.9.9"]) == ["Gateway", "HTTPRoute"]
    # the two kinds' identical schemas are one set of nodes
    assert data["index"]["9.9.9"]["Gateway"] == data["index"]["9.9.9"]["HTTPRoute"]


@pytest.mark.parametrize(("files", "license_file", "wanted"), [
    ({"a.yaml": _crd_yaml("Gateway")}, False, "no LICENSE beside the CRDs"),
    ({"a.yaml": "kind: ConfigMap\n"}, True, "no CustomResourceDefinition in its *.yaml files"),
    ({"a.yaml": "a: [\n"}, True, "a.yaml: not YAML"),
    ({"a.yaml": _crd_yaml("Thing", group="example.com")}, True,
     "Thing is in group example.com, not gateway.networking.k8s.io"),
    ({"a.yaml": _crd_yaml("Gateway"), "b.yaml": _crd_yaml("Gateway")}, True,
     "the CRD of Gateway is given twice"),
    ({"a.yaml": "kind: CustomResourceDefinition\nspec: 3\n"}, True, "spec is not a table"),
    ({"a.yaml": "kind: CustomResourceDefinition\nspec:\n  names: [1]\n"}, True,
     "spec.names is not a table"),
    ({"a.yaml": "kind: CustomResourceDefinition\nspec:\n  group: g\n  scope: Namespaced\n"
                "  names: {kind: K, plural: ks}\n  versions: [1]\n"}, True, "not a list of tables"),
    ({"a.yaml": b"\xff\xfe"}, True, "a.yaml"),
])  # fmt: skip
def test_the_importer_refuses_junk_in_one_line_and_writes_nothing(
    files: dict[str, Any], license_file: bool, wanted: str, tmp_path: Path
) -> None:
    crds = tmp_path / "crds"
    crds.mkdir()
    for name, text in files.items():
        (crds / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    if license_file:
        (crds / "LICENSE").write_text("license\n")
    store = tmp_path / "out" / "gateway-api.schemas.json"
    store.parent.mkdir()
    done = process("catalog", "import-gateway-api", str(crds), "1.2.0", "--store", str(store))
    one_line_error(done, wanted)
    assert list(store.parent.iterdir()) == []


def test_the_importer_refuses_a_version_that_is_not_x_y_z(tmp_path: Path) -> None:
    done = process("catalog", "import-gateway-api", str(tmp_path), "1.2", "--store",
                   str(tmp_path / "s.json"))  # fmt: skip
    one_line_error(done, "VERSION: '1.2' is not a version of the form X.Y.Z")


# The upstream gateway-api standard-channel CRDs (Apache-2.0, LICENSE inside) of every release
# nixgen ships schemas of, as kubernetes-sigs/gateway-api tags them: the store's source.
UPSTREAM = ROOT / "tests" / "fixtures" / "gateway-api-crds.tgz"


def _upstream(into: Path) -> Path:
    """The upstream CRDs, unpacked into `into`."""
    with tarfile.open(UPSTREAM) as tar:
        tar.extractall(into, filter="data")
    return into / "gateway-api-crds"


@pytest.mark.slow
def test_the_shipped_store_is_what_the_importer_makes_of_the_upstream_crds(tmp_path: Path) -> None:
    upstream = _upstream(tmp_path / "upstream")
    store = tmp_path / "gateway-api.schemas.json"
    shipped = Path(locations.DATA_DIR)
    for release in json.loads((shipped / "gateway-api.schemas.json").read_text())["index"]:
        done = process("catalog", "import-gateway-api", str(upstream / release), release,
                       "--store", str(store))  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert store.read_bytes() == (shipped / "gateway-api.schemas.json").read_bytes()
    assert (tmp_path / "gateway-api.LICENSE").read_bytes() == \
        (shipped / "gateway-api.LICENSE").read_bytes()


