"""Every final Helm value is judged, through the command line: against the pinned chart (unknown
paths, wrong types, keys a bump removed) and against the typed settings' own constraints,
whatever set it; `--unchecked`/`uncheckedValues` lets one path past the chart; `nixgen explain`
says what the chart says of a path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from click.testing import CliRunner

from nixgen.input.config import parse_header
from nixgen.checks import values
from nixgen.cli import cli
from nixgen.facts import catalog, chart
from nixgen.facts.chart import dotted, load as load_chart
from nixgen.input import models, settings
from nixgen.input.spec import Spec
from nixgen.pipeline import planned


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def set_text(path: tuple[str, ...], value: Any) -> str:
    """`--set` text for a value at `path` (JSON, dots and `=` in keys escaped)."""
    keys = [k.replace("\\", "\\\\").replace(".", "\\.").replace("=", "\\=") for k in path]
    return ".".join(keys) + "=" + json.dumps(value)


def one_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nixgen: error: "), err
    return lines[0]


# ------------------------------------------------------------------ the model, one source


def _setting_paths(model: Any, at: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, models.Strict):
            out |= _setting_paths(kind, (*at, name))
        else:
            out.add((*at, name))
    return out


def test_setting_paths_are_the_settings_models_leaves() -> None:
    assert values.SETTING_PATHS == _setting_paths(models.Settings)


@pytest.mark.parametrize("version", list(catalog.load().releases))
def test_the_defaults_pass_every_release_so_the_fast_path_needs_no_check(version: str) -> None:
    built = planned(Spec(ciliumVersion=version))
    values.check_settings(built)
    assert values.check(built) == []


@pytest.mark.parametrize("version", list(catalog.load().releases))
def test_every_typed_setting_is_a_path_of_every_chart(version: str) -> None:
    facts = chart.load(version)
    assert [dotted(p) for p in sorted(values.SETTING_PATHS) if not facts.known(p)] == []


# ------------------------------------------------------------------ the chart


def _real_paths(version: str, count: int) -> list[tuple[str, ...]]:
    """`count` leaves of the chart's values.yaml spread over the whole chart, typed settings
    left out (their own constraints are stricter than the chart's defaults)."""
    facts = chart.load(version)
    leaves = [p for p in facts.paths() if facts.info(p).source == "values"
              and not any(p[: len(s)] == s or s[: len(p)] == p for s in values.SETTING_PATHS)
              and not any(len(k) == 0 for k in p)]  # fmt: skip
    return leaves[:: len(leaves) // count][:count]


@pytest.mark.parametrize("version", ["1.17.18", "1.20.0"])
def test_real_chart_paths_at_their_defaults_pass_through_set(version: str) -> None:
    facts = chart.load(version)
    paths = _real_paths(version, 55)
    assert len(paths) == 55
    for path in paths:
        default = facts.info(path).default
        code, _out, err = run("module", "--cilium-version", version, "--format", "never",
                             "--set", set_text(path, default))  # fmt: skip
        assert code == 0, (dotted(path), err)


def test_real_chart_paths_at_their_defaults_pass_through_a_config(tmp_path: Path) -> None:
    version = "1.18.4"
    facts = chart.load(version)
    values: dict[str, Any] = {}
    for path in _real_paths(version, 60):
        node = values
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = facts.info(path).default
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"ciliumVersion": version, "values": values}), encoding="utf-8")
    code, _, err = run("module", "--config", str(config), "--format", "never")
    assert code == 0, err


def _typo(key: str) -> str:
    """`key` with one letter changed."""
    i = len(key) // 2
    return key[:i] + ("q" if key[i] != "q" else "z") + key[i + 1 :]


@pytest.mark.parametrize("version", ["1.16.19", "1.19.6"])
def test_one_letter_typos_of_real_paths_are_refused(version: str, tmp_path: Path) -> None:
    facts = chart.load(version)
    checked = 0
    for path in _real_paths(version, 40):
        wrong = (*path[:-1], _typo(path[-1]))
        if facts.known(wrong) or facts.info(path[:-1] or path).open:
            continue  # a real key after all, or one of a free-form table
        target = tmp_path / "cilium.nix"
        code, out, err = run("module", "--cilium-version", version, "-o", str(target),
                             "--set", set_text(wrong, 1))  # fmt: skip
        line = one_error(err)
        assert code == 2 and out == "" and not target.exists()
        assert f"{dotted(wrong)}: Cilium {version}'s chart has no such value" in line
        siblings = [p for p in facts.paths() if len(p) == len(path) and p[:-1] == path[:-1]]
        if [p for p in siblings if chart._one_edit(wrong[-1], p[-1])] == [path]:
            assert f"did you mean {dotted(path)}?" in line
        checked += 1
    assert checked >= 30


