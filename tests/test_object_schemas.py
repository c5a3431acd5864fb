"""Objects of Gateway API kinds are checked against the CRDs of the gateway-api release the
module deploys, and objects of Kubernetes' own kinds against Kubernetes' OpenAPI schemas
(kubernetes-validate, the nixgen[k8s] extra); the gateway-api schemas come from the project's
own importer."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from clirun import one_line_error, process

ROOT = Path(__file__).resolve().parent.parent
GW = "gateway.networking.k8s.io/v1"


def _gateway(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": GW, "kind": "Gateway", "metadata": {"name": "main", "namespace": "shop"},
            "spec": {"gatewayClassName": "cilium", **spec}}  # fmt: skip


LISTENERS = [{"name": "http", "port": 80, "protocol": "HTTP"}]


def _route(path_type: str, api: str = GW) -> dict[str, Any]:
    return {"apiVersion": api, "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "shop"},
            "spec": {"parentRefs": [{"name": "main"}],
                     "rules": [{"matches": [{"path": {"type": path_type, "value": "/"}}]}]}}  # fmt: skip


def _run(tmp_path: Path, config: dict[str, Any], *args: str, env: dict[str, str] | None = None,
         command: str = "module") -> Any:  # fmt: skip
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    target = tmp_path / "out.nix"
    more = ["-o", str(target)] if command in ("module", "node") else []
    done = process(command, "--format", "never", "--config", str(path), *more, *args, env=env)
    return done, target


# ---------------------------------------------------------------- Gateway API


@pytest.mark.parametrize(("objects", "wanted"), [
    ([_gateway(listners=LISTENERS)],
     "objects[0]: Gateway shop/main: spec.listners: the CRD has no such field: the API server "
     "would drop it (did you mean listeners?)"),
    ([_gateway(listeners=LISTENERS), _route("Prefix")],
     'objects[1]: HTTPRoute shop/r: spec.rules[0].matches[0].path.type: "Prefix" is not one of '
     "Exact, PathPrefix, RegularExpression"),
    ([_route("PathPrefix", "gateway.networking.k8s.io/v1alpha2")],
     "objects[0]: HTTPRoute shop/r: apiVersion: gateway-api 1.2.0 does not serve "
     "gateway.networking.k8s.io/v1alpha2 for HTTPRoute (served: v1, v1beta1)"),
    ([_gateway(listeners=[{"name": "http", "port": "80", "protocol": "HTTP"}])],
     'spec.listeners[0].port: "80" (a string) is not an integer'),
    ([{"kind": "Gateway", "patch": True, "metadata": {"name": "main", "namespace": "shop"},
       "spec": {"listners": []}}],
     "objects[0]: Gateway shop/main: spec.listners: the CRD has no such field"),
])  # fmt: skip
def test_gateway_api_objects_are_checked_against_the_pinned_release(
    objects: list[dict[str, Any]], wanted: str, tmp_path: Path
) -> None:
    done, target = _run(tmp_path, {"objects": objects})
    one_line_error(done, wanted)
    assert not target.exists()


def test_good_gateway_api_objects_and_a_partial_patch_pass(tmp_path: Path) -> None:
    patch = {"kind": "Gateway", "patch": True, "metadata": {"name": "other", "namespace": "shop"},
             "spec": {"infrastructure": {"labels": {"a": "b"}}}}  # no required fields in a patch
    done, target = _run(tmp_path, {"objects": [_gateway(listeners=LISTENERS),
                                               _route("PathPrefix"), patch]})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_release_follows_the_cilium_minor(tmp_path: Path) -> None:
    policy = {"apiVersion": GW, "kind": "BackendTLSPolicy",
              "metadata": {"name": "b", "namespace": "shop"},
              "spec": {"targetRefs": [{"group": "", "kind": "Service", "name": "s"}],
                       "validation": {"hostname": "x", "wellKnownCACertificates": "System",
                                      "bogus": 1}}}  # fmt: skip
    # Cilium 1.18 deploys gateway-api 1.2.0, which has no BackendTLSPolicy in its standard
    # channel: not checked, said so.
    done, _ = _run(tmp_path, {"objects": [policy]})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("nixgen: warning: objects[0] (BackendTLSPolicy shop/b): not checked: "
                           "gateway-api 1.2.0's standard channel has no BackendTLSPolicy CRD "
                           "(an experimental kind is deployed as given)\n")  # fmt: skip
    # Cilium 1.19 deploys 1.4.1, which has it: checked.
    done, _ = _run(tmp_path, {"ciliumVersion": "1.19.6", "objects": [policy]})
    one_line_error(done, "BackendTLSPolicy shop/b: spec.validation.bogus: the CRD has no such "
                         "field")  # fmt: skip
    # and gatewayApiVersion chooses the release, for the objects as for the deployment
    done, _ = _run(tmp_path, {"gatewayApiVersion": "1.5.1", "objects": [policy]})
    one_line_error(done, "spec.validation.bogus")


def test_a_gateway_api_release_without_schemas_is_a_warning(tmp_path: Path) -> None:
    """gatewayApiVersion may name a release newer than nixgen knows (gateway-api releases on
    its own schedule): the objects are deployed, unchecked, and nixgen says so."""
    done, target = _run(tmp_path, {"gatewayApiVersion": "1.9.0",
                                   "objects": [_gateway(listners=LISTENERS)]})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert target.exists()
    assert done.stderr == (
        "nixgen: warning: objects[0] (Gateway shop/main): not checked: nixgen has no schemas of "
        "gateway-api 1.9.0 (it has 1.1.0, 1.2.0, 1.3.0, 1.4.1, 1.5.1); import them with "
        "`nixgen catalog import-gateway-api`\n")  # fmt: skip


# ---------------------------------------------------------------- core kinds


def _cm(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "m", "namespace": "shop"}, **body}  # fmt: skip


CORE_REFUSED = [
    ({"objects": [_cm(dat={"a": "b"})]},
     "objects[0]: ConfigMap shop/m: dat: Kubernetes 1.33's ConfigMap has no such field; the API "
     "server refuses it (did you mean data?)"),
    ({"objects": [_cm(data={"a": 1})]}, "objects[0]: ConfigMap shop/m: data.a: 1 is not a string"),
    ({"objects": [{"apiVersion": "v1", "kind": "Service",
                   "metadata": {"name": "s", "namespace": "shop"},
                   "spec": {"ports": [{"port": "http"}]}}]},
     'objects[0]: Service shop/s: spec.ports[0].port: "http" is not an integer'),
    ({"objects": [{"apiVersion": "v1", "kind": "ConfigMAp",
                   "metadata": {"name": "m", "namespace": "shop"}}]},
     "objects[0]: ConfigMAp shop/m: kind: Kubernetes 1.33 serves no ConfigMAp in v1"),
    ({"objects": [{"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "d", "namespace": "shop"}, "spec": {}}]},
     "objects[0]: Deployment shop/d: spec.selector: is required but missing"),
    ({"objects": [{"kind": "Service", "patch": True,
                   "metadata": {"name": "hubble-relay", "namespace": "kube-system"},
                   "spec": {"typ": "LoadBalancer"}}]},
     "objects[0]: Service kube-system/hubble-relay: spec.typ: Kubernetes 1.33's Service has no "
     "such field; the API server refuses it (did you mean type?)"),
    ({"policies": {"extra": [{"kind": "NetworkPolicy", "name": "p", "namespace": "shop",
                              "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {}}]}]}}]}},
     "policies.extra[0]: NetworkPolicy shop/p: spec.ingress[0].from[0].ipBlock.cidr: is required "
     "but missing"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "wanted"), CORE_REFUSED)
def test_core_objects_are_checked_against_kubernetes_schemas(
    config: dict[str, Any], wanted: str, tmp_path: Path
) -> None:
    from nixgen.checks import core

    assert core.available(), "the test extra installs kubernetes-validate"
    done, target = _run(tmp_path, config)
    one_line_error(done, wanted)
    assert not target.exists()


def test_good_core_objects_partial_patches_and_expressions_pass(tmp_path: Path) -> None:
    config = {"objects": [
        _cm(data={"a": "b", "host": {"$nix": "config.clusterHost"}}),
        {"kind": "Service", "patch": True,
         "metadata": {"name": "hubble-relay", "namespace": "kube-system"},
         "spec": {"type": "LoadBalancer"}},  # a patch needs none of the required fields
        {"apiVersion": "apps.example.com/v1", "kind": "Deployment",  # not Kubernetes' own
         "metadata": {"name": "d", "namespace": "shop"}, "spec": {"anything": 1}},
    ], "policies": {"extra": [{"kind": "NetworkPolicy", "name": "p", "namespace": "shop",
                               "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}]}}  # fmt: skip
    done, target = _run(tmp_path, config)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_without_kubernetes_validate_core_objects_are_a_warning(tmp_path: Path) -> None:
    """The package made unimportable: the objects are deployed unchecked, and one line says
    which and how to check them."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "kubernetes_validate.py").write_text("raise ImportError('hidden for the test')\n")
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(hide), os.environ.get("PYTHONPATH")]))}
    config = {"objects": [_cm(dat={"a": "b"})],
              "policies": {"extra": [{"kind": "NetworkPolicy", "name": "p", "namespace": "shop",
                                      "spec": {"podSelector": {}}}]}}  # fmt: skip
    done, target = _run(tmp_path, config, env=env)
    assert done.returncode == 0, done.stderr
    assert target.exists()
    assert done.stderr == (
        "nixgen: warning: policies.extra[0] (NetworkPolicy shop/p), objects[0] (ConfigMap shop/m): "
        "not checked against Kubernetes 1.33's schemas, which need the kubernetes-validate "
        "package: pip install 'nixgen[k8s]'\n")  # fmt: skip


def test_the_k8s_extra_is_part_of_the_test_extra() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]  # fmt: skip
    assert extras["k8s"] == ["kubernetes-validate>=1.33"]
    assert "kubernetes-validate>=1.33" in extras["test"]
    assert not any("kubernetes" in d for d in
                   tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def test_the_kubernetes_release_judged_against_is_one_kubernetes_validate_ships() -> None:
    import kubernetes_validate

    from nixgen.checks import core

    assert core.KUBERNETES_VERSION in {".".join(v.split(".")[:2])
                                       for v in kubernetes_validate.utils.all_versions()}  # fmt: skip
