"""The Python check (nixgen.checks.crd) and the CRD modules in Nix read one description of the
schemas (nixgen.facts.shapes), so they agree: fed the same objects, good ones and every
variant of them this file can make (a field renamed, dropped or added; a value of another
type, another value, an empty list), they accept and refuse the same ones — and the
easykubenix module reports the very problems Python reports, field for field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from crdharness import evaluate, hetzkube_objects, judge, user_module, write_crds
from nixharness import NixEvalError

from nixgen.checks.crd import validate
from nixgen.nix import emit

RELEASES = ("1.16.19", "1.18.4", "1.20.0")
OLD = ("1.16.19", "1.17.18")  # BGPv2, the LB pool and CIDR groups still v2alpha1


def good_objects(release: str) -> list[dict[str, Any]]:
    """Objects of several kinds, each of which the release accepts."""
    bgp = "cilium.io/v2alpha1" if release in OLD else "cilium.io/v2"
    ref: dict[str, Any] = {"name": "peer"}
    if release in OLD:
        ref |= {"group": "cilium.io", "kind": "CiliumBGPPeerConfig"}
    return [
        {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
         "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
         "spec": {"endpointSelector": {"matchLabels": {"app": "web"},
                                       "matchExpressions": [{"key": "tier", "operator": "In",
                                                             "values": ["front"]}]},
                  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "lb"}}],
                               "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}]}],
                  "egress": [{"toFQDNs": [{"matchName": "api.example.com"}],
                              "toPorts": [{"ports": [{"port": "443"}]}]},
                             {"toCIDR": ["192.0.2.0/24"]}]}},
        {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
         "metadata": {"name": "nodes"},
         "spec": {"nodeSelector": {},
                  "ingress": [{"fromEntities": ["cluster"]},
                              {"fromEntities": ["all"], "icmps": [{"fields": [
                                  {"type": "EchoRequest", "family": "IPv4"}]}]}],
                  "egress": [{"toEntities": ["all"]}]}},
        {"apiVersion": bgp, "kind": "CiliumLoadBalancerIPPool", "metadata": {"name": "public"},
         "spec": {"blocks": [{"cidr": "192.0.2.0/28"}],
                  "serviceSelector": {"matchLabels": {"lb": "public"}}, "disabled": False}},
        {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumL2AnnouncementPolicy",
         "metadata": {"name": "l2"},
         "spec": {"interfaces": ["^eth[0-9]+"], "externalIPs": True, "loadBalancerIPs": True}},
        {"apiVersion": bgp, "kind": "CiliumBGPClusterConfig", "metadata": {"name": "bgp"},
         "spec": {"nodeSelector": {"matchLabels": {"bgp": "on"}},
                  "bgpInstances": [{"name": "i65000", "localASN": 65000, "peers": [
                      {"name": "tor", "peerASN": 65001, "peerAddress": "192.0.2.1",
                       "peerConfigRef": ref}]}]}},
        {"apiVersion": bgp, "kind": "CiliumBGPPeerConfig", "metadata": {"name": "peer"},
         "spec": {"timers": {"holdTimeSeconds": 9, "keepAliveTimeSeconds": 3},
                  "families": [{"afi": "ipv4", "safi": "unicast"}]}},
        {"apiVersion": bgp, "kind": "CiliumCIDRGroup", "metadata": {"name": "partners"},
         "spec": {"externalCIDRs": ["198.51.100.0/24"]}},
        {"apiVersion": "cilium.io/v2", "kind": "CiliumEgressGatewayPolicy",
         "metadata": {"name": "egress"},
         "spec": {"selectors": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                  "destinationCIDRs": ["0.0.0.0/0"],
                  "egressGateway": {"nodeSelector": {"matchLabels": {"egress": "yes"}},
                                    "egressIP": "192.0.2.9"}}},
        {"apiVersion": "cilium.io/v2alpha1", "kind": "CiliumPodIPPool",
         "metadata": {"name": "pods"},
         "spec": {"ipv4": {"cidrs": ["10.20.0.0/16"], "maskSize": 24}}},
    ]  # fmt: skip


def _at(obj: Any, path: list[Any]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _set(obj: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    _at(out, path[:-1])[path[-1]] = value
    return out


def _rename(obj: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    parent = _at(out, path[:-1])
    parent[path[-1] + "x"] = parent.pop(path[-1])
    return out


def _drop(obj: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    del _at(out, path[:-1])[path[-1]]
    return out


FIXED = {("apiVersion",), ("kind",), ("metadata",), ("metadata", "name"),
         ("metadata", "namespace")}  # fmt: skip


def variants(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """`obj` and its variants: each field renamed (a typo), dropped, each object given an
    unknown field, each value replaced by one of another type or another of its type."""
    out = [obj]

    def walk(node: Any, path: list[Any]) -> None:
        if isinstance(node, dict):
            out.append(_set(obj, path + ["zzUnknown"], "x"))
            for key in node:
                here = path + [key]
                if tuple(here) not in FIXED:
                    out.extend([_rename(obj, here), _drop(obj, here)])
                if tuple(here) not in FIXED or key == "metadata":
                    walk(node[key], here)
        elif isinstance(node, list):
            out.extend([_set(obj, path, []), _set(obj, path, "x")])
            for i, item in enumerate(node[:2]):
                walk(item, path + [i])
        elif isinstance(node, bool):
            out.append(_set(obj, path, "true"))
        elif isinstance(node, int):
            out.extend([_set(obj, path, str(node)), _set(obj, path, -1),
                        _set(obj, path, 10**10)])  # fmt: skip
        elif isinstance(node, str):
            out.extend([_set(obj, path, 7), _set(obj, path, "zz not valid"), _set(obj, path, ""),
                        _set(obj, path, "é")])  # fmt: skip

    walk(obj, [])
    return out


def corpus(release: str) -> list[dict[str, Any]]:
    """Every variant of every good object, each named apart (v0, v1, ...)."""
    out = []
    for obj in good_objects(release):
        assert validate(obj, release) == [], obj["kind"]
        for variant in variants(obj):
            variant = copy.deepcopy(variant)
            variant["metadata"]["name"] = f"v{len(out)}"
            out.append(variant)
    return out


def where(obj: dict[str, Any]) -> str:
    meta = obj["metadata"]
    name = f"{meta['namespace']}/{meta['name']}" if "namespace" in meta else meta["name"]
    return f"{obj['kind']} {name}"


@pytest.fixture(scope="module")
def crds(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    root = tmp_path_factory.mktemp("crds")
    return {(flavor, release): write_crds(root / f"{flavor}-{release}.nix", flavor, release)
            for flavor in ("hetzkube", "nixidy") for release in RELEASES}  # fmt: skip


@pytest.mark.parametrize("release", RELEASES)
def test_easykubenix_module_reports_what_python_reports(
    release: str, crds: dict[tuple[str, str], Path], tmp_path: Path, lib_path: str
) -> None:
    objects = corpus(release)
    expected = sorted(f"{where(o)}: {p}" for o in objects for p in validate(o, release))
    assert len(expected) > 200  # the variants refused, some with several problems
    user = user_module(tmp_path / "user.nix", hetzkube_objects(objects))
    with pytest.raises(NixEvalError) as err:
        evaluate("hetzkube", crds[("hetzkube", release)], user, lib_path)
    listed = sorted(line.strip()[2:] for line in str(err.value).splitlines()
                    if line.strip().startswith("- "))  # fmt: skip
    assert listed == expected


@pytest.mark.parametrize("release", RELEASES)
def test_nixidy_module_refuses_what_python_refuses(
    release: str, crds: dict[tuple[str, str], Path], tmp_path: Path, lib_path: str
) -> None:
    objects = corpus(release)
    users = []
    for obj in objects:
        group, version = obj["apiVersion"].split("/")
        users.append({"applications": {"shop": {"namespace": "shop", "resources": {
            group: {version: {obj["kind"]: {obj["metadata"]["name"]: obj}}}}}}})
    path = tmp_path / "users.nix"
    path.write_text(emit.expr(users) + "\n", encoding="utf-8")
    accepted = judge("nixidy", crds[("nixidy", release)], path, lib_path, app="shop")
    python = [not validate(o, release) for o in objects]
    disagree = [(where(o), validate(o, release)) for o, a, b in zip(objects, accepted, python)
                if a != b]  # fmt: skip
    assert disagree == []
    assert 0 < sum(python) < len(python)
