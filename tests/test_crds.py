"""CRD facts read from the YAMLs, the schema store, and checking objects against the schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from goldens import path_of
from nixharness import evaluate

from nixgen.checks.crd import Problem, validate
from nixgen.facts import catalog, crds, locations
from nixgen.facts.versions import UnknownVersion
from nixgen.nixatoms import Raw
from nixgen.plan.model import Split

RELEASES = list(catalog.load().releases)
OLD_BGP = ("1.16.19", "1.17.18")  # BGPv2 kinds, the LB pool and CIDR groups still v2alpha1


def crd(release: str, kind: str) -> catalog.Crd:
    return next(c for c in catalog.load().releases[release].crds if c.kind == kind)


def messages(obj: dict[str, Any], version: str) -> list[str]:
    return [str(p) for p in validate(obj, version)]


# ---------------------------------------------------------------- facts

POD_IP_POOL_1_20 = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ciliumpodippools.cilium.io
spec:
  group: cilium.io
  names:
    kind: CiliumPodIPPool
    plural: ciliumpodippools
  scope: Cluster
  versions:
  - name: v2
    schema:
      openAPIV3Schema:
        type: object
    served: false
    storage: false
  - name: v2alpha1
    schema:
      openAPIV3Schema:
        description: "kind: NotAKind"
        properties:
          spec:
            type: object
        type: object
    served: true
    storage: true
"""


def test_served_and_storage_flags_decide_not_the_list_of_names() -> None:
    read = crds.read_crd(POD_IP_POOL_1_20)
    assert read is not None
    assert [(v["name"], v["served"], v["storage"]) for v in read["versions"]] == [
        ("v2", False, False), ("v2alpha1", True, True)]  # fmt: skip
    assert read["versions"][0]["schema"] is None
    assert read["versions"][1]["schema"]["properties"] == {"spec": {"type": "object"}}
    assert crds.catalog_facts(read) == {"kind": "CiliumPodIPPool", "group": "cilium.io",
                                        "plural": "ciliumpodippools",
                                        "storageVersion": "v2alpha1",
                                        "servedVersions": ["v2alpha1"], "namespaced": False,
                                        "unservedVersions": ["v2"]}  # fmt: skip


def test_reader_refuses_broken_yaml_and_a_crd_without_storage_version() -> None:
    with pytest.raises(crds.CrdError, match="not YAML"):
        crds.read_crd("kind: [\n")
    with pytest.raises(crds.CrdError, match="not exactly one storage version"):
        crds.read_crd(POD_IP_POOL_1_20.replace("storage: true", "storage: false"))


def test_the_1_20_facts() -> None:
    plugin = crd("1.20.0", "CiliumDatapathPlugin")
    assert (plugin.served, plugin.deprecated, plugin.namespaced) == (("v2alpha1",), ("v2alpha1",),
                                                                     False)  # fmt: skip
    assert catalog.load().releases["1.20.0"].api_mappings["CiliumDatapathPlugin"] == (
        "cilium.io/v2alpha1")
    assert crd("1.20.0", "CiliumNodeConfig").served == ("v2",)
    assert crd("1.19.6", "CiliumNodeConfig").served == ("v2", "v2alpha1")
    assert crd("1.20.0", "CiliumPodIPPool").served == ("v2alpha1",)
    assert crd("1.20.0", "CiliumPodIPPool").unserved == ("v2",)  # defined ahead, not served
    assert crd("1.19.6", "CiliumPodIPPool").unserved == ()
    assert crd("1.18.4", "CiliumBGPClusterConfig").deprecated == ("v2alpha1",)
    assert "CiliumDatapathPlugin" not in catalog.load().releases["1.19.6"].api_mappings


