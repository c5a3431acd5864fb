"""`nixgen regen FILE --cilium-version X` prints the upgrade notes on stderr before it writes,
and with `--migrate` rewrites what a release renamed (values, settings, object apiVersions it no
longer serves), saying each rewrite; a refused regen leaves the file byte for byte."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from nixgen import generate
from nixgen.cli import cli
from nixgen.facts import upgrade
from nixgen.facts.upgrade import KeyChange
from nixgen.input import config


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def module_of(tmp_path: Path, text: str, name: str = "cilium.nix") -> Path:
    """A module generated from the config `text` (a file nixgen wrote, header and all)."""
    conf = tmp_path / "nixgen.toml"
    conf.write_text(textwrap.dedent(text), encoding="utf-8")
    out = tmp_path / name
    result = invoke("module", "--config", str(conf), "-o", str(out), "--format", "never")
    assert result.exit_code == 0, result.stderr
    return out


def test_a_bump_prints_the_notes_on_stderr_then_writes(tmp_path: Path) -> None:
    file = module_of(tmp_path, 'ciliumVersion = "1.18.4"\n')
    result = invoke("regen", str(file), "--cilium-version", "1.19.6", "--format", "never")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"Cilium 1.18.4 → 1.19.6, hetzkube flavour, config {file}\n")
    assert "    authentication.enabled: true → false\n" in result.stderr
    assert "  gateway-api: 1.2.0 → 1.4.1 (the module deploys it)\n" in result.stderr
    assert config.read_header(file)[0]["ciliumVersion"] == "1.19.6"


def test_a_bump_that_skips_a_minor_says_so(tmp_path: Path) -> None:
    file = module_of(tmp_path, 'ciliumVersion = "1.18.4"\n')
    result = invoke("regen", str(file), "--cilium-version", "1.20.0", "--format", "never")
    assert result.exit_code == 0, result.stderr
    assert ("warning: 1.18.4 → 1.20.0 skips Cilium 1.19: Cilium upgrades one minor at a time; "
            "upgrade to 1.19 first\n") in result.stderr  # fmt: skip


def test_no_notes_without_a_bump_and_one_line_for_a_downgrade(tmp_path: Path) -> None:
    file = module_of(tmp_path, 'ciliumVersion = "1.19.6"\n')
    assert invoke("regen", str(file), "--format", "never").stderr == ""
    result = invoke("regen", str(file), "--cilium-version", "1.18.4", "--format", "never")
    assert result.exit_code == 0
    assert result.stderr == "nixgen: note: 1.19.6 → 1.18.4 is a downgrade: no upgrade notes\n"


REMOVED = """\
    ciliumVersion = "1.18.12"

    [values]
    nodePort = { enabled = true }
    l2podAnnouncements = { enabled = true, interface = "eth1" }
    """


@pytest.mark.parametrize("migrate", [False, True])
def test_a_refused_regen_leaves_the_file_byte_identical(tmp_path: Path, migrate: bool) -> None:
    file = module_of(tmp_path, REMOVED)
    before = file.read_bytes()
    args = ["regen", str(file), "--cilium-version", "1.19.6", "--format", "never"]
    result = invoke(*args, *(["--migrate"] if migrate else []))
    assert result.exit_code == 2
    assert file.read_bytes() == before
    assert "    nodePort.enabled: removed in 1.19: set kubeProxyReplacement=true instead\n" in (
        result.stderr)
    last = result.stderr.splitlines()[-1]
    assert last.startswith("nixgen: error: ")
    # Without --migrate the first refusal is the renamed key; with it, the removed one is left.
    first = "nodePort.enabled" if migrate else "l2podAnnouncements.interface"
    assert last.startswith(f"nixgen: error: {first}: Cilium 1.19.6's chart has no such value")
    # --migrate rewrites the mechanical rename (and says so), not the change of meaning.
    said = "nixgen: migrated values.l2podAnnouncements.interface → " \
           "values.l2podAnnouncements.interfacePattern (renamed in Cilium 1.19)\n"
    assert (said in result.stderr) is migrate
    assert not list(tmp_path.glob("*.tmp*"))


def test_migrate_rewrites_values_and_object_api_versions(tmp_path: Path) -> None:
    file = module_of(tmp_path, """\
        ciliumVersion = "1.19.6"

        [[objects]]
        apiVersion = "cilium.io/v2alpha1"
        kind = "CiliumNodeConfig"
        metadata = { name = "lb-nodes", namespace = "kube-system" }
        spec = { nodeSelector = { matchLabels = { role = "lb" } }, defaults = { "enable-l2-announcements" = "true" } }

        [[objects]]
        apiVersion = "cilium.io/v2alpha1"
        kind = "CiliumLoadBalancerIPPool"
        metadata = { name = "still-served" }
        spec = { blocks = [ { cidr = "198.51.100.0/28" } ] }

        [values]
        encryption = { strictMode = { enabled = false, cidr = "" } }
        clustermesh = { enableMCSAPISupport = false, apiserver = { tls = { server = { extraDnsNames = ["mesh.example.com"] } } } }
        """)  # noqa: E501
    before = file.read_bytes()
    plain = invoke("regen", str(file), "--cilium-version", "1.20.0", "--format", "never")
    assert plain.exit_code == 2 and file.read_bytes() == before
    result = invoke("regen", str(file), "--cilium-version", "1.20.0", "--format", "never",
                    "--migrate")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("nixgen: migrated ")]
    assert said == [
        "nixgen: migrated values.clustermesh.apiserver.tls.server.extraDnsNames → "
        "values.clustermesh.apiserver.tls.auto.server.extraDnsNames (renamed in Cilium 1.20)",
        "nixgen: migrated values.clustermesh.enableMCSAPISupport → "
        "values.clustermesh.mcsapi.enabled (renamed in Cilium 1.20)",
        "nixgen: migrated values.encryption.strictMode.cidr → "
        "values.encryption.strictMode.egress.cidr (renamed in Cilium 1.20)",
        "nixgen: migrated values.encryption.strictMode.enabled → "
        "values.encryption.strictMode.egress.enabled (renamed in Cilium 1.20)",
        "nixgen: migrated objects[0]: CiliumNodeConfig lb-nodes: apiVersion cilium.io/v2alpha1 → "
        "cilium.io/v2 (Cilium 1.20.0 does not serve cilium.io/v2alpha1)",
    ]  # fmt: skip
    header, _ = config.read_header(file)
    assert header["ciliumVersion"] == "1.20.0"
    assert header["values"] == {
        "encryption": {"strictMode": {"egress": {"enabled": False, "cidr": ""}}},
        "clustermesh": {"apiserver": {"tls": {"auto": {"server": {
            "extraDnsNames": ["mesh.example.com"]}}}}, "mcsapi": {"enabled": False}}}  # fmt: skip
    assert [o["apiVersion"] for o in header["objects"]] == ["cilium.io/v2", "cilium.io/v2alpha1"]
    # What was written is what nixgen writes for the migrated spec: every check passed.
    assert file.read_text(encoding="utf-8") == generate(header)


def test_migrate_follows_a_key_over_several_minors(tmp_path: Path) -> None:
    file = module_of(tmp_path, """\
        ciliumVersion = "1.17.18"

        [values]
        enableCiliumEndpointSlice = true
        """)
    result = invoke("regen", str(file), "--cilium-version", "1.19.6", "--format", "never",
                    "--migrate")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert config.read_header(file)[0]["values"] == {"ciliumEndpointSlice": {"enabled": True}}
    assert "skips Cilium 1.18" in result.stderr


def test_migrate_needs_a_bump(tmp_path: Path) -> None:
    file = module_of(tmp_path, 'ciliumVersion = "1.19.6"\n')
    result = invoke("regen", str(file), "--migrate")
    assert result.exit_code == 2
    assert result.stderr == ("nixgen: error: --migrate needs --cilium-version: it rewrites what "
                             "the new release renamed\n")  # fmt: skip


# No typed setting's key was renamed between the releases nixgen knows, so the settings side of
# --migrate is shown with a stubbed rename table.


def _stub(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    real = upgrade.renames

    def renames(a: str, b: str) -> list[KeyChange]:
        extra = [KeyChange(tuple(old.split(".")), "1.20", "removed", f"use {new}",
                           tuple(new.split(".")))] if upgrade.crossed(a, b, "1.20") else []
        return [*real(a, b), *extra]

    monkeypatch.setattr(upgrade, "renames", renames)


def test_migrate_moves_a_setting_to_values_where_the_new_key_is_no_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stub(monkeypatch, "bpf.masquerade", "enableIPv4Masquerade")
    file = module_of(tmp_path, """\
        ciliumVersion = "1.19.6"

        [settings]
        bpf.masquerade = false
        """)
    result = invoke("regen", str(file), "--cilium-version", "1.20.0", "--format", "never",
                    "--migrate")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert ("nixgen: migrated settings.bpf.masquerade → values.enableIPv4Masquerade (renamed in "
            "Cilium 1.20)\n") in result.stderr  # fmt: skip
    header, _ = config.read_header(file)
    assert "settings" not in header and header["values"] == {"enableIPv4Masquerade": False}


def test_migrate_keeps_a_setting_a_setting_and_refuses_what_values_cannot_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stub(monkeypatch, "hubble.ui.enabled", "ingressController.enabled")
    file = module_of(tmp_path, """\
        ciliumVersion = "1.19.6"

        [settings]
        hubble.ui.enabled = false
        """)
    result = invoke("regen", str(file), "--cilium-version", "1.20.0", "--format", "never",
                    "--migrate")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert config.read_header(file)[0]["settings"] == {"ingressController": {"enabled": False}}

    monkeypatch.undo()
    _stub(monkeypatch, "operator.replicas", "operator.replicaCount")
    split = module_of(tmp_path, """\
        ciliumVersion = "1.19.6"

        [settings]
        operator.replicas = { local = 1, production = 3 }
        """, "split.nix")
    before = split.read_bytes()
    result = invoke("regen", str(split), "--cilium-version", "1.20.0", "--format", "never",
                    "--migrate")  # fmt: skip
    assert result.exit_code == 2 and split.read_bytes() == before
    assert result.stderr.splitlines()[-1] == (
        "nixgen: error: settings.operator.replicas: Cilium 1.20 renamed it to "
        "operator.replicaCount, not a typed setting, and `values` takes no value per profile: "
        "rewrite it by hand")  # fmt: skip


def test_a_migration_onto_a_key_already_set_is_refused(tmp_path: Path) -> None:
    file = module_of(tmp_path, """\
        ciliumVersion = "1.19.6"

        [values]
        clustermesh = { enableMCSAPISupport = true, mcsapi = { enabled = false } }
        """)
    before = file.read_bytes()
    result = invoke("regen", str(file), "--cilium-version", "1.20.0", "--format", "never",
                    "--migrate")  # fmt: skip
    assert result.exit_code == 2 and file.read_bytes() == before
    assert result.stderr.splitlines()[-1] == (
        "nixgen: error: values.clustermesh.enableMCSAPISupport: Cilium 1.20 renamed it to "
        "clustermesh.mcsapi.enabled, which values sets too: keep one by hand")  # fmt: skip


def test_regen_reads_the_single_line_header_of_earlier_versions(tmp_path: Path) -> None:
    """A file written before the header became a block (`# nixgen-spec: {...}` on one line)
    regenerates to the file of the same spec, block header and all."""
    file = module_of(tmp_path, """\
        ciliumVersion = "1.18.4"
        [settings]
        ipv4NativeRoutingCIDR = "10.0.0.0/8"
        [values]
        ciliumEndpointSlice.enabled = true
        """)  # fmt: skip
    written = file.read_text(encoding="utf-8")
    spec, old_form = config.read_header(file)
    assert not old_form
    lines = written.split("\n")
    start = lines.index(config.BLOCK_MARK)
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("#"))
    old = "\n".join(lines[:start] + [config.SPEC_MARK + json.dumps(spec)] + lines[end:])
    file.write_text(old, encoding="utf-8")
    assert config.read_header(file) == (spec, True)
    result = invoke("regen", str(file), "--format", "never")
    assert result.exit_code == 0, result.stderr
    assert file.read_text(encoding="utf-8") == written
