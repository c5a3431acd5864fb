"""`nixgen upgrade-notes`: what changes for a config between two releases, through the CLI, on
the real releases 1.16.19 → 1.20.0 (step by step and in one jump), as text and as JSON held to
the schema nixgen ships."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschemacheck import errors

from nixgen import notes
from nixgen.cli import cli
from nixgen.facts import upgrade

RELEASES = ["1.16.19", "1.17.18", "1.18.4", "1.18.12", "1.19.6", "1.20.0"]

# A config of 1.16.19 that meets every kind of note on the way to 1.20.0 (it generates a valid
# module for 1.16.19).
OLD_CONFIG = textwrap.dedent("""\
    ciliumVersion = "1.16.19"

    [settings]
    routingMode = "native"
    ipv4NativeRoutingCIDR = "10.0.0.0/8"
    autoDirectNodeRoutes = true

    [production]
    loadBalancerIPPools = { public = ["192.0.2.0/28"] }

    [production.bgp]
    localASN = 64512
    peers = [ { name = "tor", address = "192.0.2.254", asn = 64513 } ]

    [[objects]]
    apiVersion = "cilium.io/v2alpha1"
    kind = "CiliumNodeConfig"
    metadata = { name = "lb-nodes", namespace = "kube-system" }
    spec = { nodeSelector = { matchLabels = { role = "lb" } }, defaults = { "enable-l2-announcements" = "true" } }

    [[objects]]
    apiVersion = "cilium.io/v2alpha1"
    kind = "CiliumBGPPeeringPolicy"
    metadata = { name = "legacy" }
    spec = { virtualRouters = [ { localASN = 64512, neighbors = [ { peerAddress = "192.0.2.1/32", peerASN = 64513 } ] } ] }

    [[objects]]
    apiVersion = "cilium.io/v2alpha1"
    kind = "CiliumLoadBalancerIPPool"
    metadata = { name = "mine" }
    spec = { blocks = [ { cidr = "198.51.100.0/28" } ] }

    [[objects]]
    apiVersion = "cilium.io/v2alpha1"
    kind = "CiliumPodIPPool"
    metadata = { name = "pods" }
    spec = { ipv4 = { cidrs = ["10.100.0.0/16"], maskSize = 24 } }

    [[objects]]
    apiVersion = "gateway.networking.k8s.io/v1"
    kind = "Gateway"
    metadata = { name = "main", namespace = "shop" }
    spec = { gatewayClassName = "cilium", listeners = [ { name = "http", port = 80, protocol = "HTTP" } ] }

    [values]
    l2podAnnouncements = { enabled = true, interface = "eth1" }
    nodePort = { enabled = true }
    enableCiliumEndpointSlice = true
    encryption = { strictMode = { enabled = false } }
    tls = { secretsBackend = "k8s" }
    authentication = { mutual = { spire = { enabled = true } } }
    """)  # noqa: E501


@pytest.fixture(scope="module")
def old_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("config") / "old.toml"
    path.write_text(OLD_CONFIG, encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["upgrade-notes", *args])


def notes_json(*args: str) -> dict[str, Any]:
    result = run(*args, "--output", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def jump(old_config: Path) -> dict[str, Any]:
    return notes_json("--config", str(old_config), "--from", "1.16.19", "--to", "1.20.0")


@pytest.fixture(scope="module")
def jump_text(old_config: Path) -> str:
    result = run("--config", str(old_config), "--from", "1.16.19", "--to", "1.20.0")
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def step(data: dict[str, Any], to: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["steps"] if s["to"] == to)
    return found


def values(data: dict[str, Any], to: str) -> dict[str, dict[str, Any]]:
    return {v["path"]: v for v in step(data, to)["values"]}


def defaults(data: dict[str, Any], to: str) -> dict[str, dict[str, Any]]:
    return {d["path"]: d for d in step(data, to)["defaults"]}


def test_the_config_is_one_nixgen_generates_for_its_release(old_config: Path) -> None:
    result = CliRunner().invoke(cli, ["module", "--config", str(old_config), "--format", "never"])
    assert result.exit_code == 0, result.stderr


def test_the_steps_are_the_known_releases_patch_included(jump: dict[str, Any]) -> None:
    assert [(s["from"], s["to"], s["patch"]) for s in jump["steps"]] == [
        ("1.16.19", "1.17.18", False), ("1.17.18", "1.18.4", False),
        ("1.18.4", "1.18.12", True), ("1.18.12", "1.19.6", False),
        ("1.19.6", "1.20.0", False)]  # fmt: skip


def test_each_skipped_minor_is_a_warning(jump: dict[str, Any], jump_text: str) -> None:
    assert [s["minor"] for s in jump["skipped"]] == ["1.17", "1.18", "1.19"]
    for m in ("1.17", "1.18", "1.19"):
        assert (f"warning: 1.16.19 → 1.20.0 skips Cilium {m}: Cilium upgrades one minor at a "
                f"time; upgrade to {m} first") in jump_text  # fmt: skip
    one = notes_json("--from", "1.18.4", "--to", "1.19.6")
    assert one["skipped"] == []


def test_removed_and_renamed_values_with_their_replacement(jump: dict[str, Any],
                                                           jump_text: str) -> None:  # fmt: skip
    assert values(jump, "1.18.4")["enableCiliumEndpointSlice"] | {"profiles": []} == {
        "path": "enableCiliumEndpointSlice", "change": "renamed", "minor": "1.18",
        "note": "use ciliumEndpointSlice.enabled",
        "renamedTo": "ciliumEndpointSlice.enabled", "stillRead": False, "profiles": []}  # fmt: skip
    at19 = values(jump, "1.19.6")
    assert at19["l2podAnnouncements.interface"]["renamedTo"] == (
        "l2podAnnouncements.interfacePattern")
    assert at19["nodePort.enabled"]["change"] == "removed"
    assert at19["nodePort.enabled"]["renamedTo"] is None
    assert at19["nodePort.enabled"]["profiles"] == ["local", "production"]
    assert values(jump, "1.20.0")["encryption.strictMode.enabled"]["renamedTo"] == (
        "encryption.strictMode.egress.enabled")
    assert ("    nodePort.enabled: removed in 1.19: set kubeProxyReplacement=true instead\n"
            in jump_text)  # fmt: skip
    assert ("    l2podAnnouncements.interface → l2podAnnouncements.interfacePattern (renamed in "
            "1.19; regen --migrate rewrites it)\n") in jump_text  # fmt: skip


def test_deprecated_values_on_the_step_that_deprecates_them(jump: dict[str, Any]) -> None:
    assert values(jump, "1.17.18")["tls.secretsBackend"]["change"] == "deprecated"
    at18 = values(jump, "1.18.4")
    assert {k for k, v in at18.items() if v["change"] == "deprecated"} == {
        "l2podAnnouncements.interface", "nodePort.enabled"}  # fmt: skip
    assert values(jump, "1.19.6")["encryption.strictMode.enabled"]["change"] == "deprecated"


def test_chart_defaults_that_change_under_keys_the_config_leaves_to_the_chart(
    jump: dict[str, Any], jump_text: str
) -> None:
    at19 = defaults(jump, "1.19.6")
    assert (at19["authentication.enabled"]["old"], at19["authentication.enabled"]["new"]) == (
        True, False)
    assert at19["authentication.enabled"]["doc"].startswith("Enable authentication processing")
    assert (at19["clustermesh.policyDefaultLocalCluster"]["old"],
            at19["clustermesh.policyDefaultLocalCluster"]["new"]) == (False, True)  # fmt: skip
    assert (at19["clustermesh.apiserver.tls.authMode"]["old"],
            at19["clustermesh.apiserver.tls.authMode"]["new"]) == ("legacy", "migration")
    at20 = defaults(jump, "1.20.0")
    duration = at20["clustermesh.apiserver.tls.auto.certValidityDuration"]
    assert (duration["old"], duration["new"]) == (1095, 365)
    assert "    clustermesh.apiserver.tls.auto.certValidityDuration: 1095 → 365\n" in jump_text
    assert "      Generated certificates validity duration in days.\n" in jump_text
    # Image pins follow every release: counted in the text, listed in JSON.
    assert at20["image.tag"] == {"path": "image.tag", "old": "v1.19.6", "new": "v1.20.0",
                                 "doc": at20["image.tag"]["doc"], "image": True,
                                 "profiles": ["local", "production"]}  # fmt: skip
    images = sum(d["image"] for d in at20.values())
    assert f"  {images} image tags and digests change with the release\n" in jump_text
    assert "image.tag:" not in jump_text


def test_a_key_the_config_sets_gets_no_default_note(tmp_path: Path) -> None:
    args = ["--from", "1.18.12", "--to", "1.19.6"]
    assert "authentication.enabled" in defaults(notes_json(*args), "1.19.6")
    mine = notes_json(*args, "--set", "authentication.enabled=true")
    assert "authentication.enabled" not in defaults(mine, "1.19.6")
    # Set above (a table) or below (a leaf of it): the key is not left to the chart either.
    below = notes_json(*args, "--set", "securityContext.capabilities.ciliumAgent=[]")
    assert "securityContext.capabilities.ciliumAgent" not in defaults(below, "1.19.6")


def test_a_default_left_to_the_chart_in_one_profile_only() -> None:
    from nixgen.checks.upgrade import _defaults

    leaves = {"local": set(), "production": {("authentication", "enabled")}}
    found = _defaults("1.18.12", "1.19.6", leaves)
    (note,) = [d for d in found if d.path == "authentication.enabled"]
    assert note.profiles == ["local"]
    step = notes.Step(from_="1.18.12", to="1.19.6", patch=False, values=[], defaults=[note],
                      rules=[], kinds=[], crds=notes.CrdChanges(added=[], removed=[]),
                      gatewayApi=None)  # fmt: skip
    assert "    authentication.enabled: true → false (the local profile)" in notes._step(step)


def test_rules_that_start_or_stop_applying(jump: dict[str, Any], jump_text: str) -> None:
    at19 = {(r["id"], r["change"]): r for r in step(jump, "1.19.6")["rules"]}
    spire = at19[("spire-needs-auth", "starts")]
    assert spire["broken"] == ["local", "production"] and spire["since"] == "1.19"
    assert at19[("k8s-service-host-auto", "starts")]["broken"] == []
    assert ("  rule spire-needs-auth starts applying (from 1.19; the config breaks it): "
            "authentication.mutual.spire.enabled needs authentication.enabled") in jump_text
    # A rule whose paths the config does not set is not mentioned.
    assert ("standalone-dns-proxy-port", "starts") not in at19


def test_a_rule_that_stops_applying(tmp_path: Path) -> None:
    data = notes_json("--from", "1.18.12", "--to", "1.19.6", "--set",
                      "authentication.mutual.spire.enabled=true", "--set",
                      "authentication.enabled=true")  # fmt: skip
    found = {(r["id"], r["change"]) for r in step(data, "1.19.6")["rules"]}
    assert {("spire-needs-auth", "stops"), ("spire-needs-auth", "starts")} <= found
    stops = next(r for r in step(data, "1.19.6")["rules"] if r["change"] == "stops")
    assert stops["until"] == "1.18" and stops["broken"] == []


def test_kinds_whose_api_version_or_crd_changes(jump: dict[str, Any], jump_text: str) -> None:
    at18 = {k["kind"]: k for k in step(jump, "1.18.4")["kinds"]}
    pool = at18["CiliumLoadBalancerIPPool"]
    assert (pool["storageFrom"], pool["storageTo"]) == ("cilium.io/v2alpha1", "cilium.io/v2")
    generated = next(o for o in pool["objects"] if o["origin"].startswith("production."))
    assert generated["followsRelease"] and generated["newApiVersion"] == "cilium.io/v2"
    mine = next(o for o in pool["objects"] if o["origin"] == "objects[2]")
    assert not mine["followsRelease"] and mine["newApiVersion"] == "cilium.io/v2alpha1"
    assert set(at18) >= {"CiliumBGPClusterConfig", "CiliumBGPPeerConfig",
                         "CiliumBGPAdvertisement", "CiliumBGPPeeringPolicy"}  # fmt: skip
    at19 = {k["kind"]: k for k in step(jump, "1.19.6")["kinds"]}
    assert at19["CiliumBGPPeeringPolicy"]["storageTo"] is None
    assert ("  CiliumBGPPeeringPolicy: Cilium 1.19.6 ships no CiliumBGPPeeringPolicy CRD: the "
            "config's objects of it must go (objects[1] legacy)\n") in jump_text
    assert ("  CiliumLoadBalancerIPPool: objects[2] mine: Cilium 1.19.6 deprecates "
            "cilium.io/v2alpha1: move it to cilium.io/v2\n") in jump_text
    at20 = {k["kind"]: k for k in step(jump, "1.20.0")["kinds"]}
    assert ("objects[0] kube-system/lb-nodes: Cilium 1.20.0 no longer serves cilium.io/v2alpha1: "
            "write it as cilium.io/v2 (regen --migrate rewrites it)"
            in at20["CiliumNodeConfig"]["messages"])  # fmt: skip
    assert at20["CiliumPodIPPool"]["messages"] == [
        "Cilium 1.20.0 defines cilium.io/v2 but does not serve it: keep cilium.io/v2alpha1"]
    # Kinds that do not change are not listed: the policies nixgen writes stay at v2.
    assert all("CiliumClusterwideNetworkPolicy" not in s["kinds"] for s in jump["steps"])


def test_crds_added_and_removed(jump: dict[str, Any], jump_text: str) -> None:
    crds = {s["to"]: s["crds"] for s in jump["steps"]}
    assert crds["1.18.4"] == {"added": ["CiliumGatewayClassConfig"],
                              "removed": ["CiliumExternalWorkload"]}  # fmt: skip
    assert crds["1.19.6"] == {"added": [], "removed": ["CiliumBGPPeeringPolicy"]}
    assert crds["1.20.0"] == {"added": ["CiliumDatapathPlugin"], "removed": []}
    assert crds["1.18.12"] == {"added": [], "removed": []}
    assert "  CRDs added: CiliumDatapathPlugin\n" in jump_text


def test_the_gateway_api_release_change(jump: dict[str, Any], jump_text: str) -> None:
    changes = {s["to"]: s["gatewayApi"] for s in jump["steps"]}
    assert [(g["from"], g["to"]) for g in changes.values() if g] == [
        ("1.1.0", "1.2.0"), ("1.2.0", "1.4.1"), ("1.4.1", "1.5.1")]  # fmt: skip
    assert changes["1.18.4"] is None and changes["1.18.12"] is None
    assert changes["1.19.6"]["kinds"] == ["Gateway"] and changes["1.19.6"]["deployedByModule"]
    assert ("  gateway-api: 1.2.0 → 1.4.1 (the module deploys it); check the config's Gateway "
            "objects against it\n") in jump_text
    nixidy = notes_json("--from", "1.18.4", "--to", "1.19.6", "--flavor", "nixidy",
                        "--gateway-api-version", "1.3.0")  # fmt: skip
    gateway = step(nixidy, "1.19.6")["gatewayApi"]
    assert not gateway["deployedByModule"] and gateway["pinned"] == "1.3.0"


def test_one_jump_is_the_steps_one_by_one(old_config: Path, jump: dict[str, Any]) -> None:
    for i, (a, b) in enumerate(zip(RELEASES, RELEASES[1:])):
        one = notes_json("--config", str(old_config), "--from", a, "--to", b)
        assert one["steps"] == [jump["steps"][i]], (a, b)


def test_a_patch_step_alone(jump: dict[str, Any]) -> None:
    patch = step(jump, "1.18.12")
    assert patch["values"] == patch["rules"] == patch["kinds"] == []
    assert all(d["image"] for d in patch["defaults"])


def test_json_is_valid_against_the_shipped_schema(jump: dict[str, Any]) -> None:
    schema = json.loads(Path(notes.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert errors(jump, schema) == []
    assert errors(notes_json("--from", "1.18.4", "--to", "1.20.0", "--flavor", "nixidy"),
                  schema) == []  # fmt: skip
    broken = {**jump, "steps": [{**jump["steps"][0], "surprise": 1}]}
    assert errors(broken, schema) != []
    assert errors({**jump, "from": 1}, schema) != []


def test_the_shipped_schema_is_the_models_and_schema_prints_it() -> None:
    shipped = Path(notes.SCHEMA_FILE).read_text(encoding="utf-8")
    assert shipped == notes.schema_text()
    result = run("--schema")
    assert result.exit_code == 0 and result.stdout == shipped


def test_json_reads_back_into_the_model(jump: dict[str, Any]) -> None:
    model = notes.UpgradeNotes.model_validate(jump)
    assert json.loads(notes.as_json(model)) == jump


def test_the_output_is_deterministic(old_config: Path, jump_text: str) -> None:
    again = run("--config", str(old_config), "--from", "1.16.19", "--to", "1.20.0")
    assert again.stdout == jump_text


def test_from_defaults_to_the_configs_release(old_config: Path, jump: dict[str, Any]) -> None:
    assert notes_json("--config", str(old_config), "--to", "1.20.0") == jump


def test_a_patch_release_without_facts_of_its_own(tmp_path: Path) -> None:
    data = notes_json("--from", "1.19.3", "--to", "1.20.1")
    assert (data["factsFrom"], data["factsTo"]) == ("1.19.6", "1.20.0")
    assert [(s["from"], s["to"]) for s in data["steps"]] == [("1.19.6", "1.20.0")]
    text = run("--from", "1.20.0", "--to", "1.20.1").stdout
    assert "both have the same facts" in text


def test_the_default_config_on_the_way_to_1_20(tmp_path: Path) -> None:
    """Without a config: the defaults' notes (no removed values, the defaults that change)."""
    data = notes_json("--from", "1.18.4", "--to", "1.20.0")
    assert all(s["values"] == [] for s in data["steps"])
    assert "authentication.enabled" in defaults(data, "1.19.6")


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "1.21.0", "--to", "1.21.1"], "--from 1.21.0: nixgen has no facts for Cilium 1.21"),
    (["--from", "1.18.4", "--to", "1.22.0"], "--to 1.22.0: nixgen has no facts for Cilium 1.22"),
    (["--from", "1.18", "--to", "1.19.6"], "--from 1.18: '1.18' is not a version"),
    (["--from", "1.19.6", "--to", "1.18.4"], "--from 1.19.6 is not older than --to 1.18.4"),
    (["--from", "1.19.6", "--to", "1.19.6"], "--from 1.19.6 is not older than --to 1.19.6"),
    (["--from", "1.18.4"], "--to X.Y.Z is required"),
    (["--to", "1.19.6"], "--from X.Y.Z is required"),
    (["--from", "1.18.4", "--to", "1.19.6", "--config", "/nonexistent.toml"],
     "--config /nonexistent.toml"),
])  # fmt: skip
def test_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("nixgen: error: ") and message in line, line


