"""Catalog facts per version, version bumps, the header round trip, and locking."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from goldens import CASES, path_of
from nixharness import CLUSTER_HOST, NixEvalError, evaluate, strictly_equal

from nixgen.input.config import parse_header
from nixgen.cli import cli
from nixgen.facts import catalog, chart, crds, locations, versions
from nixgen.input import config
from nixgen.pipeline import planned


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("version", list(catalog.load().releases))
def test_module_follows_cilium_version_to_every_catalog_release(
    version: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """One generated module, evaluated at each known release: its mappings are that release's
    storage versions and scopes, its gateway-api release that minor's."""
    cat = catalog.load()
    release = cat.release_for(version)
    got = evaluate(path_of("hetzkube-production"), "hetzkube", False, fake_trees[version], lib_path,
                   {"version": version})  # fmt: skip
    assert got["apiMappings"] == {c.kind: c.api_version for c in release.crds}
    assert got["namespacedMappings"] == {c.kind: c.namespaced for c in release.crds}
    assert got["gatewayApi"]["version"] == cat.gateway_api[release.minor]
    pools = [o for o in got["objects"] if o["kind"] == "CiliumLoadBalancerIPPool"]
    want = "cilium.io/v2alpha1" if release.minor in ("1.16", "1.17") else "cilium.io/v2"
    assert pools and {o["apiVersion"] for o in pools} == {want}
    assert got["fetchArgs"]["ref"] == f"v{version}"


def shipped_crds(version: str) -> dict[str, dict[str, object]]:
    """The shipped catalog's CRD entries of `version`, read from the file itself."""
    data = json.loads(Path(locations.SHIPPED_CATALOG).read_text(encoding="utf-8"))
    return {c["kind"]: c for c in data["versions"][version]["crds"]}


