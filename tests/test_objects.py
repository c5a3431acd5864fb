"""BGP peering, L2 announcements, load-balancer pools and `[[objects]]`: what the module
deploys per profile and minor (evaluated by Nix, in both flavours), how a patch merges with the
chart's object, the v2alpha1 CRDs the hetzkube flavour imports, and the refusals of objects the
API server would not take as written."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from nixharness import evaluate

from nixgen.checks.crd import validate
from nixgen.cli import cli
from nixgen.facts import catalog
from nixgen.input.choices import PROFILES
from nixgen.plan import model

RELEASES = list(catalog.load().releases)
OLD_BGP = ("1.16.19", "1.17.18")  # the BGPv2 kinds and the LB pool still v2alpha1 only
HOST = "10.0.0.1"
BGP_KINDS = {"CiliumBGPClusterConfig", "CiliumBGPPeerConfig", "CiliumBGPAdvertisement"}
PRODUCTION_KINDS = BGP_KINDS | {"CiliumL2AnnouncementPolicy", "CiliumLoadBalancerIPPool",
                                "Gateway"}  # fmt: skip

CHART_CA = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "cilium-ca", "namespace": "kube-system"},
    "data": {"ca.crt": "Y2VydA==", "ca.key": "a2V5"},
}

CONFIG: dict[str, Any] = {
    "production": {
        "ipv6": True,
        "bgp": {"localASN": 64512, "peers": [{"name": "tor", "address": "192.0.2.254",
                                              "asn": 64513}]},
        "l2announcements": {"interfaces": ["^eth[0-9]+"]},
        "loadBalancerIPPools": {"public": ["192.0.2.0/28"]},
    },
    "objects": [
        {"kind": "Secret", "patch": True,
         "metadata": {"name": "cilium-ca", "namespace": "kube-system",
                      "annotations": {"kluctl.io/ignore-diff": "true"}}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "profile": "production",
         "metadata": {"name": "main", "namespace": "web"},
         "spec": {"gatewayClassName": "cilium",
                  "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}},
        {"apiVersion": "v1", "kind": "Namespace", "profile": "local",
         "metadata": {"name": "scratch", "labels": {"purpose": "dev"}}},
        {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumPodIPPool",
         "metadata": {"name": "extra"}, "spec": {"ipv4": {"cidrs": ["10.60.0.0/16"],
                                                          "maskSize": 24}}},
    ],
}  # fmt: skip


def run(tmp_path: Path, config: dict[str, Any], *args: str) -> tuple[int, str, str, Path]:
    """`nixgen module` with this config into a file that already exists."""
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    target = tmp_path / "cilium.nix"
    target.write_text("previous\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["module", "--format", "never", "--config", str(path),
                                      "-o", str(target), *args])  # fmt: skip
    return result.exit_code, result.stdout, result.stderr, target


def generated(tmp_path: Path, config: dict[str, Any], flavor: str, version: str) -> Path:
    code, _, err, target = run(tmp_path, config, "--flavor", flavor, "--cilium-version", version)
    assert code == 0, err
    return target


def listed(tmp_path: Path, config: dict[str, Any], flavor: str, version: str,
           profile: str) -> list[dict[str, Any]]:  # fmt: skip
    """`nixgen values --objects` of a profile."""
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    result = CliRunner().invoke(cli, ["values", "--config", str(path), "--flavor", flavor,
                                      "--cilium-version", version, "--profile", profile,
                                      "--objects", "--output", "json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out: list[dict[str, Any]] = json.loads(result.stdout)
    return out


def key(obj: dict[str, Any]) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


def nix_objects(module: Path, flavor: str, local: bool, src: Path, lib_path: str,
                version: str, other: dict[str, Any] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    got = evaluate(module, flavor, local, src, lib_path, {"version": version,
                                                          "k8sServiceHost": HOST},
                   part="objects", other=other)  # fmt: skip
    return sorted(got, key=key)


# ---------------------------------------------------------------- per profile, both flavours


@pytest.mark.parametrize("flavor", ["hetzkube", "nixidy"])
def test_production_features_and_objects_per_profile(
    flavor: str, tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    module = generated(tmp_path, CONFIG, flavor, "1.18.4")
    for profile in PROFILES:
        got = nix_objects(module, flavor, profile == "local", fake_trees["1.18.4"], lib_path,
                          "1.18.4")  # fmt: skip
        want = sorted(listed(tmp_path, CONFIG, flavor, "1.18.4", profile), key=key)
        assert got == want
        kinds = {o["kind"] for o in got}
        if profile == "production":
            assert PRODUCTION_KINDS <= kinds and "Namespace" not in kinds
        else:
            assert not PRODUCTION_KINDS & kinds and "Namespace" in kinds
        assert {"Secret", "CiliumPodIPPool", "CiliumClusterwideNetworkPolicy"} <= kinds
    values = evaluate(module, flavor, False, fake_trees["1.18.4"], lib_path,
                      {"k8sServiceHost": HOST}, part="values")  # fmt: skip
    assert values["bgpControlPlane"] == {"enabled": True}
    assert values["l2announcements"] == {"enabled": True}
    assert values["k8sClientRateLimit"] == {"qps": 20, "burst": 40}
    local = evaluate(module, flavor, True, fake_trees["1.18.4"], lib_path, part="values")
    assert local["bgpControlPlane"] == {"enabled": False}
    assert local["k8sClientRateLimit"] == {}  # the chart's defaults stand


def test_the_bgp_objects_peer_advertise_and_follow_ipv6(tmp_path: Path) -> None:
    objs = {o["kind"]: o for o in listed(tmp_path, CONFIG, "hetzkube", "1.19.6", "production")}
    peer = objs["CiliumBGPClusterConfig"]["spec"]["bgpInstances"][0]["peers"][0]
    assert peer == {"name": "tor", "peerASN": 64513, "peerAddress": "192.0.2.254",
                    "peerConfigRef": {"name": "cilium-peer"}}  # fmt: skip
    families = objs["CiliumBGPPeerConfig"]["spec"]["families"]
    assert [f["afi"] for f in families] == ["ipv4", "ipv6"]
    labels = objs["CiliumBGPAdvertisement"]["metadata"]["labels"]
    assert all(f["advertisements"]["matchLabels"] == labels for f in families)
    types = [a["advertisementType"] for a in objs["CiliumBGPAdvertisement"]["spec"]
             ["advertisements"]]  # fmt: skip
    assert types == ["PodCIDR", "Service"]
    assert objs["CiliumL2AnnouncementPolicy"]["spec"] == {
        "interfaces": ["^eth[0-9]+"], "loadBalancerIPs": True, "externalIPs": False}
    v4_only = copy.deepcopy(CONFIG)
    v4_only["production"]["ipv6"] = False
    objs = {o["kind"]: o for o in listed(tmp_path, v4_only, "hetzkube", "1.19.6", "production")}
    assert [f["afi"] for f in objs["CiliumBGPPeerConfig"]["spec"]["families"]] == ["ipv4"]


def test_bare_switches_keep_working_without_objects(tmp_path: Path) -> None:
    config = {"production": {"bgpControlPlane": True, "l2announcements": True}}
    kinds = {o["kind"] for o in listed(tmp_path, config, "hetzkube", "1.18.4", "production")}
    assert not kinds & (BGP_KINDS | {"CiliumL2AnnouncementPolicy"})


# ---------------------------------------------------------------- apiVersions per minor


@pytest.mark.parametrize("flavor", ["hetzkube", "nixidy"])
@pytest.mark.parametrize("version", ["1.17.18", "1.18.4", "1.20.0"])
def test_api_versions_follow_the_minor_in_use(
    flavor: str, version: str, tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """One module generated for 1.18.4, evaluated with `cilium.version` edited in Nix."""
    module = generated(tmp_path, CONFIG, flavor, "1.18.4")
    got = nix_objects(module, flavor, False, fake_trees[version], lib_path, version)
    api = {o["kind"]: o.get("apiVersion") for o in got}
    want = "cilium.io/v2alpha1" if version in OLD_BGP else "cilium.io/v2"
    for kind in BGP_KINDS | {"CiliumLoadBalancerIPPool"}:
        assert api[kind] == want, kind
    assert api["CiliumL2AnnouncementPolicy"] == "cilium.io/v2alpha1"
    assert api["CiliumPodIPPool"] == "cilium.io/v2alpha1"  # as the config wrote it
    for obj in got:
        if obj.get("apiVersion", "").startswith("cilium.io/"):
            assert validate(obj, version) == [], obj["kind"]


@pytest.mark.parametrize("release", RELEASES)
def test_every_generated_object_passes_each_releases_schema(
    release: str, tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """Generated for the release itself: every Cilium object Nix hands the framework, in both
    profiles, is one that release's API server keeps as written."""
    module = generated(tmp_path, CONFIG, "hetzkube", release)
    seen = set()
    for local in (True, False):
        for obj in nix_objects(module, "hetzkube", local, fake_trees[release], lib_path, release):
            if obj.get("apiVersion", "").startswith("cilium.io/"):
                seen.add(obj["kind"])
                assert validate(obj, release) == [], obj["kind"]
    assert BGP_KINDS | {"CiliumL2AnnouncementPolicy", "CiliumLoadBalancerIPPool"} <= seen