def test_the_default_change_table_is_the_chart_facts() -> None:
    """Computed, not kept: each entry is the two releases' values.yaml defaults."""
    from nixgen.facts import chart

    for a, b in zip(RELEASES, RELEASES[1:]):
        for change in upgrade.default_changes(a, b):
            assert chart.load(a).info(change.path).default == change.old
            assert chart.load(b).info(change.path).default == change.new
    def found(a: str, b: str) -> list[tuple[str, Any, Any]]:
        return [(".".join(c.path), c.old, c.new) for c in upgrade.default_changes(a, b)]

    for change in [("l2NeighDiscovery.enabled", True, False),
                   ("startupProbe.failureThreshold", 105, 300),
                   ("enableIPv4Masquerade", True, None)]:  # fmt: skip
        assert change in found("1.17.18", "1.18.4")
    assert ("dnsProxy.endpointMaxIpPerHostname", 50, 1000) in found("1.16.19", "1.17.18")
    assert ("operator.securityContext", {}, {"allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]}}) in found("1.17.18", "1.18.4")  # fmt: skip


def test_the_readme_sample_is_what_nixgen_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from goldens import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Upgrading Cilium\n"):]
    section = section[: section.index("\n## ", 1)]
    config = section[section.index("```toml\n") + 8:]
    config = config[: config.index("```")]
    command = "$ nixgen upgrade-notes --config nixgen.toml --to 1.19.6\n"
    shown = section[section.index(command) + len(command):]
    shown = shown[: shown.index("```")]
    (tmp_path / "nixgen.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("--config", "nixgen.toml", "--to", "1.19.6")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == shown