def test_a_value_of_the_wrong_type_for_the_chart_is_refused() -> None:
    code, _, err = run("module", "--set", 'cluster.id="one"')
    assert code == 2
    assert "cluster.id: the chart expects integer, got string" in one_error(err)
    code, _, err = run("module", "--set", "hubble.metrics.enabled=true")
    assert code == 2 and "hubble.metrics.enabled: the chart expects" in one_error(err)


def test_an_unknown_key_in_a_config_or_a_header_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[values]\nhubble.relay.enabeld = true\n', encoding="utf-8")
    code, _, err = run("module", "--config", str(config))
    assert code == 2 and "did you mean hubble.relay.enabled?" in one_error(err)
    target = tmp_path / "cilium.nix"
    assert run("module", "--format", "never", "-o", str(target))[0] == 0
    text = target.read_text(encoding="utf-8").replace(
        "# nixgen-spec:\n#   {", '# nixgen-spec:\n#   {"values":{"clustr":{"name":"x"}},', 1)
    target.write_text(text, encoding="utf-8")
    code, _, err = run("regen", str(target), "--format", "never")
    assert code == 2 and "clustr: Cilium 1.18.4's chart has no such value" in one_error(err)
    assert target.read_text(encoding="utf-8") == text


# ------------------------------------------------------------------ the typed settings


TYPED_VIOLATIONS = [
    ("routingMode=bogus", "routingMode"),
    ("tunnelProtocol=gre", "tunnelProtocol"),
    ("policyEnforcementMode=strict", "policyEnforcementMode"),
    ("k8sServicePort=70000", "k8sServicePort"),
    ('operator.replicas="two"', "operator.replicas"),
    ('operator.replicas={"local":1,"production":3}', "operator.replicas"),
    ('hubble.relay.enabled="true"', "hubble.relay.enabled"),
    ("operator.replicas=-1", "operator.replicas"),
    ("ipv4NativeRoutingCIDR=10.0.0.1/8", "ipv4NativeRoutingCIDR"),
    ("ipam.mode=eni", "ipam.mode"),
    ('hubble.relay={"enabled":"yes"}', "hubble.relay.enabled"),
]


@pytest.mark.parametrize(("setting", "path"), TYPED_VIOLATIONS)
def test_typed_constraints_hold_for_a_final_value_from_set(setting: str, path: str,
                                                           tmp_path: Path) -> None:  # fmt: skip
    target = tmp_path / "cilium.nix"
    target.write_text("mine\n", encoding="utf-8")
    code, out, err = run("module", "--set", setting, "-o", str(target))
    line = one_error(err)
    assert code == 2 and out == "" and target.read_text(encoding="utf-8") == "mine\n"
    assert line.startswith(f"nixgen: error: {path} = ")
    assert f"settings.{path}" in line


