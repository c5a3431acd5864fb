"""The values of every golden config, local and production, rendered by the real Cilium chart of
the release it pins (`helm template`, the released tarballs in tests/fixtures/charts): what
nixgen's checks let through, the chart's own templates accept."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_values import substitute
from click.testing import CliRunner
from goldens import GOLDEN, ROOT

from nixgen.choices import PROFILES
from nixgen.cli import cli
from nixgen.spec import validate

CHARTS = ROOT / "tests" / "fixtures" / "charts"
CONFIGS = sorted((GOLDEN / "configs").glob("*.toml"))
# What a Nix expression evaluates to in a cluster, for the chart's eyes.
PLAUSIBLE: dict[str, Any] = {"cfg.k8sServiceHost": "api.cluster.example.com",
                             "config.clusterHost": "api.cluster.example.com"}  # fmt: skip

# Values the chart refuses today: the chart's message, and why. Strict, so the mark must go
# once they render; any other failure fails the test.
KNOWN_FAILURES = {
    ("production.toml", "production"): (
        "ipv6NativeRoutingCIDR must be set when routingMode is native",
        ("the production profile turns IPv6 on (production.ipv6) with native routing and no "
        "IPv6 CIDR")),
}


class KnownChartFailure(Exception):
    """The chart refused the values with the message KNOWN_FAILURES expects."""


class _Plausible(dict[str, Any]):
    def __missing__(self, expr: str) -> str:
        return f"nix-{expr}"


def _cases() -> list[Any]:
    out = []
    for config in CONFIGS:
        for profile in PROFILES:
            known = KNOWN_FAILURES.get((config.name, profile))
            marks = [pytest.mark.xfail(raises=KnownChartFailure, strict=True,
                                       reason=f"{known[0]}: {known[1]}")] if known else []  # fmt: skip
            out.append(pytest.param(config, profile, marks=marks,
                                    id=f"{config.stem}-{profile}"))  # fmt: skip
    return out


@pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not installed")
@pytest.mark.parametrize(("config", "profile"), _cases())
def test_golden_config_values_render_with_the_pinned_chart(
    config: Path, profile: str, tmp_path: Path
) -> None:
    import tomllib

    version = validate(tomllib.loads(config.read_text(encoding="utf-8"))).ciliumVersion
    chart = CHARTS / f"cilium-{version}.tgz"
    assert chart.is_file(), f"no chart tarball for Cilium {version} in {CHARTS}"
    result = CliRunner().invoke(cli, ["values", "--config", str(config), "--profile", profile,
                                      "--output", "json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    values = substitute(json.loads(result.stdout), _Plausible(PLAUSIBLE))
    file = tmp_path / "values.json"
    file.write_text(json.dumps(values), encoding="utf-8")
    done = subprocess.run(["helm", "template", "cilium", str(chart), "-n", "kube-system",
                           "-f", str(file)], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    known = KNOWN_FAILURES.get((config.name, profile))
    if known and done.returncode != 0 and known[0] in done.stderr:
        raise KnownChartFailure(done.stderr.strip())
    assert done.returncode == 0, done.stderr
    assert "kind: DaemonSet" in done.stdout
