"""Object metadata the Kubernetes API server refuses is refused before anything is written:
names by kind, namespaces, label keys and values, annotation keys and size; and two BGP peers
at one address."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import one_line_error, process

A64 = "a" * 64


@pytest.mark.parametrize(("kind", "name", "ok"), [
    ("ConfigMap", "my-map.v1", True), ("ConfigMap", "MyMap", False), ("ConfigMap", "a_b", False),
    ("ConfigMap", "a:b", False), ("ConfigMap", "a" * 253, True), ("ConfigMap", "a" * 254, False),
    ("ConfigMap", "-a", False), ("ConfigMap", "a.", False), ("ConfigMap", "", False),
    ("Secret", "tls.crt", True), ("CiliumNetworkPolicy", "x.y", True),
    ("Gateway", "Main", False), ("SomeCustomKind", "x_y", False),
    ("Namespace", "a.b", False), ("Namespace", A64, False), ("Namespace", "a" * 63, True),
    ("Namespace", "1abc", True),
    ("Service", "1svc", False), ("Service", "svc-1", True), ("Service", "a.b", False),
    ("Service", A64, False),
    ("ClusterRole", "system:aggregate-to-view", True), ("RoleBinding", "My Binding", True),
    ("ClusterRole", "a/b", False), ("Role", "a%b", False), ("Role", "..", False),
    ("CronJob", "a" * 52, True), ("CronJob", "a" * 53, False), ("Job", A64, False),
])  # fmt: skip
def test_names_follow_the_api_servers_rule_for_their_kind(kind: str, name: str, ok: bool) -> None:
    from nixgen.checks import k8s

    assert (k8s.name_problem(kind, name) is None) == ok


@pytest.mark.parametrize(("key", "ok"), [
    ("app", True), ("app.kubernetes.io/name", True), ("a/b", True), ("A_b.c-D", True),
    ("bad key!", False), ("/a", False), ("a/", False), ("Example.com/a", False),
    ("a" * 63, True), (A64, False), ("x/" + A64, False), ("a" * 254 + "/b", False),
    ("-a", False), ("a-", False), ("a/b/c", False),
])  # fmt: skip
def test_label_keys(key: str, ok: bool) -> None:
    from nixgen.checks import k8s

    assert (k8s.label_key_problem(key) is None) == ok


@pytest.mark.parametrize(("value", "ok"), [
    ("", True), ("true", True), ("v1.2_3-x", True), ("a" * 63, True), (A64, False),
    ("bad value!", False), ("-a", False), ("a\u0000", False),
])  # fmt: skip
def test_label_values(value: str, ok: bool) -> None:
    from nixgen.checks import k8s

    assert (k8s.label_value_problem(value) is None) == ok


def test_annotation_keys_are_judged_lower_cased_and_their_size_summed() -> None:
    from nixgen.checks import k8s

    assert k8s.annotations_problem({"Example.COM/Key": "x"}) is None
    assert k8s.annotations_problem({"bad key!": "x"})[0] == "bad key!"  # type: ignore[index]
    big = {"a": "x" * (256 * 1024 - 1)}
    assert k8s.annotations_problem(big) is None
    assert k8s.annotations_problem({**big, "b": ""}) == (
        None, "the annotations take 262145 bytes; Kubernetes allows at most 262144 (256 KiB) in all")


def _object(**meta: Any) -> dict[str, Any]:
    kind = meta.pop("kind", "ConfigMap")
    return {"apiVersion": meta.pop("apiVersion", "v1"), "kind": kind,
            "metadata": {"namespace": "shop", **meta}, "data": {"a": "b"}}  # fmt: skip


def _run(tmp_path: Path, config: dict[str, Any]) -> Any:
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    target = tmp_path / "cilium.nix"
    done = process("module", "--format", "never", "--config", str(path), "-o", str(target))
    return done, target


REFUSED = [
    ({"objects": [_object(name="ok"), _object(name="ok2"), _object(name="MyMap")]},
     'objects[2].metadata.name: "MyMap" is not a valid ConfigMap name: a DNS subdomain'),
    ({"objects": [_object(name="a_b")]}, 'objects[0].metadata.name: "a_b" is not a valid'),
    ({"objects": [_object(name="a:b")]}, 'objects[0].metadata.name: "a:b" is not a valid'),
    ({"objects": [_object(name="m", namespace="a.b")]},
     'objects[0].metadata.namespace: "a.b" is not a valid namespace: a DNS label'),
    ({"objects": [_object(name="m", namespace=A64)]},
     "objects[0].metadata.namespace: \"aaaa"),
    ({"objects": [_object(name="m", labels={"bad key!": "x"})]},
     'objects[0].metadata.labels."bad key!": "bad key!" is not a valid label key'),
    ({"objects": [_object(name="m", labels={"app": "bad value!"})]},
     'objects[0].metadata.labels.app: "bad value!" is not a valid label value'),
    ({"objects": [_object(name="m", annotations={"bad key!": "x"})]},
     'objects[0].metadata.annotations."bad key!": "bad key!" is not a valid annotation key'),
    ({"objects": [_object(name="m", annotations={"a": "x" * (256 * 1024)})]},
     "objects[0].metadata.annotations: the annotations take 262145 bytes"),
    ({"objects": [_object(name="1svc", kind="Service")]},
     'objects[0].metadata.name: "1svc" is not a valid Service name: a DNS label starting with a '
     "letter"),
    ({"objects": [{"kind": "Secret", "patch": True,
                   "metadata": {"name": "Cilium_CA", "namespace": "kube-system"}}]},
     'objects[0].metadata.name: "Cilium_CA" is not a valid Secret name'),
    ({"objects": [{"kind": "Secret", "patch": True, "metadata": {
        "name": "cilium-ca", "namespace": "kube-system", "labels": {"a": "b c"}}}]},
     'objects[0].metadata.labels.a: "b c" is not a valid label value'),
    ({"objects": [_object(name="Main", kind="Gateway", apiVersion="gateway.networking.k8s.io/v1")]},
     'objects[0].metadata.name: "Main" is not a valid Gateway name'),
    ({"policies": {"extra": [{"kind": "CiliumNetworkPolicy", "name": "p", "namespace": "a.b",
                              "spec": {}}]}},
     'policies.extra[0].namespace: "a.b" is not a valid namespace'),
    ({"policies": {"extra": [{"kind": "CiliumNetworkPolicy", "name": "p", "namespace": "n",
                              "labels": {"bad key!": "x"}, "spec": {}}]}},
     'policies.extra[0].labels."bad key!": "bad key!" is not a valid label key'),
    ({"production": {"loadBalancerIPPools": {"Public": ["192.0.2.0/28"]}}},
     'production.loadBalancerIPPools.Public: "Public" is not a valid CiliumLoadBalancerIPPool '
     "name"),
    ({"production": {"bgp": {"localASN": 64512, "nodeSelector": {"bad key!": "x"},
                             "peers": [{"name": "tor", "address": "192.0.2.1", "asn": 64513}]}}},
     'production.bgp.nodeSelector."bad key!": "bad key!" is not a valid label key'),
    ({"production": {"bgp": {"localASN": 64512, "serviceSelector": {"a": "-x"},
                             "peers": [{"name": "tor", "address": "192.0.2.1", "asn": 64513}]}}},
     'production.bgp.serviceSelector.a: "-x" is not a valid label value'),
    ({"settings": {"kubeProxyReplacement": True, "k8sServiceHost": "10.0.0.1",
                   "k8sServicePort": 6443},
      "production": {"l2announcements": {"serviceSelector": {"x/": "y"}}}},
     'production.l2announcements.serviceSelector."x/": "x/" is not a valid label key'),
    ({"production": {"bgp": {"localASN": 64512, "peers": [
        {"name": "tor-a", "address": "2001:db8::1", "asn": 64513},
        {"name": "tor-b", "address": "2001:DB8:0::1", "asn": 64514}]}}},
     "production.bgp: peers 'tor-a' and 'tor-b' both have the address 2001:db8::1"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "wanted"), REFUSED)
def test_metadata_the_api_server_refuses_is_one_line_naming_the_config_key(
    config: dict[str, Any], wanted: str, tmp_path: Path
) -> None:
    done, target = _run(tmp_path, config)
    one_line_error(done, wanted)
    assert not target.exists()


def test_metadata_the_api_server_takes_passes(tmp_path: Path) -> None:
    config = {"objects": [
        _object(name="m.v1", labels={"app.kubernetes.io/name": "x", "empty": ""},
                annotations={"Example.COM/Key": "any text at all, even\nlines"}),
        _object(name="system:my-role", kind="ClusterRole", namespace=None,
                apiVersion="rbac.authorization.k8s.io/v1"),
        _object(name="a" * 63, kind="Namespace", namespace=None),
        _object(name="svc-1", kind="Service"),
    ]}  # fmt: skip
    for obj in config["objects"]:
        if obj["metadata"]["namespace"] is None:
            del obj["metadata"]["namespace"]
        if obj["kind"] != "ConfigMap":
            del obj["data"]
    done, target = _run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert target.exists()
