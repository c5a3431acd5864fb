"""`nixgen import FILE`: a values file (or a Flux HelmRelease, an Argo CD Application) as a
commented nixgen config. The keys nixgen models go to `[settings]`, the rest to `[values]`, and
`defaults = "chart"`, so the first module generated from it deploys exactly what the file did.

What Helm reads from the file and ignores is left out, each with why, and said on stderr: a key
the pinned chart has no such value for (with the key probably meant), a top-level `global:`
block (Cilium's templates never read it), a key with dots in it (Helm never splits a key at
its dots). Whatever the chart refuses (a removed key, a wrong type, a combination) is refused
here as by `nixgen module`, with nothing written. The config is checked through the pipeline
before it is written, so `nixgen module --config` takes it as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nixgen import tree
from nixgen.errors import ConfigError
from nixgen.facts import catalog, chart
from nixgen.facts.valuepath import ValuePath, dotted, split_dotted
from nixgen.input import settings, valuesfile
from nixgen.input.choices import DEFAULT_VERSION
from nixgen.version import __version__

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Catch:
    """A key Helm reads from the file and ignores: where, its value, and why."""

    path: ValuePath
    value: Any
    why: str


@dataclass(frozen=True)
class Imported:
    config: dict[str, Any]
    catches: tuple[Catch, ...]
    warnings: tuple[str, ...]
    source: str


def import_file(path: Path, shown: str, cilium_version: str | None = None) -> Imported:
    """The config a values file stands for; ConfigError (or the pipeline's NixgenError) when
    the chart would refuse it."""
    from nixgen import pipeline
    from nixgen.input.config import known_version
    from nixgen.input.spec import plain

    file = valuesfile.read(path, shown)
    warnings = list(file.warnings)
    version = cilium_version or file.version
    if version is None:
        version = DEFAULT_VERSION
        warnings.append(f"{shown} names no Cilium release: the config pins {version}, nixgen's "
                        "default (give the file's with --cilium-version)")  # fmt: skip
    known_version(version, "--cilium-version" if cilium_version else "ciliumVersion")
    release = catalog.load().release_for(version)
    facts = chart.load(release.version)
    catches = _catches(file.values, facts)
    kept = tree.without(file.values, [c.path for c in catches]) if catches else file.values
    # The config must pass as `nixgen module` would judge it: the kept values, chart defaults.
    checked = file._replace(values=kept, warnings=())
    pipeline.checked_plan(plain(version=version, files=(checked,), defaults="chart"))
    config: dict[str, Any] = {"ciliumVersion": version, "defaults": "chart"}
    typed, free = _split(kept, release.version)
    if typed:
        config["settings"] = typed
    if free:
        config["values"] = free
    warnings += [f"{file.source(c.path)}: {c.why}: left out of the config" for c in catches]
    return Imported(config, tuple(catches), tuple(warnings), shown)


def _catches(values: dict[str, Any], facts: chart.Chart) -> list[Catch]:
    """The keys Helm reads from `values` and ignores, and why; a key the chart refuses is the
    pipeline's to refuse."""
    from nixgen.checks.values import against_chart

    out = []
    for problem in against_chart(values, facts):
        if problem.refused:
            continue
        path = split_dotted(problem.path)
        if facts.known(path):
            continue  # a type the chart refuses: the pipeline says so
        out.append(Catch(path, tree.lookup(values, path), _why(path, problem.message, facts)))
    return out


def _why(path: ValuePath, message: str, facts: chart.Chart) -> str:
    if path[0] == "global":
        return ("Cilium's templates never read .Values.global (Helm keeps it for subcharts), so "
                "nothing in it takes effect; its keys belong at the top level")  # fmt: skip
    for i, key in enumerate(path):
        if "." in key:
            nested = (*path[:i], *key.split("."))
            if facts.known(nested):
                return (f"{json.dumps(key)} is one key with dots in it, which Helm never "
                        f"splits: the chart reads {dotted(nested)}, nested")  # fmt: skip
    return message.removeprefix(f"{dotted(path)}: ")


def _split(values: dict[str, Any], version: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The typed settings among `values` (a plain value of a form the chart takes), and the
    rest."""
    typed: dict[str, Any] = {}
    moved = []
    for s in settings.SETTINGS:
        found = tree.lookup(values, s.keys, _ABSENT)
        if found is _ABSENT or found is None or isinstance(found, dict):
            continue
        if settings.check_value(s, found, version) is None:
            tree.put(typed, s.keys, found)
            moved.append(s.keys)
    return typed, tree.without(values, moved) if moved else values


_ABSENT: Any = tree.Sentinel("ABSENT")


# ------------------------------------------------------------------ writing it


def toml_text(imported: Imported) -> str:
    """The config as commented TOML (tomllib reads it back as `imported.config`)."""
    from nixgen import tomlwriter

    config = imported.config
    _no_null(config)
    name = imported.source
    lines = [
        f"# Imported by nixgen {__version__} from {name} (nixgen import).",
        "#",
        f'# defaults = "chart": the module deploys what `helm install -f {name}` deploys.',
        '# defaults = "nixgen" lets nixgen\'s defaults fill what these values leave open (they',
        "# yield where they would collide with them; `nixgen values --sources` shows each).",
        f"ciliumVersion = {tomlwriter.string(config['ciliumVersion'])}",
        f"defaults = {tomlwriter.string(config['defaults'])}",
    ]
    if "settings" in config:
        lines += ["", "# The Helm values nixgen models as typed settings (nixgen schema). A "
                      "setting may differ", "# per profile: operator.replicas = { local = 1, "
                      "production = 2 }."]  # fmt: skip
        lines += tomlwriter.section(config["settings"], ("settings",), 1)
    if "values" in config:
        lines += ["", "# The chart's other values, as the file gives them."]
        lines += tomlwriter.section(config["values"], ("values",), 2)
    if imported.catches:
        lines += ["", "# Left out: Helm reads these from the file and ignores them, so the cluster "
                      "does not", "# change without them."]  # fmt: skip
        for catch in imported.catches:
            lines.append(f"# - {dotted(catch.path)}: {catch.why}")
            try:
                shown = tomlwriter.assignments({catch.path[-1]: catch.value}, catch.path[:-1])
            except tomlwriter.TomlError:  # a null in it: as JSON, for the reader's eyes
                shown = [f"{tomlwriter.dotted(catch.path)} = {json.dumps(catch.value)}"]
            lines += [f"#   {line}" for line in shown]
    return "\n".join(lines) + "\n"


def json_text(imported: Imported) -> str:
    return json.dumps(imported.config, indent=2, ensure_ascii=False) + "\n"


def _no_null(config: dict[str, Any]) -> None:
    def null(node: Any) -> bool:
        return node is None

    for section in ("settings", "values"):
        for path, value in tree.leaves(config.get(section, {}), nix=False):
            if value is None or tree.contains(value, null):
                raise ConfigError(f"values.{dotted(path)} is null (to drop the chart's default), "
                                  "which TOML cannot hold: import to a JSON config instead "
                                  "(-o nixgen.json)")  # fmt: skip
