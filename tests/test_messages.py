"""An error names what the user wrote: the config key, the profile, the value; never a name of
nixgen's own (a pydantic union branch, a model, a marker class, a template binding)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from clirun import one_line_error, process

# Names of nixgen's own that a message must never show.
INTERNAL = ("Raw(", "Split(", "Attrs(", "Call(", "If(", "merged", "settingValues", "Profiles",
            "NixExpr", "constrained-", "function-", "kubernetes.resources", "applications.cilium",
            "cfg.", "lib.", "internal error", "instance of", "Field required",
            "Extra inputs")  # fmt: skip


def _clean(line: str) -> None:
    for name in INTERNAL:
        assert name not in line, line


def _run(tmp_path: Path, config: dict[str, Any], *args: str,
         command: str = "module") -> str:  # fmt: skip
    path = tmp_path / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    line = one_line_error(process(command, "--format", "never", "--config", str(path), *args))
    _clean(line)
    return line


CASES = [
    ({"settings": {"operator": {"replicas": {"local": 1, "production": -3}}}},
     "settings.operator.replicas (production profile) = -3: Input should be greater than or "
     "equal to 0"),
    ({"settings": {"operator": {"replicas": {"local": 1}}}},
     "settings.operator.replicas (production profile): required, and not given"),
    ({"settings": {"routingMode": {"local": "native", "production": "bogus"}}},
     """settings.routingMode (production profile) = "bogus": Input should be 'tunnel' or"""),
    ({"settings": {"k8sServiceHost": {"local": {"nix": "if"}, "production": "x"}}},
     "settings.k8sServiceHost.local.nix: 'if' is not a Nix attribute path"),
    ({"settings": {"k8sServicePort": {}}},
     'settings.k8sServicePort = {}: a setting takes a plain value, { nix = "..." } or '
     "{ local = ..., production = ... }"),
    ({"settings": {"operator": {"replicas": {"default": 3}}}},
     'settings.operator.replicas = {"default": 3}: a setting takes a plain value'),
    ({"settings": {"operator": {"replicas": {"local": 1, "production": 2, "x": 3}}}},
     "settings.operator.replicas.x: not a key nixgen knows here"),
    ({"production": {"l2announcements": {"k8sClientRateLimit": {"qps": 0}}}},
     "production.l2announcements.k8sClientRateLimit.qps = 0: Input should be greater than or "
     "equal to 1"),
    ({"production": {"l2announcements": {"interfacs": []}}},
     "production.l2announcements.interfacs: not a key nixgen knows here"),
    ({"production": {"bgp": 3}}, "production.bgp = 3: should be a table"),
    ({"values": {"operator": {"replicas": {"local": {"nix": "config.x"}, "production": -1}}}},
     'operator.replicas = {"local": {"nix": "config.x"}, "production": -1}: takes a plain value'),
    ({"values": {"podAnnotations": {"a\u0000b": "x"}}},
     'values.podAnnotations: the key "a\\u0000b": a Nix string cannot hold a NUL character'),
    ({"objects": [{"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "m", "namespace": "n"}, "data": {"\u0000": "x"}}]},
     'objects[0].data: the key "\\u0000": a Nix string cannot hold a NUL character'),
    ({"objects": [{"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "m", "namespace": "n",
                                "annotations": {"a": "x\u0000"}}}]},
     "objects[0].metadata.annotations.a: a Nix string cannot hold a NUL character"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "wanted"), CASES)
def test_messages_name_the_users_key_profile_and_value(
    config: dict[str, Any], wanted: str, tmp_path: Path
) -> None:
    assert wanted in _run(tmp_path, config)


def test_a_set_key_nix_cannot_hold_is_named_by_its_values_path(tmp_path: Path) -> None:
    done = process("module", "--set", 'a={"x\\u0000y":1}', "--unchecked", "a")
    line = one_line_error(done, 'values.a: the key "x\\u0000y": a Nix string cannot hold a NUL')
    _clean(line)


def test_a_node_value_is_shown_as_the_user_wrote_it() -> None:
    done = process("node", "--format", "never", "--set", "cni.binPath=relative",
                   "--unchecked", "cni")  # fmt: skip
    line = one_line_error(done)
    _clean(line)
    assert "'relative'" not in line


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=4),
    st.sampled_from([{"nix": "if"}, {"nix": 3}, {"nix": "config.x"}, {"local": 1}, {},
                     {"local": 1, "production": -3}, {"default": 3}, {"a": 1},
                     {"local": {"nix": "config.x"}, "production": "y"}, [1], ["a"]]),
)  # fmt: skip
KEYS = st.sampled_from([
    ("settings", "routingMode"), ("settings", "k8sServiceHost"), ("settings", "k8sServicePort"),
    ("settings", "operator", "replicas"), ("settings", "hubble", "relay", "enabled"),
    ("settings", "ipam", "operator", "clusterPoolIPv4PodCIDRList"), ("settings", "encryption"),
    ("settings", "cni", "binPath"), ("production", "l2announcements"),
    ("production", "l2announcements", "k8sClientRateLimit"), ("production", "bgp"),
    ("production", "loadBalancerIPPools"), ("values", "operator", "replicas"),
    ("values", "hubble", "relay", "enabled"), ("values", "tunnelProtocol"),
    ("values", "cni", "binPath"), ("policies", "extra"), ("objects",),
])  # fmt: skip


@pytest.mark.slow
@settings(max_examples=60)
@given(key=KEYS, value=JUNK, command=st.sampled_from(["module", "node"]))
def test_no_message_names_what_is_nixgens_own(
    key: tuple[str, ...], value: Any, command: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    config: Any = value
    for part in reversed(key):
        config = {part: config}
    path = tmp_path_factory.mktemp("msg") / "nixgen.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    done = process(command, "--format", "never", "--config", str(path))
    assert done.returncode in (0, 2), done.stderr
    if done.returncode == 2:
        _clean(one_line_error(done))
