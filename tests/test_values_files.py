"""Helm's own input: `-f FILE` and `valuesFiles`, read as Helm reads them, merged as Helm merges
them, under the config; recorded in the header so that regen reads them again; every final
value with its source (`values --sources`); a user's value without effect said."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from goldens import ROOT

from nixgen.cli import cli
from nixgen.errors import ConfigError
from nixgen.input import config as config_
from nixgen.input import valuesfile

CHARTS = ROOT / "tests" / "fixtures" / "charts"
CORPUS = ROOT / "tests" / "fixtures" / "values"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def values(*args: str, profile: str = "production") -> Any:
    code, out, err = run("values", "--profile", profile, "--output", "json", *args)
    assert code == 0, err
    return json.loads(out)


A = """\
hubble:
  relay: {enabled: true}
  ui: {enabled: true}
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{operator: Exists}]
"""
B = """\
hubble:
  ui: {enabled: false}
nodeSelector: {kubernetes.io/os: null, zone: a}
tolerations: []
"""


def test_files_merge_in_order_as_helm_merges_them(tmp_path: Path) -> None:
    """Tables merge key by key, anything else (a list) replaces, a later null stays null (which
    then drops the chart's default), and the config's layers go over the files."""
    a, b = write(tmp_path, "a.yaml", A), write(tmp_path, "b.yaml", B)
    got = values("-f", str(a), "-f", str(b), "--defaults", "chart")
    assert got == {"hubble": {"relay": {"enabled": True}, "ui": {"enabled": False}},
                   "nodeSelector": {"kubernetes.io/os": None, "zone": "a"}, "tolerations": []}
    config = write(tmp_path, "c.toml", '[settings]\nhubble.relay.enabled = false\n'
                                       '[values]\nhubble.ui.enabled = false\n')  # fmt: skip
    got = values("--config", str(config), "-f", str(a), "--set", "tolerations=[]")
    assert got["hubble"]["relay"]["enabled"] is False and got["tolerations"] == []


def test_the_chart_renders_what_helm_renders_from_the_files_themselves(
    tmp_path: Path, helm: str
) -> None:
    """Helm's own merge of `-f a -f b` and nixgen's give the same objects (one helm major)."""
    a, b = write(tmp_path, "a.yaml", A), write(tmp_path, "b.yaml", B)
    merged = write(tmp_path, "merged.json", json.dumps(values("-f", str(a), "-f", str(b),
                                                              "--defaults", "chart")))
    chart = str(CHARTS / "cilium-1.18.4.tgz")
    outputs = [subprocess.run([helm, "template", "cilium", chart, "-n", "kube-system", *files],
                              capture_output=True, text=True, timeout=180, check=True).stdout
               for files in (["-f", str(a), "-f", str(b)], ["-f", str(merged)])]  # fmt: skip
    strip = [[line for line in out.splitlines() if not line.lstrip().startswith(
        ("ca.crt:", "tls.crt:", "tls.key:", "ca.key:")) and "checksum" not in line]
        for out in outputs]  # fmt: skip
    assert strip[0] == strip[1]
    assert "kubernetes.io/os: linux" not in "\n".join(strip[1]).split("kind: DaemonSet")[1][:3000]


def test_the_header_records_the_files_relative_to_the_module_and_regen_reads_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = write(tmp_path, "values/cilium.yaml", "cluster:\n  name: one\n")
    config = write(tmp_path, "config/nixgen.toml", 'valuesFiles = ["../values/cilium.yaml"]\n')
    more = write(tmp_path, "more.yaml", "cluster:\n  id: 3\n")
    out = tmp_path / "out" / "cilium.nix"
    out.parent.mkdir()
    monkeypatch.chdir(tmp_path)
    code, _, err = run("module", "--config", "config/nixgen.toml", "-f", "more.yaml",
                       "--defaults", "chart", "-o", str(out), "--format", "never")  # fmt: skip
    assert code == 0, err
    data, _ = config_.read_header(out)
    assert data["valuesFiles"] == ["../values/cilium.yaml", "../more.yaml"]
    assert data["defaults"] == "chart"
    text = out.read_text(encoding="utf-8")
    monkeypatch.chdir(given.parent)  # regen reads them relative to the module, from anywhere
    assert run("regen", str(out), "--format", "never", "--check")[0] == 0
    given.write_text("cluster:\n  name: two\n", encoding="utf-8")
    code, stale, _ = run("regen", str(out), "--format", "never", "--check")
    changed = [line.split() for line in stale.splitlines() if line.startswith(("-  ", "+  "))]
    assert code == 1 and changed == [["-", "name", "=", "lib.mkDefault", '"one";'],
                                     ["+", "name", "=", "lib.mkDefault", '"two";']]
    assert run("regen", str(out), "--format", "never")[0] == 0
    assert out.read_text(encoding="utf-8") == text.replace('"one"', '"two"')
    del config, more


def test_a_plain_command_line_records_nothing_new_in_the_header() -> None:
    code, out, _ = run("module", "--format", "never")
    assert config_.parse_header(out) == ({"flavor": "hetzkube", "ciliumVersion": "1.18.4"}, False)


def test_sources_say_where_each_final_value_comes_from(tmp_path: Path) -> None:
    given = write(tmp_path, "cilium.yaml", "hubble:\n  enabled: false\noperator:\n  replicas: 3\n")
    config = write(tmp_path, "c.toml", '[settings]\noperator.replicas = 1\n'
                                       '[values]\ncluster.name = "prod"\n')  # fmt: skip
    args = ["--config", str(config), "-f", str(given), "--set", "cluster.id=2"]
    code, text, err = run("values", "--profile", "production", "--sources", *args)
    assert code == 0, err
    lines = text.splitlines()
    assert f"hubble.enabled = false  # values file {given}: hubble.enabled" in lines
    assert "operator.replicas = 1  # config settings.operator.replicas" in lines
    assert 'cluster.name = "prod"  # config values.cluster.name' in lines
    assert "cluster.id = 2  # --set cluster.id=2" in lines
    assert "kubeProxyReplacement = true  # nixgen's default (production profile)" in lines
    assert not any(line.startswith("hubble.relay.") for line in lines)  # yielded to hubble off
    code, out, _ = run("values", "--profile", "local", "--sources", "--output", "json", *args)
    both = json.loads(out)
    assert both["values"]["operator"]["replicas"] == 1
    assert both["sources"]["operator"]["replicas"] == "config settings.operator.replicas"
    assert both["sources"]["hubble"]["relay"]["enabled"] == "nixgen's default (local profile)"
    assert set(both) == {"values", "sources"}


def test_a_users_value_without_effect_is_a_warning_naming_both_sources(tmp_path: Path) -> None:
    given = write(tmp_path, "cilium.yaml", "encryption:\n  nodeEncryption: true\n"
                                           "hubble:\n  relay:\n    replicas: 2\n")  # fmt: skip
    code, _, err = run("module", "-f", str(given), "--set", "hubble.relay.enabled=false",
                       "--format", "never")  # fmt: skip
    assert code == 0
    assert (f"nixgen: warning: encryption.nodeEncryption = true (values file {given}: "
            "encryption.nodeEncryption) has no effect: it applies only with encryption.enabled; "
            "encryption.enabled unset (the chart's default)") in err.splitlines() or (
        f"nixgen: warning: encryption.nodeEncryption = true (values file {given}: "
        "encryption.nodeEncryption) has no effect: it applies only with encryption.enabled; "
        "encryption.enabled = false (the chart's default)") in err.splitlines()
    assert (f"nixgen: warning: hubble.relay.replicas = 2 (values file {given}: "
            "hubble.relay.replicas) has no effect: it applies only with hubble.relay.enabled; "
            "hubble.relay.enabled = false (--set hubble.relay.enabled=false)") in err.splitlines()
    # nixgen's wireguard default that comes with an encryption section is inert too: it yields.
    assert any(line.startswith('nixgen: note: nixgen\'s default encryption.type = "wireguard" '
                               "yields: it has no effect") for line in err.splitlines())


def test_a_wrapper_pins_the_release_unless_one_is_given() -> None:
    flux = str(CORPUS / "31-flux-helmrelease.yaml")
    code, out, _ = run("module", "-f", flux, "--format", "never")
    assert code == 0 and config_.parse_header(out)[0]["ciliumVersion"] == "1.18.12"
    code, out, _ = run("module", "-f", flux, "--cilium-version", "1.18.4", "--format", "never")
    assert code == 0 and config_.parse_header(out)[0]["ciliumVersion"] == "1.18.4"
    argo = str(CORPUS / "32-argocd-application-valuesobject.yaml")
    code, _, err = run("module", "-f", flux, "-f", argo)
    assert code == 2 and "the values files pin different Cilium releases" in err


def test_a_values_file_needs_no_pydantic() -> None:
    code = ("import sys\nfrom nixgen.cli import cli\n"
            f"try:\n    cli(['module', '-f', {str(CORPUS / '05-hubble-relay-ui-metrics.yaml')!r},"
            " '--format', 'never'])\nexcept SystemExit as e:\n    status = e.code\n"
            "print(status, any(m.startswith('pydantic') for m in sys.modules))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    assert done.stdout.splitlines()[-1] == "0 False"


# ------------------------------------------------------------------ reading a file


READS = [
    ("d: 2024-01-01\non: yes\n1: x\nx: ~\n",
     {"d": "2024-01-01", "true": True, "1": "x", "x": None}),
    ("a: &a {b: 1}\nc: *a\n", {"a": {"b": 1}, "c": {"b": 1}}),
    ("base: &b {x: 1, y: 2}\nover:\n  <<: *b\n  y: 3\n", {"base": {"x": 1, "y": 2},
                                                         "over": {"x": 1, "y": 3}}),
    ("", {}),
    ("# only a comment\n", {}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "want"), READS)
def test_yaml_is_read_as_helm_reads_it(text: str, want: dict[str, Any]) -> None:
    assert valuesfile.from_text(text, "v.yaml").values == want


BOMB = "a: &a [1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 8)}]\n" for i in range(6))
REFUSED = [
    ("cni:\n  a: 1\ncni:\n  b: 2\n", '(line 3): the key "cni" is given twice in one table'),
    ("a: &a [*a]\n", "(line 1): a YAML alias refers to a table or list it sits in"),
    (BOMB, "its aliases expand to more than 200000 values"),
    ("a: " + "[" * 150 + "]" * 150 + "\n", "nested deeper than 100 levels"),
    ("x: !!binary aGk=\n", "a !!binary value is not a value Helm reads from a values file"),
    ("- a\n", "the top level must be a table of Helm values"),
    ("a: {b: 1\n", "invalid YAML"),
    ("a: 1.234567891\n", "a: float 1.234567891 has more than 6 significant digits"),
    ('a: "\\0"\n', "a: a Nix string cannot hold a NUL character"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_what_helm_would_read_otherwise_or_nix_cannot_hold_is_one_line(text: str,
                                                                       message: str) -> None:
    with pytest.raises(ConfigError) as err:
        valuesfile.from_text(text, "v.yaml")
    assert str(err.value).startswith("values file v.yaml") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_refused_file_is_one_line_and_nothing_written(tmp_path: Path) -> None:
    given = write(tmp_path, "v.yaml", "cni:\n  a: 1\ncni:\n  b: 2\n")
    target = tmp_path / "cilium.nix"
    for command in ("module", "node"):
        code, out, err = run(command, "-f", str(given), "-o", str(target))
        assert code == 2 and out == "" and err.count("\n") == 1 and not target.exists()
    code, _, err = run("module", "-f", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml: No such file or directory" in err


def test_a_json_file_is_json(tmp_path: Path) -> None:
    given = write(tmp_path, "v.json", '{"cluster": {"name": "j"}, "a": {"b": 1}}')
    assert valuesfile.read(given, "v.json").values == {"cluster": {"name": "j"}, "a": {"b": 1}}
    twice = write(tmp_path, "t.json", '{"a": 1, "a": 2}')
    with pytest.raises(ConfigError, match='the key "a" is given twice'):
        valuesfile.read(twice, "t.json")


APPLICATION = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: cilium}
spec:
  sources:
    - repoURL: https://github.com/example/config.git
      ref: values
    - repoURL: https://helm.cilium.io/
      chart: cilium
      targetRevision: 1.19.6
      helm:
        valuesObject:
          cluster: {name: argo}
        parameters:
          - {name: cluster.id, value: "7"}
          - {name: hubble.ui.enabled, value: "true"}
          - {name: podLabels.version, value: "1", forceString: true}
        valueFiles: [$values/cilium.yaml]
"""


def test_an_application_with_several_sources_and_parameters() -> None:
    read = valuesfile.from_text(APPLICATION, "app.yaml")
    assert (read.kind, read.version) == ("Application", "1.19.6")
    assert read.values == {"cluster": {"name": "argo", "id": 7},
                           "hubble": {"ui": {"enabled": True}}, "podLabels": {"version": "1"}}
    assert read.warnings == ("Application app.yaml: helm.valueFiles (files in the source "
                             "repository) is not read: give them with -f as well",)
    other = APPLICATION.replace("chart: cilium", "chart: traefik")
    with pytest.raises(ConfigError, match="Application cilium deploys no Cilium chart"):
        valuesfile.from_text(other, "app.yaml")


def test_only_the_first_document_of_a_values_file_is_read_as_helm_does() -> None:
    read = valuesfile.from_text("a: 1\n---\nb: 2\n", "v.yaml")
    assert read.values == {"a": 1}
    assert read.warnings == ("values file v.yaml: only its first YAML document is read, as Helm "
                             "reads a values file",)  # fmt: skip


def test_paths_in_messages_are_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "sub/v.yaml", "tunnel: vxlan\n")
    code, _, err = run("module", "-f", os.path.join("sub", "v.yaml"))
    assert code == 2 and err.endswith("(set by values file sub/v.yaml: tunnel)\n")
