"""The hand-kept chart changes (nixgen/data/chart-changes.json) held to the chart facts: a
mechanical rename names a key the older charts have in values.yaml and a key the newer ones
have, of a type that takes the old key's values; a deprecation names a key its minor still has."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nixgen.facts import chart, locations
from nixgen.facts.versions import minor, numbers

CHANGES = json.loads(Path(locations.CHANGES_FILE).read_text(encoding="utf-8"))
RELEASES = chart.versions()
RENAMES = [(m, old, new) for m, entries in CHANGES["renamed"].items()
           for old, new in entries.items()]  # fmt: skip
DEPRECATIONS = [(m, key) for m, entries in CHANGES["deprecated"].items() for key in entries]


def _before(at: str) -> list[str]:
    return [v for v in RELEASES if numbers(minor(v)) < numbers(at)]


def _from(at: str) -> list[str]:
    return [v for v in RELEASES if numbers(minor(v)) >= numbers(at)]


@pytest.mark.parametrize(("at", "old", "new"), RENAMES, ids=lambda x: str(x))
def test_a_mechanical_rename_is_a_curated_removal_whose_note_names_the_new_key(
    at: str, old: str, new: str
) -> None:
    assert old in CHANGES["removed"][at]
    assert new in CHANGES["removed"][at][old]


@pytest.mark.parametrize(("at", "old", "new"), RENAMES, ids=lambda x: str(x))
def test_a_mechanical_rename_moves_a_value_between_keys_of_one_type(
    at: str, old: str, new: str
) -> None:
    last = chart.load(_before(at)[-1]).info(old)
    assert last is not None and last.source == "values", old
    for version in _from(at):
        target = chart.load(version).info(new)
        assert target is not None and target.source == "values", (version, new)
        assert set(last.types) <= set(target.types) | {"null"}, (old, last.types, target.types)


@pytest.mark.parametrize(("at", "key"), DEPRECATIONS, ids=lambda x: str(x))
def test_a_deprecated_key_is_one_its_minor_still_has(at: str, key: str) -> None:
    first = next(v for v in RELEASES if minor(v) == at)
    info = chart.load(first).info(key)
    assert info is not None and info.source in ("values", "map"), (first, key)


def test_the_renames_are_those_the_reference_notes_call_mechanical() -> None:
    """The keys Cilium's upgrade notes move as they are (chart-value-changes.md), nothing else:
    kubeProxyReplacement for nodePort.enabled, say, is a change of meaning, not a rename."""
    renamed = {old: new for _, old, new in RENAMES}
    assert renamed == {
        "enableCiliumEndpointSlice": "ciliumEndpointSlice.enabled",
        "hubble.export.fileMaxSizeMb": "hubble.export.static.fileMaxSizeMb",
        "hubble.export.fileMaxBackups": "hubble.export.static.fileMaxBackups",
        "l2podAnnouncements.interface": "l2podAnnouncements.interfacePattern",
        "clustermesh.apiserver.tls.server.extraDnsNames":
            "clustermesh.apiserver.tls.auto.server.extraDnsNames",
        "clustermesh.apiserver.tls.server.extraIpAddresses":
            "clustermesh.apiserver.tls.auto.server.extraIpAddresses",
        "clustermesh.enableMCSAPISupport": "clustermesh.mcsapi.enabled",
        "encryption.strictMode.enabled": "encryption.strictMode.egress.enabled",
        "encryption.strictMode.cidr": "encryption.strictMode.egress.cidr",
        "encryption.strictMode.allowRemoteNodeIdentities":
            "encryption.strictMode.egress.allowRemoteNodeIdentities",
    }  # fmt: skip
