"""The values of every golden config, local and production, rendered by the real Cilium chart of
the release it pins (`helm template`, the released tarballs in tests/fixtures/charts): what
nixgen's checks let through, the chart's own templates accept."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_values import substitute
from click.testing import CliRunner
from goldens import GOLDEN, ROOT

from nixgen.cli import cli
from nixgen.input.choices import PROFILES
from nixgen.input.spec import validate

CHARTS = ROOT / "tests" / "fixtures" / "charts"
CONFIGS = sorted((GOLDEN / "configs").glob("*.toml"))
# What a Nix expression evaluates to in a cluster, for the chart's eyes.
PLAUSIBLE: dict[str, Any] = {"cfg.k8sServiceHost": "api.cluster.example.com",
                             "config.clusterHost": "api.cluster.example.com"}  # fmt: skip

class _Plausible(dict[str, Any]):
    def __missing__(self, expr: str) -> str:
        return f"nix-{expr}"


def _render(helm: str, chart: Path, values: dict[str, Any], folder: Path,
            flags: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    file = folder / "values.json"
    file.write_text(json.dumps(values), encoding="utf-8")
    return subprocess.run([helm, "template", "cilium", str(chart), "-n", "kube-system",
                           "-f", str(file), *(flags or [])], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.stem)
def test_golden_config_values_render_with_the_pinned_chart_under_helm(
    config: Path, profile: str, tmp_path: Path, helm: str
) -> None:
    import tomllib

    version = validate(tomllib.loads(config.read_text(encoding="utf-8"))).ciliumVersion
    chart = CHARTS / f"cilium-{version}.tgz"
    assert chart.is_file(), f"no chart tarball for Cilium {version} in {CHARTS}"
    result = CliRunner().invoke(cli, ["values", "--config", str(config), "--profile", profile,
                                      "--output", "json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    values = substitute(json.loads(result.stdout), _Plausible(PLAUSIBLE))
    done = _render(helm, chart, values, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "kind: DaemonSet" in done.stdout


REFUSALS = json.loads((ROOT / "tests" / "fixtures" / "chart-refusals.json").read_text())["cases"]


def messages(case: dict[str, Any]) -> list[str]:
    """The chart's messages a case's trigger may fail with: one, or one per helm major where
    helm 3 and helm 4 reach different `fail`s of the chart (`messages`)."""
    given = case.get("messages", [case["message"]])
    return [m.split("%")[0].strip() for m in given]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c["chart"])
def test_the_chart_refuses_what_the_rules_refuse_under_helm(
    case: dict[str, Any], tmp_path: Path, helm: str
) -> None:
    """Each case the rules are tested with (tests/test_rules_data.py), rendered by the newest
    chart it names: the trigger fails with the chart's message, the close variant renders."""
    chart = CHARTS / f"cilium-{case['releases'][-1]}.tgz"
    refused = _render(helm, chart, case["trigger"], tmp_path, case.get("helm_flags"))
    assert refused.returncode != 0
    assert any(m in refused.stderr for m in messages(case)), refused.stderr
    if "passes" in case:
        done = _render(helm, chart, case["passes"], tmp_path, case.get("helm_flags"))
        assert done.returncode == 0, done.stderr