def test_1_20_module_maps_every_kind_to_its_storage_version(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    crds = shipped_crds("1.20.0")
    got = evaluate(path_of("hetzkube-1.20.0"), "hetzkube", False, fake_trees["1.20.0"], lib_path,
                   {"version": "1.20.0"})  # fmt: skip
    assert got["apiMappings"] == {k: f"{c['group']}/{c['storageVersion']}" for k, c in crds.items()}
    assert got["namespacedMappings"] == {k: c["namespaced"] for k, c in crds.items()}
    assert got["apiMappings"]["CiliumDatapathPlugin"] == "cilium.io/v2alpha1"
    assert got["apiMappings"]["CiliumNodeConfig"] == "cilium.io/v2"
    assert got["apiMappings"]["CiliumPodIPPool"] == "cilium.io/v2alpha1"
    assert got["gatewayApi"]["version"] == "1.5.1"


def test_1_20_nixidy_objects_use_the_storage_versions(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    crds = shipped_crds("1.20.0")
    got = evaluate(path_of("nixidy-production-1.20.0"), "nixidy", False, fake_trees["1.20.0"],
                   lib_path, {"version": "1.20.0", "k8sServiceHost": "10.0.0.1"},
                   part="objects")  # fmt: skip
    cilium = [o for o in got if o["kind"] in crds]
    assert {o["kind"] for o in cilium} >= {"CiliumClusterwideNetworkPolicy", "CiliumNetworkPolicy",
                                           "CiliumLoadBalancerIPPool"}  # fmt: skip
    for obj in cilium:
        crd = crds[obj["kind"]]
        assert obj["apiVersion"] == f"{crd['group']}/{crd['storageVersion']}"


def test_a_kind_whose_scope_changes_between_releases_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads(Path(locations.catalog_path()).read_text(encoding="utf-8"))
    for crd in data["versions"]["1.20.0"]["crds"]:
        if crd["kind"] == "CiliumNodeConfig":
            crd["namespaced"] = False
    mine = tmp_path / "catalog.json"
    mine.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("NIXGEN_CATALOG", str(mine))
    out = tmp_path / "cilium.nix"
    for flavor in ("hetzkube", "nixidy"):
        code, _, err = run("module", "--flavor", flavor, "-o", str(out))
        assert code == 2 and not out.exists()
        assert err == (f"nixgen: error: {mine}: CiliumNodeConfig is namespaced in Cilium 1.16.19 "
                       "but cluster-scoped in 1.20.0; nixgen keeps one scope per kind across "
                       "releases\n")  # fmt: skip


def test_catalog_knows_what_the_seed_table_got_wrong() -> None:
    cat = catalog.load()
    api = {v: {c.kind: c.api_version for c in r.crds} for v, r in cat.releases.items()}
    assert api["1.16.19"]["CiliumLoadBalancerIPPool"] == "cilium.io/v2alpha1"
    assert api["1.17.18"]["CiliumLoadBalancerIPPool"] == "cilium.io/v2alpha1"
    assert api["1.18.4"]["CiliumLoadBalancerIPPool"] == "cilium.io/v2"
    assert api["1.18.4"]["CiliumL2AnnouncementPolicy"] == "cilium.io/v2alpha1"
    assert api["1.18.4"]["CiliumPodIPPool"] == "cilium.io/v2alpha1"
    assert cat.gateway_api["1.19"] == "1.4.1"
    assert "CiliumExternalWorkload" not in api["1.18.4"]
    assert "CiliumBGPPeeringPolicy" not in api["1.19.6"]
    assert cat.gateway_api["1.20"] == "1.5.1"
    assert api["1.20.0"]["CiliumDatapathPlugin"] == "cilium.io/v2alpha1"


def test_pinned_source_applies_only_to_the_pinned_version(
    fake_trees: dict[str, Path], lib_path: str
) -> None:
    module = path_of("hetzkube-pinned-1.18.4")
    got = evaluate(module, "hetzkube", False, fake_trees["1.19.6"], lib_path, {"version": "1.19.6"},
                   part="fetchArgs")  # fmt: skip
    assert got == {"type": "github", "owner": "cilium", "repo": "cilium", "ref": "v1.19.6"}


def test_source_option_takes_a_tree_of_ones_own(fake_trees: dict[str, Path], lib_path: str) -> None:
    tree = fake_trees["1.18.4"]
    got = evaluate(path_of("hetzkube-1.18.4"), "hetzkube", False, fake_trees["1.16.19"], lib_path,
                   {"src": str(tree)}, part="chart")  # fmt: skip
    assert got == f"{tree}/install/kubernetes/cilium"


def test_nixidy_chart_option_chooses_the_chart(fake_trees: dict[str, Path], lib_path: str,
                                               tmp_path: Path) -> None:
    """`cilium.chart` defaults to the `charts` argument's charts.cilium.cilium and takes a
    folder or a derivation instead; anything else is a type error."""
    module, tree = path_of("nixidy-1.18.4"), fake_trees["1.18.4"]

    def chart(settings: dict[str, object]) -> object:
        return evaluate(module, "nixidy", True, tree, lib_path, settings, part="chart")

    assert chart({}) == f"{tree.resolve()}/install/kubernetes/cilium"
    assert chart({"chart": str(tmp_path)}) == str(tmp_path)
    drv = {"type": "derivation", "name": "cilium-1.20.0", "outPath": "/nix/store/"
           "00000000000000000000000000000000-helm-chart-cilium-1.20.0"}  # fmt: skip
    assert chart({"chart": drv}) == drv["outPath"]
    with pytest.raises(NixEvalError, match="cilium.chart"):
        chart({"chart": "charts/cilium"})


@pytest.mark.parametrize("name", CASES)
def test_regen_of_a_generated_file_is_byte_identical(name: str, tmp_path: Path) -> None:
    copy = tmp_path / "cilium.nix"
    shutil.copy(path_of(name), copy)
    code, out, _err = run("regen", str(copy), "--format", "never")
    assert code == 0 and out == ""
    assert copy.read_bytes() == path_of(name).read_bytes()
    assert run("regen", str(copy), "--format", "never", "--check")[0] == 0


def test_regen_bump_changes_exactly_the_version(tmp_path: Path) -> None:
    copy = tmp_path / "cilium.nix"
    shutil.copy(path_of("hetzkube-production"), copy)
    code, _, _ = run("regen", str(copy), "--cilium-version", "1.19.6", "--format", "never")
    assert code == 0
    before = path_of("hetzkube-production").read_text(encoding="utf-8").splitlines()
    after = copy.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 2
    (spec_a, spec_b), (default_a, default_b) = changed
    assert spec_a.replace('"ciliumVersion": "1.18.4"', '"ciliumVersion": "1.19.6"') == spec_b
    assert default_a.strip() == 'default = "1.18.4";' and default_b.strip() == 'default = "1.19.6";'


@pytest.mark.parametrize(("old", "new"), [("hetzkube-1.18.4", "hetzkube-1.20.0"),
                                           ("nixidy-production", "nixidy-production-1.20.0")])
def test_regen_from_1_18_4_to_1_20_0_is_the_1_20_0_module(old: str, new: str,
                                                          tmp_path: Path) -> None:
    """Bumping a 1.18.4 file (the default config; production.toml's) gives exactly what
    generating for 1.20.0 gives: the 1.20.0 golden, which the golden tests evaluate in full."""
    copy = tmp_path / "cilium.nix"
    shutil.copy(path_of(old), copy)
    code, out, err = run("regen", str(copy), "--cilium-version", "1.20.0", "--format", "never")
    assert code == 0 and out == "", err
    assert copy.read_bytes() == path_of(new).read_bytes()


def test_regen_of_production_to_1_20_0_evaluates_to_its_plan(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """hetzkube production.toml bumped to 1.20.0, evaluated by Nix: the 1.20.0 mappings and
    gateway-api release, and the values and objects `nixgen values` gives for the file."""
    copy = tmp_path / "cilium.nix"
    shutil.copy(path_of("hetzkube-production"), copy)
    assert run("regen", str(copy), "--cilium-version", "1.20.0", "--format", "never")[0] == 0
    got = evaluate(copy, "hetzkube", False, fake_trees["1.20.0"], lib_path, {"version": "1.20.0"})
    crds = shipped_crds("1.20.0")
    assert got["apiMappings"] == {k: f"{c['group']}/{c['storageVersion']}" for k, c in crds.items()}
    assert got["namespacedMappings"] == {k: c["namespaced"] for k, c in crds.items()}
    assert got["gatewayApi"] == {"enable": True, "version": "1.5.1"}
    spec, _ = config.from_header(copy)
    built = planned(spec)
    env = {"config.clusterHost": CLUSTER_HOST}
    assert strictly_equal(got["values"], built.values_for("production", env))
    key = lambda o: (o["kind"], o["metadata"]["name"])
    assert sorted(got["objects"], key=key) == sorted(built.objects_for("production", env), key=key)


def test_regen_bump_drops_a_pin_of_the_old_version(tmp_path: Path) -> None:
    copy = tmp_path / "cilium.nix"
    shutil.copy(path_of("hetzkube-pinned-1.18.4"), copy)
    assert run("regen", str(copy), "--cilium-version", "1.18.12", "--format", "never")[0] == 0
    text = copy.read_text(encoding="utf-8")
    assert "rev =" not in text and '"source"' not in text


def test_regen_check_reports_a_stale_file(tmp_path: Path) -> None:
    copy = tmp_path / "cilium.nix"
    copy.write_text(path_of("nixidy-1.18.4").read_text(encoding="utf-8").replace(
        'namespace = "kube-system";', 'namespace = "kube-systen";', 1), encoding="utf-8")  # fmt: skip
    code, out, err = run("regen", str(copy), "--check", "--format", "never")
    assert code == 1 and "+          namespace = \"kube-system\";" in out and "stale" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [("{ }\n", "no `# nixgen-spec:` header"), ("# nixgen-spec: {nope\n{ }\n", "is not JSON"),
     ('# nixgen-spec: {"flavor":"helm"}\n', "header spec: flavor = \"helm\": Input should be"),
     ('# nixgen-spec: {"ciliumVersion":"1.2.3"}\n', "nixgen has no facts for Cilium 1.2")],
)  # fmt: skip
def test_regen_refuses_files_it_cannot_read(text: str, message: str, tmp_path: Path) -> None:
    copy = tmp_path / "cilium.nix"
    copy.write_text(text, encoding="utf-8")
    code, _, err = run("regen", str(copy))
    assert code == 2 and message in err
    assert copy.read_text(encoding="utf-8") == text


def test_versions_table_and_json() -> None:
    code, out, _ = run("versions")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["version", "gateway-api", "CRDs"]
    row = next(line for line in lines if line.startswith("1.18.4 "))
    assert row.split()[1:3] == ["1.2.0", "22"]
    assert "CiliumLoadBalancerIPPool v2alpha1→v2" in row and "+CiliumGatewayClassConfig" in row
    rows = json.loads(run("versions", "--json")[1])
    assert [r["version"] for r in rows] == ["1.16.19", "1.17.18", "1.18.4", "1.18.12", "1.19.6",
                                            "1.20.0"]  # fmt: skip
    assert rows[0]["changes"] == [] and "-CiliumBGPPeeringPolicy" in rows[-2]["changes"]
    assert rows[-1]["changes"] == ["+CiliumDatapathPlugin"]



def test_versions_lists_every_release_with_facts() -> None:
    rows = json.loads(run("versions", "--json")[1])
    listed = [r["version"] for r in rows]
    assert listed == sorted(catalog.load().releases, key=versions.parse)
    assert listed == chart.versions()  # every release has its chart facts too


@pytest.mark.parametrize(("patch", "known"), [("1.19.3", "1.19.6"), ("1.20.4", "1.20.0"),
                                              ("1.18.7", "1.18.4")])
@pytest.mark.parametrize("flavor", ["hetzkube", "nixidy"])
def test_a_patch_release_without_its_own_facts_uses_its_minors(patch: str, known: str,
                                                               flavor: str) -> None:
    """The module for a patch release the catalog does not list is the module of the release
    whose facts it takes, with only the version changed."""
    code, mine, err = run("module", "--flavor", flavor, "--cilium-version", patch,
                          "--format", "never")  # fmt: skip
    assert code == 0, err
    theirs = run("module", "--flavor", flavor, "--cilium-version", known, "--format", "never")[1]
    assert mine == theirs.replace(known, patch) and mine != theirs
    assert catalog.load().release_for(patch).version == known

# ---------------------------------------------------------------- catalog import

CRD_TEMPLATE = """
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.16.5
  name: {plural}.cilium.io
spec:
  group: cilium.io
  names:
    categories:
    - cilium
    kind: {kind}
    listKind: {kind}List
    plural: {plural}
    shortNames:
    - x{plural}
    singular: {plural}
  scope: {scope}
  versions:
{versions}
status:
  acceptedNames:
    kind: ""
    plural: ""
  conditions: []
  storedVersions: []
"""

VERSION_TEMPLATE = """  - additionalPrinterColumns:
    - jsonPath: .metadata.creationTimestamp
      name: Age
      type: date
    name: {name}
    schema:
      openAPIV3Schema:
        description: "A description over several lines that mentions
          kind: NotAKind and scope: Namespaced \\n storage: true"
        properties:
          apiVersion:
            type: string
          kind:
            type: string
          metadata:
            type: object
          spec:
            x-kubernetes-preserve-unknown-fields: true
            description: |-
              name: v9
              storage: true
            properties:
              group:
                type: string
              kind:
                description: plain text that wraps
                  onto a second line, kind; NotAKind
                type: string
            type: object
        type: object
    served: true
    storage: {storage}
    subresources:
      status: {{}}
"""


def crd_yaml(kind: str, plural: str, scope: str, stored: str, served: tuple[str, ...]) -> str:
    versions = "".join(VERSION_TEMPLATE.format(name=v, storage="true" if v == stored else "false")
                       for v in served)  # fmt: skip
    return CRD_TEMPLATE.format(kind=kind, plural=plural, scope=scope, versions=versions.rstrip("\n"))


CHART_VALUES = """# -- The cluster's name.
clusterName: default
operator:
  # -- Operator replicas.
  replicas: 2
nodeSelector:
  kubernetes.io/os: linux
"""


def tiny_chart(root: Path, version: str, values: str = CHART_VALUES) -> Path:
    """A Helm chart with a few values, one of them read only by a template."""
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(f"apiVersion: v2\nname: cilium\nversion: {version}\n"
                                     "dependencies:\n  - name: x\n    version: 9.9.9\n")  # fmt: skip
    (root / "values.yaml").write_text(values)
    (root / "templates" / "agent.yaml").write_text(
        "{{- if .Values.policyAuditMode }}x: {{ .Values.operator.replicas }}{{ end }}\n")
    return root


def chart_tgz(path: Path, version: str, values: str = CHART_VALUES) -> Path:
    """The chart as `helm package` releases it: cilium-X.Y.Z.tgz with the files under cilium/."""
    folder = tiny_chart(path.parent / f"chart-{version}" / "cilium", version, values)
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname="cilium")
    return path


def cilium_tree(root: Path, version: str) -> Path:
    tiny_chart(root / "install" / "kubernetes" / "cilium", version)
    crds = root / "pkg" / "k8s" / "apis" / "cilium.io" / "client" / "crds"
    (crds / "v2").mkdir(parents=True)
    (crds / "v2alpha1").mkdir()
    (crds / "v2" / "ciliumnetworkpolicies.yaml").write_text(crd_yaml(
        "CiliumNetworkPolicy", "ciliumnetworkpolicies", "Namespaced", "v2", ("v2",)))
    (crds / "v2" / "ciliumloadbalancerippools.yaml").write_text(crd_yaml(
        "CiliumLoadBalancerIPPool", "ciliumloadbalancerippools", "Cluster", "v2",
        ("v2alpha1", "v2")))
    (crds / "v2" / "ciliumclusterwidenetworkpolicies.yaml").write_text(crd_yaml(
        "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", "Cluster", "v2",
        ("v2",)))
    (crds / "v2alpha1" / "ciliumwidgets.yaml").write_text(crd_yaml(
        "CiliumWidget", "ciliumwidgets", "Cluster", "v2alpha1", ("v2alpha1",)))
    (crds / "v2" / "kustomization.yaml").write_text("resources:\n- ciliumnodes.yaml\n")
    (crds / "v2" / "embed.go").write_text("package crds\n")
    (crds / "v2" / "notes.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: x\n")
    return root


def test_crd_reader_takes_kind_group_scope_and_storage_version() -> None:
    text = crd_yaml("CiliumLoadBalancerIPPool", "ciliumloadbalancerippools", "Cluster", "v2",
                    ("v2alpha1", "v2"))  # fmt: skip
    assert crds.catalog_facts(crds.read_crd(text)) == {
        "kind": "CiliumLoadBalancerIPPool", "group": "cilium.io",
        "plural": "ciliumloadbalancerippools", "storageVersion": "v2",
        "servedVersions": ["v2", "v2alpha1"], "namespaced": False}  # fmt: skip
    assert crds.read_crd("kind: ConfigMap\n") is None
    with pytest.raises(crds.CrdError):
        crds.read_crd(crd_yaml("X", "xs", "Cluster", "none", ("v1",)))


def test_catalog_import_adds_a_release_that_modules_then_use(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "catalog.json"
    shutil.copy(locations.catalog_path(), mine)
    tree = cilium_tree(tmp_path / "cilium", "1.20.2")
    code, out, err = run("catalog", "import", str(tree), "--catalog", str(mine))
    assert code == 0, err
    assert out == (f"{mine}: Cilium 1.20.2, 4 CRDs\n"
                   f"{tmp_path / 'chart' / '1.20.2.json'}: chart facts of Cilium 1.20.2\n")
    data = json.loads(mine.read_text())
    assert data["gatewayApi"]["1.20"] == "1.5.1"
    assert data["versions"]["1.20.2"]["crds"] == [
        {"kind": "CiliumClusterwideNetworkPolicy", "group": "cilium.io",
         "plural": "ciliumclusterwidenetworkpolicies", "storageVersion": "v2",
         "servedVersions": ["v2"], "namespaced": False, "dir": "v2",
         "file": "ciliumclusterwidenetworkpolicies.yaml"},
        {"kind": "CiliumLoadBalancerIPPool", "group": "cilium.io", "plural": "ciliumloadbalancerippools",
         "storageVersion": "v2",
         "servedVersions": ["v2", "v2alpha1"], "namespaced": False, "dir": "v2",
         "file": "ciliumloadbalancerippools.yaml"},
        {"kind": "CiliumNetworkPolicy", "group": "cilium.io", "plural": "ciliumnetworkpolicies",
         "storageVersion": "v2",
         "servedVersions": ["v2"], "namespaced": True, "dir": "v2",
         "file": "ciliumnetworkpolicies.yaml"},
        {"kind": "CiliumWidget", "group": "cilium.io", "plural": "ciliumwidgets",
         "storageVersion": "v2alpha1",
         "servedVersions": ["v2alpha1"], "namespaced": False, "dir": "v2alpha1",
         "file": "ciliumwidgets.yaml"},
    ]  # fmt: skip
    store = json.loads((tmp_path / "catalog.schemas.json").read_text())
    assert store["index"]["1.20.2"]["CiliumLoadBalancerIPPool"].keys() == {"v2", "v2alpha1"}
    assert store["index"].keys() == {"1.20.2"}  # the other releases: from the shipped store
    monkeypatch.setenv("NIXGEN_CATALOG", str(mine))
    code, out, _ = run("module", "--cilium-version", "1.20.2", "--format", "never")
    assert code == 0
    assert '"1.20" = {\n      gatewayApi = "1.5.1";' in out
    assert "CiliumWidget = \"cilium.io/v2alpha1\";" in out
    monkeypatch.delenv("NIXGEN_CATALOG")
    code, out, _ = run("module", "--cilium-version", "1.20.2", "--format", "never")
    assert code == 0 and "CiliumWidget" not in out  # the shipped catalog is unchanged


def test_catalog_import_stores_the_chart_beside_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart's values go into the store beside the catalog, from --chart (a released .tgz)
    or else the tree's own chart; with NIXGEN_CATALOG set, nixgen reads that store first."""
    mine = tmp_path / "facts" / "catalog.json"
    mine.parent.mkdir()
    shutil.copy(locations.catalog_path(), mine)
    tree = cilium_tree(tmp_path / "cilium", "1.20.2")
    tgz = chart_tgz(tmp_path / "cilium-1.20.2.tgz", "1.20.2",
                    CHART_VALUES + "# -- Whether to run Hubble.\nhubble: {enabled: true}\n")
    code, out, err = run("catalog", "import", str(tree), "--catalog", str(mine), "--chart", str(tgz))
    assert code == 0, err
    stored = tmp_path / "facts" / "chart" / "1.20.2.json"
    assert out.splitlines()[1] == f"{stored}: chart facts of Cilium 1.20.2"
    assert sorted(p.name for p in stored.parent.iterdir()) == ["1.20.2.json", "docs.json"]
    monkeypatch.setenv("NIXGEN_CATALOG", str(mine))
    facts = chart.load("1.20.2")
    assert facts.info("hubble.enabled").default is True  # from the .tgz, not the tree
    assert facts.doc("operator.replicas") == "Operator replicas."
    assert facts.info("policyAuditMode").source == "template"
    assert chart.versions()[-2:] == ["1.20.0", "1.20.2"]
    assert chart.load("1.18.4").doc("cluster.name")  # shipped releases still come from nixgen
    monkeypatch.delenv("NIXGEN_CATALOG")
    assert "1.20.2" not in chart.versions()
    # Without --chart, the tree's own chart.
    assert run("catalog", "import", str(tree), "--catalog", str(mine))[0] == 0
    monkeypatch.setenv("NIXGEN_CATALOG", str(mine))
    assert chart.load("1.20.2").info("hubble.enabled") is None


def _missing(d: Path) -> Path:
    return d / "nothing.tgz"


def _not_a_tarball(d: Path) -> Path:
    (d / "c.tgz").write_text("not a tarball")
    return d / "c.tgz"


def _empty_folder(d: Path) -> Path:
    (d / "empty").mkdir()
    return d / "empty"


@pytest.mark.parametrize(
    ("make", "message"),
    [(_missing, "Path '{d}/nothing.tgz' does not exist"),
     (_not_a_tarball, "{d}/c.tgz: neither a chart folder nor a chart .tgz"),
     (_empty_folder, "{d}/empty: no Chart.yaml"),
     (lambda d: chart_tgz(d / "old.tgz", "1.20.1"),
      "{d}/old.tgz: the chart is Cilium 1.20.1, the tree 1.20.2"),
     (lambda d: chart_tgz(d / "bad.tgz", "1.20.2", "a: [\n"),
      "{d}/bad.tgz: not a Helm chart nixgen can read (while parsing")],
)  # fmt: skip
def test_catalog_import_refuses_a_bad_chart(make: Any, message: str, tmp_path: Path) -> None:
    mine = tmp_path / "catalog.json"
    shutil.copy(locations.catalog_path(), mine)
    tree = cilium_tree(tmp_path / "cilium", "1.20.2")
    bad = make(tmp_path)
    code, out, err = run("catalog", "import", str(tree), "--catalog", str(mine), "--chart", str(bad))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert message.format(d=tmp_path) in err
    assert mine.read_bytes() == Path(locations.catalog_path()).read_bytes()
    assert not (tmp_path / "chart").exists() and not (tmp_path / "catalog.schemas.json").exists()


def test_a_release_without_a_kind_the_spec_needs_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "catalog.json"
    shutil.copy(locations.catalog_path(), mine)
    tree = cilium_tree(tmp_path / "cilium", "1.20.2")
    (tree / "pkg/k8s/apis/cilium.io/client/crds/v2/ciliumclusterwidenetworkpolicies.yaml").unlink()
    assert run("catalog", "import", str(tree), "--catalog", str(mine))[0] == 0
    monkeypatch.setenv("NIXGEN_CATALOG", str(mine))
    code, out, err = run("module", "--cilium-version", "1.20.2")
    assert code == 2 and out == ""
    assert err == ("nixgen: error: Cilium 1.20.2 ships no CiliumClusterwideNetworkPolicy CRD, "
                   "which this spec needs\n")


def test_catalog_import_of_an_unknown_minor_needs_its_gateway_api_release(tmp_path: Path) -> None:
    mine = tmp_path / "catalog.json"
    shutil.copy(locations.catalog_path(), mine)
    tree = cilium_tree(tmp_path / "cilium", "1.21.0")
    code, _, err = run("catalog", "import", str(tree), "--catalog", str(mine))
    assert code == 2 and "no gateway-api release is known for Cilium 1.21" in err
    code, _, _ = run("catalog", "import", str(tree), "--catalog", str(mine),
                     "--gateway-api-version", "1.6.0")  # fmt: skip
    assert code == 0 and json.loads(mine.read_text())["gatewayApi"]["1.21"] == "1.6.0"


def test_catalog_import_of_a_tree_without_chart_fails(tmp_path: Path) -> None:
    code, _, err = run("catalog", "import", str(tmp_path))
    assert code == 2 and "Chart.yaml" in err


# ---------------------------------------------------------------- lock

FAKE_NIX = """#!/bin/sh
case "$*" in
  *"flake prefetch --json github:cilium/cilium/v1.18.4"*)
    echo '{"hash":"sha256-%s","locked":{"rev":"%s","type":"github"}}';;
  *) echo "error: unable to download 'https://github.com/...': Couldn't resolve host name" >&2
     exit 1;;
esac
"""
HASH = "B" * 43 + "="
REV = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def fake_nix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    exe = folder / "nix"
    exe.write_text(FAKE_NIX % (HASH, REV))
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_lock_prints_rev_and_hash(fake_nix: None) -> None:
    code, out, _ = run("lock", "--cilium-version", "1.18.4")
    assert code == 0 and out == f"--rev {REV} --nar-hash sha256-{HASH}\n"


def test_lock_pins_a_file(fake_nix: None, tmp_path: Path) -> None:
    copy = tmp_path / "cilium.nix"
    shutil.copy(path_of("hetzkube-1.18.4"), copy)
    assert run("lock", str(copy), "--format", "never")[0] == 0
    text = copy.read_text(encoding="utf-8")
    assert f'rev = "{REV}";' in text and f'narHash = "sha256-{HASH}";' in text
    assert parse_header(text)[0]["source"] == {"rev": REV, "narHash": f"sha256-{HASH}"}


def test_lock_without_network_fails_clearly(fake_nix: None) -> None:
    code, out, err = run("lock", "--cilium-version", "1.19.6")
    assert code == 2 and out == ""
    assert "nix flake prefetch github:cilium/cilium/v1.19.6 failed: error: unable to download" in err


def test_a_nix_that_hangs_is_killed_with_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nixgen lock` under a nix that never answers: exit 2 on time, and nothing it started is
    left running (its whole process group is killed)."""
    import time

    from nixgen.facts import prefetch

    folder = tmp_path / "bin"
    folder.mkdir()
    exe = folder / "nix"
    exe.write_text('#!/bin/sh\nsleep 30 &\necho $! > "$0.child"\nsleep 30\n')
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(prefetch, "TIMEOUT_SECONDS", 0.5)
    start = time.monotonic()
    code, out, err = run("lock")
    assert time.monotonic() - start < 10
    assert code == 2 and out == "" and "did not finish within 0.5 seconds" in err
    child = int((folder / "nix.child").read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = Path(f"/proc/{child}/status")
        if not status.exists() or "State:\tZ" in status.read_text():
            break
        time.sleep(0.05)
    else:
        pytest.fail("the process nix started was left running")


def test_lock_without_nix_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = run("lock")
    assert code == 2 and "needs the `nix` command" in err


def test_unknown_minor_in_nix_names_it(fake_trees: dict[str, Path], lib_path: str) -> None:
    with pytest.raises(NixEvalError) as err:
        evaluate(path_of("nixidy-1.18.4"), "nixidy", True, fake_trees["1.18.4"], lib_path,
                 {"version": "2.0.1"}, part="objects")  # fmt: skip
    assert "no facts for Cilium 2.0; regenerate it" in str(err.value)