def test_typed_constraints_hold_for_values_in_a_config_and_name_the_profile(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[values]\nk8sServicePort = "64K"\n', encoding="utf-8")
    code, _, err = run("module", "--config", str(config))
    assert code == 2
    assert one_error(err) == (
        'nixgen: error: k8sServicePort = "64K": must be a port, 1 to 65535 (nixgen\'s typed '
        "setting settings.k8sServicePort holds for the final Helm value) (set by config "
        "values.k8sServicePort)")  # fmt: skip
    # The chart's other forms pass: a string of digits for a port, "true" for a switch.
    config.write_text('[values]\nk8sServicePort = "6443"\nkubeProxyReplacement = "true"\n',
                      encoding="utf-8")  # fmt: skip
    assert run("module", "--config", str(config), "--format", "never")[0] == 0
    # A Nix expression is not known here, so it passes; its split twin is judged per profile.
    code, _, err = run("module", "--set", 'k8sServiceHost={"$nix":"config.clusterHost"}')
    assert code == 0


def test_a_form_the_pinned_chart_does_not_take_is_refused() -> None:
    # The chart takes "true" for kubeProxyReplacement, but only a boolean for hubble.enabled.
    code, _, err = run("module", "--set", 'hubble.enabled="true"')
    assert code == 2
    assert one_error(err) == (
        'nixgen: error: hubble.enabled = "true": Cilium 1.18.4\'s chart takes a boolean here, not '
        "a string (nixgen's typed setting settings.hubble.enabled holds for the final Helm "
        'value) (set by --set hubble.enabled="true")')  # fmt: skip


def test_the_typed_settings_model_is_the_one_source() -> None:
    # The enum the check holds `routingMode` to is the model's.
    field = models.Settings.model_fields["routingMode"]
    assert get_args(get_args(field.annotation)[0]) == ("tunnel", "native")
    assert settings.BY_PATH[("routingMode",)].choices == ("tunnel", "native")
    code, _, err = run("module", "--set", "routingMode=native", "--set",
                       "ipv4NativeRoutingCIDR=10.0.0.0/8")  # fmt: skip
    assert code == 0, err


def _pydantic_loaded(args: list[str]) -> tuple[int, bool]:
    code = ("import sys\nfrom nixgen.cli import cli\n"
            f"try:\n    cli({args!r})\nexcept SystemExit as e:\n    status = e.code\n"
            "print(status, any(m.startswith('pydantic') for m in sys.modules))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    status, loaded = done.stdout.splitlines()[-1].split()
    return int(status), loaded == "True"


def test_set_without_a_config_needs_no_pydantic_even_where_it_sets_a_typed_setting() -> None:
    assert _pydantic_loaded(["module", "--set", "cluster.name=x", "--format", "never"]) == (
        0, False)
    assert _pydantic_loaded(["module", "--set", "routingMode=bogus", "--format", "never"]) == (
        2, False)


# ------------------------------------------------------------------ bumps


REMOVED = [
    # key, value, from, to, replacement named
    ("nodePort.enabled", True, "1.18.4", "1.19.6", "kubeProxyReplacement"),
    ("enableCiliumEndpointSlice", True, "1.17.18", "1.18.4", "ciliumEndpointSlice.enabled"),
    ("enableCiliumEndpointSlice", False, "1.17.18", "1.18.4", "ciliumEndpointSlice.enabled"),
    ("l2podAnnouncements.interface", "eth0", "1.18.4", "1.19.6",
     "l2podAnnouncements.interfacePattern"),
    ("encryption.strictMode.enabled", True, "1.19.6", "1.20.0",
     "encryption.strictMode.egress.enabled"),
    ("encryption.strictMode.cidr", "10.0.0.0/8", "1.19.6", "1.20.0",
     "encryption.strictMode.egress.cidr"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "old", "new", "replacement"), REMOVED)
def test_a_bump_refuses_a_removed_key_and_names_its_replacement(
    key: str, value: Any, old: str, new: str, replacement: str, tmp_path: Path
) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"ciliumVersion": old, "values": {}}), encoding="utf-8")
    setting = set_text(tuple(key.split(".")), value)
    target = tmp_path / "cilium.nix"
    # Fine at the release it was written for...
    code, _, err = run("module", "--config", str(config), "--set", setting, "-o", str(target),
                       "--format", "never")  # fmt: skip
    assert code == 0, err
    before = target.read_text(encoding="utf-8")
    # ...refused by `module --cilium-version` and by `regen --cilium-version`, file untouched.
    for args in (["module", "--config", str(config), "--set", setting, "--cilium-version", new,
                  "-o", str(target)],
                 ["regen", str(target), "--cilium-version", new]):  # fmt: skip
        code, out, err = run(*args, "--format", "never")
        if args[0] == "regen":  # the upgrade notes come first, on stderr
            assert err.startswith(f"Cilium {old} → {new}, hetzkube flavour, config {target}\n")
            err = err.splitlines()[-1]
        line = one_error(err)
        assert code == 2 and out == ""
        if load_chart(new).refusal(key) and load_chart(new).refusal(key).refuses(value):
            # A key the new chart fails on: its own message.
            assert f"{key}: Cilium {new}'s chart refuses it: {key} was deprecated" in line
        else:
            assert f"{key}: Cilium {new}'s chart has no such value (removed in Cilium" in line
        assert replacement in line
        assert target.read_text(encoding="utf-8") == before


# ------------------------------------------------------------------ the escape


def test_unchecked_lets_one_path_through_and_stays_in_the_header(tmp_path: Path) -> None:
    code, _, err = run("module", "--set", "extraThing.mode=x")
    assert code == 2 and "extraThing: Cilium 1.18.4's chart has no such value" in one_error(err)
    assert "pass it with --unchecked 'extraThing'" in err
    target = tmp_path / "cilium.nix"
    code, _, err = run("module", "--set", "extraThing.mode=x", "--unchecked", "extraThing",
                       "-o", str(target), "--format", "never")  # fmt: skip
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    header, _ = parse_header(text)
    assert header["uncheckedValues"] == ["extraThing"]
    assert 'extraThing.mode = lib.mkDefault "x";' in text
    assert run("regen", str(target), "--check", "--format", "never")[0] == 0
    # Only that path: a sibling is still checked.
    code, _, err = run("module", "--set", "extraThing.mode=x", "--set", "extraThng=1",
                       "--unchecked", "extraThing")  # fmt: skip
    assert code == 2 and "extraThng" in one_error(err)


