"""`nixgen regen FILE --cilium-version X --migrate`: a config (a header spec, as data) rewritten
for a newer release where the rewrite is mechanical: a value whose key the release renamed
(`renamed` in nixgen/data/chart-changes.json) moves to the new key, in `values` and in
`settings`, and an object whose apiVersion the release no longer serves takes the kind's
storage apiVersion. Anything else a release removed stays for the user to rewrite; the
pipeline's checks then say what."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from nixgen import tree
from nixgen.errors import ConfigError
from nixgen.facts import upgrade
from nixgen.facts.valuepath import ValuePath, dotted
from nixgen.facts.versions import numbers
from nixgen.input import settings

_ABSENT: Any = object()


def migrate(data: Mapping[str, Any], from_version: str,
            to_version: str) -> tuple[dict[str, Any], list[str]]:
    """`data` rewritten for `to_version`, and one line per rewrite. Renames are applied step by
    step, so a key renamed twice on the way ends at its last name."""
    out = copy.deepcopy(dict(data))
    lines: list[str] = []
    if numbers(from_version) >= numbers(to_version):
        return out, lines
    for a, b in upgrade.steps(from_version, to_version):
        for change in upgrade.renames(a, b):
            assert change.renamed_to is not None
            lines += _rename(out, change.path, change.renamed_to, change.minor)
    lines += _api_versions(out, to_version)
    return out, lines


def _pop(node: Any, path: ValuePath) -> Any:
    """Remove and return the value at `path` in a tree, and the tables it leaves empty."""
    if not isinstance(node, dict) or path[0] not in node:
        return _ABSENT
    if len(path) == 1:
        return node.pop(path[0])
    found = _pop(node[path[0]], path[1:])
    if found is not _ABSENT and node[path[0]] == {}:
        del node[path[0]]
    return found


def _rename(data: dict[str, Any], old: ValuePath, new: ValuePath, minor: str) -> list[str]:
    lines = []
    for section in ("settings", "values"):
        given = data.get(section)
        if not isinstance(given, dict) or tree.lookup(given, old, _ABSENT) is _ABSENT:
            continue
        target = "settings" if section == "settings" and new in settings.PATHS else "values"
        into = data.setdefault(target, {})
        if not isinstance(into, dict):
            continue
        if tree.lookup(into, new, _ABSENT) is not _ABSENT:
            raise ConfigError(f"{section}.{dotted(old)}: Cilium {minor} renamed it to "
                              f"{dotted(new)}, which {target} sets too: keep one by hand")
        value = tree.lookup(given, old)
        if target != section and isinstance(value, dict) and value.keys() == {"local",
                                                                              "production"}:
            raise ConfigError(f"settings.{dotted(old)}: Cilium {minor} renamed it to "
                              f"{dotted(new)}, not a typed setting, and `values` takes no value "
                              "per profile: rewrite it by hand")  # fmt: skip
        _pop(given, old)
        tree.put(into, new, value)
        if not given:
            del data[section]
        lines.append(f"{section}.{dotted(old)} → {target}.{dotted(new)} (renamed in Cilium "
                     f"{minor})")  # fmt: skip
    return lines


def _api_versions(data: dict[str, Any], to_version: str) -> list[str]:
    """Each of `objects` whose apiVersion the release no longer serves (of a kind it still
    ships, in the same group) takes the kind's storage apiVersion."""
    lines = []
    for i, obj in enumerate(data.get("objects") or []):
        if not isinstance(obj, dict) or not isinstance(obj.get("apiVersion"), str):
            continue
        crd = upgrade.crd(to_version, str(obj.get("kind")))
        group, _, version = obj["apiVersion"].rpartition("/")
        if crd is None or group != crd.group or version in crd.served:
            continue
        name = (obj.get("metadata") or {}).get("name", "?")
        lines.append(f"objects[{i}]: {obj['kind']} {name}: apiVersion {obj['apiVersion']} → "
                     f"{crd.api_version} (Cilium {to_version} does not serve "
                     f"{obj['apiVersion']})")  # fmt: skip
        obj["apiVersion"] = crd.api_version
    return lines