@pytest.mark.parametrize("release", RELEASES)
def test_every_kind_has_a_schema_for_each_served_version(release: str) -> None:
    found = crds.schema_nodes(release)
    assert found is not None
    index, nodes = found
    assert {c.kind: set(c.served) for c in catalog.load().releases[release].crds} == {
        kind: set(versions) for kind, versions in index.items()}  # fmt: skip
    for versions in index.values():
        for digest in versions.values():
            assert nodes[digest]["type"] == "object"
            assert {"apiVersion", "kind", "metadata"} <= nodes[digest]["properties"].keys()


def test_store_is_shared_across_releases_and_holds_trimmed_descriptions() -> None:
    store = crds._load_store(locations.schema_store(locations.catalog_path()))
    nodes = store["nodes"]
    assert store["index"]["1.18.4"] == store["index"]["1.18.12"]
    assert store["index"].keys() == catalog.load().releases.keys()
    assert not any("default" in node for node in nodes.values())
    texts = [node["description"] for node in nodes.values() if "description" in node]
    assert texts and all(crds.trim_description(t) == t for t in texts)
    cnp = nodes[store["index"]["1.20.0"]["CiliumNetworkPolicy"]["v2"]]
    ccnp = nodes[store["index"]["1.20.0"]["CiliumClusterwideNetworkPolicy"]["v2"]]
    assert cnp["description"] == ("CiliumNetworkPolicy is a Kubernetes third-party resource with "
                                  "an extended version of NetworkPolicy.")
    # the two policy kinds share their rules: stored once
    assert cnp["properties"]["spec"] == ccnp["properties"]["spec"]
    assert cnp["properties"]["specs"] == ccnp["properties"]["specs"]


def test_descriptions_are_trimmed_to_a_sentence() -> None:
    trim = crds.trim_description
    assert trim("Spec is the desired\n  rule specification.\nMore info: https://k8s.io/x.") == (
        "Spec is the desired rule specification.")
    assert trim("Selects peers, e.g. pods. And more.") == "Selects peers, e.g. pods."
    assert trim("no full stop at all") == "no full stop at all"
    long = trim("word " * 100)
    assert len(long) <= crds.DESCRIPTION_LIMIT and long.endswith("word ...")
    assert trim("x" * 300) == "x" * (crds.DESCRIPTION_LIMIT - 4) + " ..."


def test_schemas_load_only_when_objects_are_checked() -> None:
    code = ("import sys, nixgen, nixgen.cli, nixgen.facts.catalog; nixgen.facts.catalog.load(); "
            "print(sorted(m for m in ('nixgen.facts.crds', 'nixgen.checks.crd', 'yaml') "
            "if m in sys.modules))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


# ---------------------------------------------------------------- refusals

CCNP = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumClusterwideNetworkPolicy",
    "metadata": {"name": "ep-default"},
    "spec": {
        "endpointSelector": {},
        "ingress": [{"fromEntities": ["cluster", "ingress"]}],
        "egress": [{"toEntities": ["all"]}],
    },
}

RELAY_CNP = {
    "apiVersion": "cilium.io/v2",
    "kind": "CiliumNetworkPolicy",
    "metadata": {"name": "hubble-relay", "namespace": "kube-system",
                 "labels": {"app.kubernetes.io/part-of": "cilium"}},
    "spec": {
        "endpointSelector": {"matchLabels": {"k8s-app": "hubble-relay"}},
        "egress": [{"toEntities": ["remote-node", "host"],
                    "toPorts": [{"ports": [{"port": "4244", "protocol": "TCP"}]}]}],
    },
}  # fmt: skip