def test_unchecked_in_a_config_and_what_it_does_not_cover(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('uncheckedValues = [\'hints."example.com/x"\', "cluster.name"]\n'
                      '[values]\nhints."example.com/x".y = 1\nhints.other = 2\n', encoding="utf-8")  # fmt: skip
    code, _, err = run("module", "--config", str(config), "--format", "never")
    assert code == 2 and "hints: Cilium 1.18.4's chart has no such value" in one_error(err)
    config.write_text('uncheckedValues = [\'hints."example.com/x"\', "cluster.name"]\n'
                      '[values]\nhints."example.com/x".y = 1\n', encoding="utf-8")  # fmt: skip
    code, _, err = run("module", "--config", str(config), "--format", "never")
    assert code == 0
    # A path the chart knows needs no entry: said, not refused.
    assert err.strip() == ("nixgen: warning: uncheckedValues: cluster.name is a value Cilium "
                           "1.18.4's chart knows; the entry is not needed")  # fmt: skip
    # The typed settings' constraints still hold below an unchecked path.
    code, _, err = run("module", "--set", "routingMode=bogus", "--unchecked", "routingMode")
    assert code == 2 and "routingMode = " in one_error(err)
    for bad in ("a..b", ""):
        code, _, err = run("module", "--unchecked", bad, "--set", "cluster.name=x")
        assert code == 2 and "--unchecked" in one_error(err)
    config.write_text('uncheckedValues = ["a..b"]\n', encoding="utf-8")
    code, _, err = run("module", "--config", str(config))
    assert code == 2 and "uncheckedValues[0]: 'a..b' is not a dotted" in one_error(err)


# ------------------------------------------------------------------ the chart's own refusals


CHART_REFUSES = [
    # key, --set value, releases
    ("tunnel", "vxlan", ["1.16.19", "1.18.4", "1.20.0"]),
    ("containerRuntime.integration", "containerd", ["1.17.18", "1.19.6"]),
    ("encryption.keyFile", "keys", ["1.18.12", "1.20.0"]),
    ("proxy.prometheus.enabled", "false", ["1.16.19", "1.19.6"]),
    ("endpointStatus.enabled", "true", ["1.18.4"]),
    ("enableCiliumEndpointSlice", "true", ["1.18.4", "1.20.0"]),
    ("clustermesh.apiserver.tls.ca.cert", "Y2VydA==", ["1.17.18"]),
    ("enableK8sEventHandover", "true", ["1.19.6"]),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value", "releases"), CHART_REFUSES)
def test_a_key_the_chart_fails_on_is_refused_even_unchecked(key: str, value: str,
                                                            releases: list[str],
                                                            tmp_path: Path) -> None:  # fmt: skip
    refused = key.split(".")[0] if key == "endpointStatus.enabled" else key
    config = tmp_path / "c.json"
    for version in releases:
        refusal = chart.load(version).refusal(refused)
        expected = (f"nixgen: error: {refused}: Cilium {version}'s chart refuses it: "
                    f"{refusal.message}")  # fmt: skip
        path = key.split(".")
        for unchecked in [[], *(["--unchecked", ".".join(path[:i])]
                                for i in range(1, len(path) + 1))]:  # fmt: skip
            code, out, err = run("module", "--cilium-version", version, "--format", "never",
                                 "--set", f"{key}={value}", *unchecked)  # fmt: skip
            line = one_error(err)
            assert code == 2 and out == "", unchecked
            assert line.startswith(expected) and "--unchecked" not in line, line
        # uncheckedValues in a config is no way round it either.
        config.write_text(json.dumps({"ciliumVersion": version, "uncheckedValues": [key],
                                      "values": {}}), encoding="utf-8")  # fmt: skip
        code, _, err = run("module", "--config", str(config), "--format", "never",
                           "--set", f"{key}={value}")  # fmt: skip
        assert code == 2 and one_error(err).startswith(expected)


def test_tunnel_is_refused_with_the_charts_reason_and_what_replaces_it() -> None:
    code, _, err = run("module", "--set", "tunnel=vxlan", "--unchecked", "tunnel")
    assert code == 2
    assert one_error(err) == (
        "nixgen: error: tunnel: Cilium 1.18.4's chart refuses it: tunnel was deprecated in v1.14 "
        "and has been removed in v1.15. For details please refer to "
        "https://docs.cilium.io/en/v1.15/operations/upgrade/#helm-options "
        "(use routingMode and tunnelProtocol) (set by --set tunnel=vxlan)")  # fmt: skip


def test_a_value_the_chart_lets_by_at_a_removed_key_says_why_and_passes_unchecked() -> None:
    code, _, err = run("module", "--set", "tunnel=false")
    line = one_error(err)
    assert code == 2 and "--unchecked" not in line
    assert line.startswith("nixgen: error: tunnel: Cilium 1.18.4's chart has no such value "
                           "(tunnel was deprecated in v1.14")  # fmt: skip
    assert line.endswith("; use routingMode and tunnelProtocol) (set by --set tunnel=false)")
    code, _, err = run("module", "--set", "tunnel=false", "--unchecked", "tunnel", "--format",
                       "never")  # fmt: skip
    assert code == 0, err


# ------------------------------------------------------------------ explain


def test_explain_prints_doc_type_default_and_the_typed_setting() -> None:
    code, out, _ = run("explain", "hubble.relay.enabled")
    assert code == 0
    assert out.splitlines() == [
        "hubble.relay.enabled (Cilium 1.18.4's chart)",
        "  Enable Hubble Relay (requires hubble.enabled=true)",
        "  type:    boolean",
        "  default: false",
        ("  nixgen:  typed setting settings.hubble.relay.enabled (config key; nixgen's default: "
        '{"local": false, "production": true})'),
    ]
    code, out, _ = run("explain", "cluster.name", "--cilium-version", "1.20.0")
    assert code == 0 and "(Cilium 1.20.0's chart)" in out and 'default: "default"' in out
    assert "not a typed setting: set it in the config's `values` or with --set cluster.name=" in out
    code, out, _ = run("explain", "ipv6.enabled")
    assert code == 0 and "production.ipv6 = true" in out


def test_explain_refuses_an_unknown_path_with_the_nearest_known_ones() -> None:
    code, out, err = run("explain", "hubble.relay.enabeld")
    assert code == 2 and out == ""
    assert "(nearest known: hubble.relay.enabled" in one_error(err)
    code, _, err = run("explain", "nodePort.enabled", "--cilium-version", "1.19.6")
    assert code == 2 and "removed in Cilium 1.19: set kubeProxyReplacement=true" in one_error(err)
    code, _, err = run("explain", "cluster.name", "--cilium-version", "1.12.0")
    assert code == 2 and "--cilium-version 1.12.0" in one_error(err)


def test_explain_shows_a_refused_key_as_refused() -> None:
    code, out, _ = run("explain", "tunnel", "--cilium-version", "1.20.0")
    assert code == 0
    assert out.splitlines() == [
        "tunnel (Cilium 1.20.0's chart)",
        "  refused: the chart fails when it is set to anything but false, 0 or an empty value:",
        ("           tunnel was deprecated in v1.14 and has been removed in v1.15. For details "
         "please refer to https://docs.cilium.io/en/v1.15/operations/upgrade/#helm-options"),
        "  instead: use routingMode and tunnelProtocol",
        "  nixgen:  refuses such a value wherever it is set, --unchecked or not",
    ]
    code, out, _ = run("explain", "proxy.prometheus.enabled", "--cilium-version", "1.16.19")
    assert code == 0 and "set to anything but an empty string:" in out
    assert "instead: use envoy.prometheus.enabled" in out
    # Below a refused table: the table's refusal.
    code, out, _ = run("explain", "endpointStatus.enabled")
    assert code == 0 and out.splitlines()[:2] == [
        "endpointStatus.enabled (Cilium 1.18.4's chart)",
        "  refused: the chart fails when endpointStatus is set to anything but false, 0 or an "
        "empty value:"]  # fmt: skip
    # A key only a later release refuses is an ordinary key before it.
    code, out, _ = run("explain", "enableCiliumEndpointSlice", "--cilium-version", "1.17.18")
    assert code == 0 and "refused" not in out and "type:    boolean" in out


def test_a_patch_release_nixgen_has_no_chart_of_is_judged_with_the_nearest_one() -> None:
    """1.19.3 is no release nixgen holds facts for: its module takes 1.19.6's (the nearest of
    its minor), and so does the value check, instead of refusing every value."""
    code, out, err = run("module", "--cilium-version", "1.19.3", "--set", "cluster.name=x",
                         "--format", "never")  # fmt: skip
    assert code == 0, err
    assert parse_header(out)[0]["ciliumVersion"] == "1.19.3"
    code, _, err = run("module", "--cilium-version", "1.19.3", "--set", "cluster.nme=x")
    assert code == 2 and "did you mean cluster.name?" in err
