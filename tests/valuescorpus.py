"""The values corpus of tests/fixtures/values: its files, what the chart makes of each
(manifest.json), what nixgen refuses of them with the chart's defaults, and how a test reads
one."""

from __future__ import annotations

import json
import re
from typing import Any

from goldens import ROOT

from nixgen.input import valuesfile

CORPUS = ROOT / "tests" / "fixtures" / "values"
CHARTS = ROOT / "tests" / "fixtures" / "charts"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["files"]
FILES = sorted(p.name for p in CORPUS.glob("*.yaml"))
# nixgen's own file (25 with its two `cni:` tables merged), judged by the tests alone.
RENDERS = {name: entry["renders"] for name, entry in MANIFEST.items()}
RENDERS["25b-collide-kpr-false-merged.yaml"] = True

# What nixgen refuses with --defaults chart (a part of the one line it prints).
REFUSED = {
    # The chart refuses these too.
    "21-removed-tunnel-vxlan.yaml": "tunnel: Cilium 1.16.19's chart refuses it: tunnel was "
                                    "deprecated in v1.14",
    "22-removed-containerruntime-integration.yaml": "containerRuntime.integration: Cilium "
                                                    "1.17.18's chart refuses it",
    "37-null-operator-tolerations-chart-bug.yaml": "operator.tolerations cannot be empty or null "
                                                   "with Cilium 1.18",
    "38-narrow-gatewayclass-create-bool.yaml": "gatewayAPI.gatewayClass.create: the chart expects "
                                               "string, got boolean",
    # The chart renders these and drops part of the file without a word.
    "25-collide-kpr-false.yaml": 'the key "cni" is given twice in one table (Helm keeps the last',
    "28-catch-cgroup-automount-typo.yaml": "cgroup.automount: Cilium 1.18.4's chart has no such "
                                           "value (did you mean cgroup.autoMount?)",
    "29-catch-global-block.yaml": "global: Cilium 1.17.18's chart has no such value",
    "30-catch-dotted-key.yaml": "hubble.\"metrics.enabled\": Cilium 1.19.6's chart has no such "
                                "value",
    "36-production-big.yaml": "externalIPs: Cilium 1.18.4's chart has no such value (removed in "
                              "Cilium 1.17)",
}  # fmt: skip
# What lets 36 (which renders only where the ServiceMonitor CRDs exist) through: the key its
# release no longer has, named, and the CRDs trusted.
LET_THROUGH = {"36-production-big.yaml": ["--unchecked", "externalIPs", "--set",
                                          "prometheus.serviceMonitor.trustCRDsExist=true"]}


def release_of(name: str) -> str:
    text = (CORPUS / name).read_text(encoding="utf-8")
    found = re.search(r"^# Target: cilium (\S+)", text, re.M)
    assert found is not None, name
    return found.group(1)


def file_values(name: str) -> dict[str, Any]:
    return dict(valuesfile.read(CORPUS / name, name).values)