def with_spec(obj: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {**obj, "spec": {**obj["spec"], **spec}}


@pytest.mark.parametrize("release", RELEASES)
def test_a_typo_is_refused_with_did_you_mean(release: str) -> None:
    obj = with_spec(CCNP, ingress=[{"fromEntites": ["cluster"]}])
    assert messages(obj, release) == [
        ("spec.ingress[0].fromEntites: the CRD has no such field: the API server would drop it "
        "(did you mean fromEntities?)")]  # fmt: skip
    assert messages(with_spec(CCNP, egress=[{"toEntites": ["all"]}, {"blah": 1}]), release) == [
        ("spec.egress[0].toEntites: the CRD has no such field: the API server would drop it "
        "(did you mean toEntities?)"),
        "spec.egress[1].blah: the CRD has no such field: the API server would drop it"]  # fmt: skip


def test_a_value_outside_the_enum_is_refused() -> None:
    got = messages(with_spec(CCNP, egress=[{"toEntities": ["everything"]}]), "1.20.0")
    assert got == [('spec.egress[0].toEntities[0]: "everything" is not one of all, world, cluster, '
                   "host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver")]


def test_wrong_json_types_are_refused() -> None:
    port = {"ports": [{"port": 4244, "protocol": "TCP"}]}
    got = messages(with_spec(RELAY_CNP, egress=[{"toEntities": "host", "toPorts": [port]}]),
                   "1.19.6")  # fmt: skip
    assert got == ['spec.egress[0].toEntities: "host" (a string) is not an array',
                   "spec.egress[0].toPorts[0].ports[0].port: 4244 (an integer) is not a string"]
    pool = {**LB_POOL, "apiVersion": "cilium.io/v2", "spec": {"blocks": [{"cidr": "192.0.2.0/28"}], "disabled": "yes"}}
    assert messages(pool, "1.18.4") == ['spec.disabled: "yes" (a string) is not a boolean']
    bgp = bgp_cluster_config("1.20.0")
    bgp["spec"]["bgpInstances"][0]["localASN"] = 65000.5
    assert messages(bgp, "1.20.0") == [
        "spec.bgpInstances[0].localASN: 65000.5 (a number) is not an integer"]
    bgp["spec"]["bgpInstances"][0]["localASN"] = True
    assert messages(bgp, "1.20.0") == [
        "spec.bgpInstances[0].localASN: true (a boolean) is not an integer"]


def test_missing_required_fields_are_refused() -> None:
    bgp = bgp_cluster_config("1.18.12")
    del bgp["spec"]["bgpInstances"][0]["name"]
    assert messages(bgp, "1.18.12") == ["spec.bgpInstances[0].name: is required but missing"]
    assert messages({**bgp, "spec": {}}, "1.18.12") == [
        "spec.bgpInstances: is required but missing"]
    pool = {"apiVersion": "cilium.io/v2", "kind": "CiliumLoadBalancerIPPool",
            "metadata": {"name": "p"}}  # fmt: skip
    assert messages(pool, "1.16.19") == [("apiVersion: Cilium 1.16.19 does not serve cilium.io/v2 "
                                         "for CiliumLoadBalancerIPPool (served: v2alpha1)")]
    assert messages({**pool, "apiVersion": "cilium.io/v2alpha1"}, "1.16.19") == []  # optional
    assert messages(pool, "1.20.0") == [
        "spec: is required but missing"]
    selector = {"matchExpressions": [{"key": "role"}]}
    assert messages(with_spec(CCNP, endpointSelector=selector), "1.16.19") == [
        "spec.endpointSelector.matchExpressions[0].operator: is required but missing"]
    assert messages({**CCNP, "metadata": {}}, "1.16.19") == ["metadata.name: is required but missing"]


def test_one_of_and_any_of_ask_for_a_field() -> None:
    assert messages({**CCNP, "spec": {"endpointSelector": {}}}, "1.20.0") == [
        "spec: sets none of ingress, ingressDeny, egress, egressDeny: set at least one"]
    both = with_spec(CCNP, nodeSelector={})
    assert messages(both, "1.20.0") == [
        "spec: sets more than one of endpointSelector, nodeSelector: set exactly one"]


def test_api_version_must_be_served_and_kind_known() -> None:
    pod_pool = {"apiVersion": "cilium.io/v2", "kind": "CiliumPodIPPool",
                "metadata": {"name": "p"}, "spec": {}}  # fmt: skip
    assert messages(pod_pool, "1.20.0") == [
        ("apiVersion: Cilium 1.20.0 does not serve cilium.io/v2 for CiliumPodIPPool "
        "(served: v2alpha1)")]  # fmt: skip
    node_config = {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumNodeConfig",
                   "metadata": {"name": "c", "namespace": "kube-system"},
                   "spec": {"nodeSelector": {}, "defaults": {"x": "y"}}}  # fmt: skip
    assert messages(node_config, "1.19.6") == []
    assert messages(node_config, "1.20.0")[0].startswith("apiVersion: Cilium 1.20.0 does not serve")
    assert messages({**CCNP, "kind": "CiliumWidget"}, "1.20.0") == [
        "kind: Cilium 1.20.0 ships no CRD for kind 'CiliumWidget'"]
    assert messages({**CCNP, "apiVersion": "v2"}, "1.20.0") == [
        "apiVersion: CiliumClusterwideNetworkPolicy is in group cilium.io, not (core)"]
    plugin = {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumDatapathPlugin",
              "metadata": {"name": "p"}, "spec": {"attachmentPolicy": "Always", "version": "1"}}
    assert messages(plugin, "1.20.0") == []
    assert messages(plugin, "1.20.3") == []  # a later patch: the newest facts of its minor
    with pytest.raises(UnknownVersion):
        validate(plugin, "2.0.0")


def test_nix_values_are_accepted_and_both_profiles_checked() -> None:
    obj = with_spec(RELAY_CNP, egress=[{"toEntities": Raw("cfg.entities"),
                                        "toPorts": [{"ports": [{"port": Raw("toString cfg.port"),
                                                                "protocol": "TCP"}]}]}])  # fmt: skip
    obj["metadata"] = {**obj["metadata"], "namespace": Raw("cfg.namespace")}
    assert messages(obj, "1.20.0") == []
    split = with_spec(CCNP, egress=[{"toEntities": Split(["all"], ["everywhere"])}])
    got = messages(split, "1.20.0")
    assert len(got) == 1 and got[0].startswith('spec.egress[0].toEntities[0]: "everywhere" is not')


# ---------------------------------------------------------------- real objects, per release

LB_POOL = {
    "kind": "CiliumLoadBalancerIPPool",
    "metadata": {"name": "public"},
    "spec": {"blocks": [{"cidr": "192.0.2.0/28"}, {"start": "198.51.100.10",
                                                    "stop": "198.51.100.20"}],
             "serviceSelector": {"matchLabels": {"lb": "public"}}},
}  # fmt: skip

L2_POLICY = {
    "apiVersion": "cilium.io/v2alpha1",
    "kind": "CiliumL2AnnouncementPolicy",
    "metadata": {"name": "l2"},
    "spec": {
        "interfaces": ["^eth[0-9]+"],
        "externalIPs": True,
        "loadBalancerIPs": True,
        "nodeSelector": {"matchExpressions": [
            {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"}]},
    },
}  # fmt: skip


def bgp_version(release: str) -> str:
    return "cilium.io/v2alpha1" if release in OLD_BGP else "cilium.io/v2"


def bgp_cluster_config(release: str) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": "cilium-peer"}
    if release in OLD_BGP:  # v2alpha1 may name the peer config's group and kind; v2 may not
        ref |= {"group": "cilium.io", "kind": "CiliumBGPPeerConfig"}
    return {
        "apiVersion": bgp_version(release),
        "kind": "CiliumBGPClusterConfig",
        "metadata": {"name": "cilium-bgp"},
        "spec": {
            "nodeSelector": {"matchLabels": {"bgp": "enabled"}},
            "bgpInstances": [{"name": "instance-65000", "localASN": 65000, "peers": [
                {"name": "tor", "peerASN": 65001, "peerAddress": "192.0.2.1",
                 "peerConfigRef": ref}]}],
        },
    }  # fmt: skip


def bgp_peer_config(release: str) -> dict[str, Any]:
    return {
        "apiVersion": bgp_version(release),
        "kind": "CiliumBGPPeerConfig",
        "metadata": {"name": "cilium-peer"},
        "spec": {
            "timers": {"holdTimeSeconds": 9, "keepAliveTimeSeconds": 3},
            "gracefulRestart": {"enabled": True, "restartTimeSeconds": 15},
            "families": [{"afi": "ipv4", "safi": "unicast",
                          "advertisements": {"matchLabels": {"advertise": "bgp"}}}],
        },
    }  # fmt: skip


def bgp_advertisement(release: str) -> dict[str, Any]:
    return {
        "apiVersion": bgp_version(release),
        "kind": "CiliumBGPAdvertisement",
        "metadata": {"name": "services", "labels": {"advertise": "bgp"}},
        "spec": {"advertisements": [
            {"advertisementType": "PodCIDR"},
            {"advertisementType": "Service", "service": {"addresses": ["LoadBalancerIP"]},
             "selector": {"matchExpressions": [
                 {"key": "somekey", "operator": "NotIn", "values": ["never-used-value"]}]}},
        ]},
    }  # fmt: skip


@pytest.mark.parametrize("release", RELEASES)
def test_real_objects_are_accepted(release: str) -> None:
    pool = {**LB_POOL, "apiVersion": bgp_version(release)}
    for obj in (CCNP, RELAY_CNP, pool, L2_POLICY, bgp_cluster_config(release),
                bgp_peer_config(release), bgp_advertisement(release)):  # fmt: skip
        assert validate(obj, release) == [], obj["kind"]


@pytest.mark.parametrize("release", RELEASES)
def test_bgp_shapes_differ_between_v2alpha1_and_v2(release: str) -> None:
    old = bgp_cluster_config("1.16.19")
    ref = "spec.bgpInstances[0].peers[0].peerConfigRef"
    if release in OLD_BGP:
        assert validate(old, release) == []
        assert validate(bgp_cluster_config("1.18.4"), release)[0].path == "apiVersion"
    else:
        assert validate(old, release) == []  # v2alpha1 is still served (deprecated)
        assert {p.path for p in validate({**old, "apiVersion": "cilium.io/v2"}, release)} == {
            f"{ref}.group", f"{ref}.kind"}  # fmt: skip
    peer = bgp_peer_config(release)
    peer["spec"]["transport"] = {"peerPort": 179, "localPort": 179}  # v2alpha1 only
    want = [] if peer["apiVersion"].endswith("v2alpha1") else [
        Problem("spec.transport.localPort", "the CRD has no such field: the API server would "
                "drop it")]  # fmt: skip
    assert validate(peer, release) == want
    advert = bgp_advertisement(release)
    del advert["spec"]["advertisements"][1]["service"]["addresses"]  # required from 1.17
    problems = [str(p) for p in validate(advert, release)]
    assert problems == ([] if release == "1.16.19" else [
        "spec.advertisements[1].service.addresses: is required but missing"])


@pytest.mark.parametrize("release", RELEASES)
def test_objects_of_a_generated_module_pass_the_schema(
    release: str, fake_trees: dict[str, Path], lib_path: str
) -> None:
    """What the production golden hands the framework, at each release, in both profiles:
    nixgen's own policies too, which `nixgen module` does not judge again on every run."""
    seen = set()
    for local in (True, False):
        objects = evaluate(path_of("hetzkube-production"), "hetzkube", local, fake_trees[release],
                           lib_path, {"version": release}, part="objects")  # fmt: skip
        for obj in objects:
            if obj.get("apiVersion", "").startswith("cilium.io/"):
                seen.add(obj["kind"])
                seen.add(obj["metadata"]["name"])
                assert validate(obj, release) == [], obj["kind"]
    assert {"CiliumClusterwideNetworkPolicy", "CiliumLoadBalancerIPPool", "CiliumBGPClusterConfig",
            "CiliumBGPPeerConfig", "CiliumBGPAdvertisement", "CiliumL2AnnouncementPolicy",
            "ep-default", "allow-hubble-relay-server-egress"} <= seen