def test_a_shape_valid_in_one_release_only_is_refused_in_the_others(tmp_path: Path) -> None:
    """v2alpha1 peer configs may carry transport.localPort; v2 may not."""
    config = copy.deepcopy(CONFIG)
    peer = {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumBGPPeerConfig",
            "metadata": {"name": "old-style"},
            "spec": {"transport": {"localPort": 179, "peerPort": 179}}}  # fmt: skip
    config["objects"].append(peer)
    assert run(tmp_path, config, "--cilium-version", "1.17.18")[0] == 0
    peer["apiVersion"] = "cilium.io/v2"
    code, out, err, target = run(tmp_path, config, "--cilium-version", "1.18.4")
    assert (code, out) == (2, "") and target.read_text() == "previous\n"
    assert err.strip() == (
        "nixgen: error: objects[4]: CiliumBGPPeerConfig old-style: spec.transport.localPort: "
        "the CRD has no such field: the API server would drop it")


# ---------------------------------------------------------------- CRD imports


def test_hetzkube_imports_the_v2alpha1_crds_of_its_kinds_per_minor(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    module = generated(tmp_path, CONFIG, "hetzkube", "1.18.4")
    for version in ("1.17.18", "1.18.4"):
        got = evaluate(module, "hetzkube", False, fake_trees[version], lib_path,
                       {"version": version}, part="importyaml")  # fmt: skip
        alpha = f"{fake_trees[version].resolve()}/{model.ALPHA_CRD_DIR}"
        from_alpha = {name for name, entry in got.items() if entry["src"].startswith(alpha)}
        want = {"ciliuml2announcementpolicies.yaml", "ciliumpodippools.yaml"}
        if version in OLD_BGP:
            want |= {"ciliumbgpclusterconfigs.yaml", "ciliumbgppeerconfigs.yaml",
                     "ciliumbgpadvertisements.yaml", "ciliumloadbalancerippools.yaml"}
        assert from_alpha == want
        assert "ciliumnetworkpolicies.yaml" in got and "kustomization.yaml" not in got
        assert "ciliumbgppeeringpolicies.yaml" not in got  # no object of that kind


def test_a_module_without_v2alpha1_objects_imports_only_v2(tmp_path: Path) -> None:
    code, _, _, target = run(tmp_path, {})
    text = target.read_text()
    assert code == 0 and "crds/v2alpha1" not in text and "alphaCrds" not in text


# ---------------------------------------------------------------- patches merge


def test_a_patch_merges_with_the_charts_object_in_easykubenix(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    module = generated(tmp_path, CONFIG, "hetzkube", "1.18.4")
    chart = {"kubernetes": {"resources": {"kube-system": {"Secret": {"cilium-ca": CHART_CA}}}}}
    got = nix_objects(module, "hetzkube", False, fake_trees["1.18.4"], lib_path, "1.18.4", chart)
    secrets = [o for o in got if o["kind"] == "Secret"]
    assert secrets == [{**CHART_CA, "metadata": {**CHART_CA["metadata"],
                                                 "annotations": {"kluctl.io/ignore-diff": "true"}}}]
    text = module.read_text()
    assert 'kube-system.Secret.cilium-ca.metadata.annotations."kluctl.io/ignore-diff" = "true";' in text


def test_a_patch_merges_with_the_charts_object_in_nixidy(
    tmp_path: Path, fake_trees: dict[str, Path], lib_path: str
) -> None:
    module = generated(tmp_path, CONFIG, "nixidy", "1.18.4")
    chart = {"applications": {"cilium": {"resources": {"secrets": {"cilium-ca": CHART_CA}}}}}
    got = nix_objects(module, "nixidy", True, fake_trees["1.18.4"], lib_path, "1.18.4", chart)
    secrets = [o for o in got if o["kind"] == "Secret"]
    assert secrets == [{**CHART_CA, "metadata": {**CHART_CA["metadata"],
                                                 "annotations": {"kluctl.io/ignore-diff": "true"}}}]
    assert "resources.secrets.cilium-ca" in module.read_text()


# ---------------------------------------------------------------- refusals

CNP = {"kind": "CiliumNetworkPolicy", "name": "p", "namespace": "apps",
       "spec": {"endpointSelector": {}, "egress": [{"toEntities": ["all"]}]}}  # fmt: skip
L2 = {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumL2AnnouncementPolicy",
      "metadata": {"name": "l2"}, "spec": {"loadBalancerIPs": True}}  # fmt: skip
REFUSED = {
    "pruned": (
        {"egress": [{"toEntites": ["all"]}]}, {"loadBalancerIP": True},
        ("spec.egress[0].toEntites: the CRD has no such field: the API server would drop it "
         "(did you mean toEntities?)"),
        ("spec.loadBalancerIP: the CRD has no such field: the API server would drop it "
         "(did you mean loadBalancerIPs?)")),
    "enum": (
        {"egress": [{"toEntities": ["everything"]}]},
        {"serviceSelector": {"matchExpressions": [{"key": "a", "operator": "Has"}]}},
        'spec.egress[0].toEntities[0]: "everything" is not one of all, world, cluster, host,',
        'spec.serviceSelector.matchExpressions[0].operator: "Has" is not one of In, NotIn,'),
    "type": (
        {"egress": [{"toEntities": "all"}]}, {"loadBalancerIPs": "yes"},
        'spec.egress[0].toEntities: "all" (a string) is not an array',
        'spec.loadBalancerIPs: "yes" (a string) is not a boolean'),
    "required": (
        {"egress": [{"toEntities": ["all"], "toPorts": [{"ports": [{"protocol": "TCP"}]}]}]},
        {"nodeSelector": {"matchExpressions": [{"key": "a"}]}},
        "spec.egress[0].toPorts[0].ports[0].port: is required but missing",
        "spec.nodeSelector.matchExpressions[0].operator: is required but missing"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_objects_the_api_server_would_not_keep_are_refused(case: str, tmp_path: Path) -> None:
    policy_spec, object_spec, policy_message, object_message = REFUSED[case]
    policy = {**CNP, "spec": {**CNP["spec"], **policy_spec}}
    fine = {**CNP, "name": "fine"}
    code, out, err, target = run(tmp_path, {"policies": {"extra": [fine, policy]}})
    assert (code, out) == (2, "") and target.read_text() == "previous\n"
    assert err.startswith("nixgen: error: policies.extra[1]: CiliumNetworkPolicy apps/p: "
                          + policy_message), err  # fmt: skip
    assert len(err.strip().splitlines()) == 1
    obj = {**L2, "spec": {**L2["spec"], **object_spec}}
    code, out, err, target = run(tmp_path, {"objects": [L2 | {"metadata": {"name": "ok"}}, obj]})
    assert (code, out) == (2, "") and target.read_text() == "previous\n"
    assert err.startswith("nixgen: error: objects[1]: CiliumL2AnnouncementPolicy l2: "
                          + object_message), err  # fmt: skip


def test_an_unserved_api_version_is_refused(tmp_path: Path) -> None:
    obj = {**L2, "apiVersion": "cilium.io/v2"}
    code, _, err, _ = run(tmp_path, {"objects": [obj]}, "--cilium-version", "1.19.6")
    assert code == 2 and err.strip() == (
        "nixgen: error: objects[0]: CiliumL2AnnouncementPolicy l2: apiVersion: Cilium 1.19.6 "
        "does not serve cilium.io/v2 for CiliumL2AnnouncementPolicy (served: v2alpha1)")
    pool = {"apiVersion": "cilium.io/v2", "kind": "CiliumLoadBalancerIPPool",
            "metadata": {"name": "p"}, "spec": {"blocks": [{"cidr": "192.0.2.0/28"}]}}
    assert run(tmp_path, {"objects": [pool]}, "--cilium-version", "1.18.4")[0] == 0
    code, _, err, _ = run(tmp_path, {"objects": [pool]}, "--cilium-version", "1.17.18")
    assert code == 2 and "does not serve cilium.io/v2 for CiliumLoadBalancerIPPool" in err


def test_production_objects_are_checked_even_though_local_lacks_them(tmp_path: Path) -> None:
    obj = {**L2, "profile": "production", "spec": {"loadBalancerIPs": 1}}
    code, _, err, _ = run(tmp_path, {"objects": [obj]})
    assert code == 2 and "spec.loadBalancerIPs: 1 (an integer) is not a boolean" in err


BAD_CONFIG = {
    "namespaced-kind-without-namespace": (
        {"objects": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}]},
        "objects[0]: ConfigMap 'c' is namespaced: give metadata.namespace"),
    "cluster-kind-with-namespace": (
        {"objects": [{"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
                      "metadata": {"name": "c", "namespace": "x"}}]},
        "objects[0]: CiliumClusterwideNetworkPolicy 'c' is cluster-scoped"),
    "no-api-version": (
        {"objects": [{"kind": "Namespace", "metadata": {"name": "n"}}]},
        "objects[0]: Namespace 'n' needs an apiVersion (or patch = true"),
    "patch-with-api-version": (
        {"objects": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"},
                      "patch": True}]},
        "objects[0]: a patch carries no apiVersion"),
    "twice": (
        {"objects": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}},
                     {"kind": "Namespace", "metadata": {"name": "n"}, "patch": True}]},
        "objects[1]: Namespace 'n' is objects[0] too"),
    "takes-a-generated-name": (
        {"production": {"l2announcements": {}},
         "objects": [L2 | {"metadata": {"name": "cilium-l2"}}]},
        ("objects[0]: CiliumL2AnnouncementPolicy 'cilium-l2' is one nixgen generates itself "
         "(production.l2announcements)")),
    "nixidy-patch-of-an-untyped-kind": (
        {"flavor": "nixidy", "objects": [{"kind": "CiliumClusterwideNetworkPolicy", "patch": True,
                                          "metadata": {"name": "ep-default2"}}]},
        "objects[0]: nixidy cannot patch a CiliumClusterwideNetworkPolicy"),
    "nixidy-patch-elsewhere": (
        {"flavor": "nixidy", "objects": [{"kind": "Secret", "patch": True,
                                          "metadata": {"name": "s", "namespace": "other"}}]},
        "objects[0]: nixidy keys the chart's objects by name within the application's namespace"),
    "bgp-without-peers": (
        {"production": {"bgp": {"localASN": 64512, "peers": []}}},
        "production.bgp.peers = []: List should have at least 1 item"),
    "bgp-switched-off": (
        {"production": {"bgpControlPlane": False, "bgp": {"localASN": 1, "peers": [
            {"name": "a", "address": "192.0.2.1", "asn": 2}]}}},
        "production: bgp peers need the BGP control plane"),
    "bgp-peer-address": (
        {"production": {"bgp": {"localASN": 1, "peers": [
            {"name": "a", "address": "tor.example", "asn": 2}]}}},
        "production.bgp.peers[0].address: 'tor.example' is not an IP address"),
    "l2-interface-regex": (
        {"production": {"l2announcements": {"interfaces": ["eth[0-9"]}}},
        "production.l2announcements.interfaces[0]: 'eth[0-9' is not a regular expression"),
    "body-nix-expression": (
        {"objects": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"},
                      "spec": {"x": {"$nix": "1 + 1"}}}]},
        "objects[0].spec.x.\"$nix\": '1 + 1' is not a Nix attribute path"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_CONFIG)
def test_configs_nixgen_cannot_deploy_are_refused(case: str, tmp_path: Path) -> None:
    config, message = BAD_CONFIG[case]
    code, out, err, target = run(tmp_path, config)
    assert (code, out) == (2, "") and target.read_text() == "previous\n"
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_unknown_kinds_take_their_scope_from_the_namespace(tmp_path: Path) -> None:
    config = {"objects": [
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
        {"apiVersion": "example.com/v1", "kind": "Gadget",
         "metadata": {"name": "g", "namespace": "apps"}, "spec": {"size": 3}}]}  # fmt: skip
    objs = listed(tmp_path, config, "hetzkube", "1.18.4", "local")
    assert [o for o in objs if o["kind"] in ("Widget", "Gadget")] == [
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}},
        {"apiVersion": "example.com/v1", "kind": "Gadget",
         "metadata": {"name": "g", "namespace": "apps"}, "spec": {"size": 3}}]  # fmt: skip
