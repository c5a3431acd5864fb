"""`nixgen upgrade-notes --render`: both releases' released charts (tests/fixtures/charts) rendered
with `helm template` and the config's final values of each profile, compared object by object;
under helm 3 and helm 4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from goldens import ROOT
from jsonschemacheck import errors

from nixgen import notes
from nixgen.checks import helmdiff
from nixgen.cli import cli

CHARTS = ROOT / "tests" / "fixtures" / "charts"


def render(helm: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["upgrade-notes", "--render", "--helm", helm, *args])


def rendered(helm: str, *args: str) -> dict[str, Any]:
    result = render(helm, "--charts", str(CHARTS), "--output", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def keys(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["kind"], o["name"]) for o in objects}


def test_the_objects_added_removed_and_changed_between_two_charts(helm: str) -> None:
    data = rendered(helm, "--from", "1.18.4", "--to", "1.19.6")
    schema = json.loads(Path(notes.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert errors(data, schema) == []
    diff = data["render"]
    assert (diff["from"], diff["to"]) == ("1.18.4", "1.19.6")
    local, production = diff["profiles"]
    assert (local["profile"], production["profile"]) == ("local", "production")
    # 1.19 grants the operator what it needs for ztunnel; hubble-ui is there in production only.
    assert {("Role", "cilium-operator-ztunnel"), ("RoleBinding", "cilium-operator-ztunnel")} <= (
        keys(local["added"]))
    changed = {(o["kind"], o["name"]): o["paths"] for o in production["changed"]}
    assert "spec.template.spec.containers[0].image" in changed[("DaemonSet", "cilium")]
    assert ("Deployment", "hubble-ui") in changed and ("Deployment", "hubble-ui") not in {
        (o["kind"], o["name"]) for o in local["changed"]}  # fmt: skip
    # What helm generates afresh, and checksum annotations, are no changes.
    every = [p for o in production["changed"] for p in o["paths"]]
    assert not [p for p in every if "checksum" in p or p.endswith(('.crt"', '.key"'))]


def test_two_renders_of_one_chart_differ_in_nothing_left(helm: str, tmp_path: Path) -> None:
    """Helm generates new certificates on every render; left aside, nothing else differs."""
    given = {"hubble": {"relay": {"enabled": True}}}
    old, new = (helmdiff._objects(helm, CHARTS / "cilium-1.18.4.tgz", given, tmp_path, "1.18.4",
                                  "local") for _ in range(2))  # fmt: skip
    assert any(k[0] == "Secret" and k[2] == "hubble-relay-client-certs" for k in old)
    diff = helmdiff._diff("local", old, new)
    assert diff.added == diff.removed == diff.changed == []
    assert diff.unchanged == len(old) > 10


def test_the_text_lists_each_object(helm: str) -> None:
    result = render(helm, "--charts", str(CHARTS), "--from", "1.19.6", "--to", "1.20.0")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "\nrendered chart, 1.19.6 → 1.20.0 (helm template):\n" in text
    assert "  local profile: " in text and "  production profile: " in text
    assert "    ~ DaemonSet kube-system/cilium: " in text


def test_a_missing_chart_is_one_clear_error(helm: str, tmp_path: Path) -> None:
    (tmp_path / "cilium-1.18.4.tgz").write_bytes((CHARTS / "cilium-1.18.4.tgz").read_bytes())
    result = render(helm, "--charts", str(tmp_path), "--from", "1.18.4", "--to", "1.19.6")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"nixgen: error: --charts {tmp_path}: no cilium-1.19.6.tgz, the released chart of Cilium "
        "1.19.6 (helm pull cilium --repo https://helm.cilium.io --version 1.19.6 fetches it)\n")


def test_no_helm_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["upgrade-notes", "--render", "--helm",
                                      str(tmp_path / "no-helm"), "--charts", str(CHARTS),
                                      "--from", "1.18.4", "--to", "1.19.6"])  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("nixgen: error: --render needs helm (3 or 4)")


def test_a_chart_that_refuses_the_values_is_one_error(helm: str) -> None:
    result = render(helm, "--charts", str(CHARTS), "--from", "1.18.4", "--to", "1.19.6",
                    "--set", "hubble.enabled=false",
                    "--set", "hubble.relay.enabled=true")  # fmt: skip
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("nixgen: error: --render: helm template of Cilium 1.18.4's chart with "
                           "the local profile's values: ")  # fmt: skip


def test_differences_and_what_is_left_aside() -> None:
    secret = {"kind": "Secret", "metadata": {"name": "c", "annotations": {"checksum/x": "1"}},
              "data": {"tls.crt": "A", "ca.key": "B", "other": "C"}}  # fmt: skip
    assert helmdiff._normal(secret) == {"kind": "Secret", "metadata": {"name": "c",
                                        "annotations": {}},
                                        "data": {"tls.crt": "<generated>", "ca.key": "<generated>",
                                                 "other": "C"}}  # fmt: skip
    pod = {"spec": {"template": {"metadata": {"annotations": {
        "cilium.io/cilium-configmap-checksum": "abc", "keep": "1"}}}}}  # fmt: skip
    assert helmdiff._normal(pod)["spec"]["template"]["metadata"]["annotations"] == {"keep": "1"}
    old = {"a": {"b": 1, "c": [1, 2]}, "d": "x", "labels": {"helm.sh/chart": "cilium-1"}}
    new = {"a": {"b": 2, "c": [1, 2, 3]}, "e": "y", "labels": {"helm.sh/chart": "cilium-2"}}
    assert helmdiff.differences(old, new) == ["a.b", "a.c", "d", "e", 'labels."helm.sh/chart"']
    assert helmdiff.differences(old, old) == []
    assert helmdiff.differences(1, True) == ["."]
