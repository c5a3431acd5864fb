"""A plain command line builds its spec without pydantic, from the same defaults the models
take, and gives exactly what the validated path gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nixgen import generate, tree
from nixgen.checks.values import against_chart
from nixgen.cli import cli
from nixgen.facts import catalog, chart
from nixgen.input import settings, spec
from nixgen.input.choices import EASYKUBENIX, FLAVORS, PROFILES
from nixgen.input.config import from_command_line
from nixgen.plan import model


DEFAULTED = [s for s in settings.SETTINGS if s.default is not settings.UNSET]
# Defaults a user cannot write as they are: an expression of the module's own (`cfg.`).
WRITABLE = [s for s in DEFAULTED if "cfg." not in json.dumps(s.default)]


def _values(profile: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["values", "--profile", profile, "--output", "json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("setting", WRITABLE, ids=lambda s: s.path)
def test_a_setting_given_at_its_default_changes_no_value(setting: settings.Setting,
                                                        tmp_path: Path) -> None:
    """Each default of the settings table, given explicitly, through the validated path (a
    config's `[settings]`) and, where it is one plain value, through the plain one (`--set`):
    both profiles get the values of a command line that gives none."""
    want = {profile: _values(profile) for profile in PROFILES}
    config = tmp_path / "nixgen.json"
    config.write_text(json.dumps({"settings": tree.nest(setting.keys, setting.default)}),
                      encoding="utf-8")  # fmt: skip
    for profile in PROFILES:
        assert _values(profile, "--config", str(config)) == want[profile]
    if not isinstance(setting.default, dict):
        given = f"{setting.path}={json.dumps(setting.default)}"
        for profile in PROFILES:
            assert _values(profile, "--set", given) == want[profile]


@pytest.mark.parametrize("version", chart.versions())
def test_every_default_setting_is_a_value_the_chart_takes(version: str) -> None:
    """The settings table's defaults, in each profile, against the chart facts of every
    release: paths it knows, values of types it takes."""
    facts = chart.load(version)
    for setting in DEFAULTED:
        for profile in PROFILES:
            value = model.resolve(model.lower(setting.default, bare_nix=True), profile)
            assert against_chart(tree.nest(setting.keys, value), facts) == [], setting.path


@pytest.mark.parametrize("easykubenix", [None, *EASYKUBENIX])
@pytest.mark.parametrize("flavor", [None, *FLAVORS])
@pytest.mark.parametrize("version", [None, *catalog.load().releases])
def test_plain_and_validated_specs_give_the_same_module(
    flavor: str | None, version: str | None, easykubenix: str | None
) -> None:
    plain = from_command_line(flavor=flavor, cilium_version=version, easykubenix=easykubenix)
    data = {k: v for k, v in {"flavor": flavor, "ciliumVersion": version,
                              "easykubenix": easykubenix}.items() if v is not None}  # fmt: skip
    validated = spec.validate(data)
    assert plain.given == validated.given
    assert generate(plain) == generate(validated) == generate(data)


def _modules_after(args: list[str]) -> list[str]:
    code = (
        "import json, sys\n"
        "from nixgen.cli import cli\n"
        "try:\n"
        f"    cli({args!r})\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "                        if m.split('.')[0] in ('jinja2', 'pydantic'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def test_plain_path_imports_no_pydantic() -> None:
    loaded = _modules_after(["module", "--flavor", "nixidy", "--format", "never"])
    assert [m for m in loaded if m.startswith("pydantic")] == []


@pytest.mark.parametrize("args", [["--help"], ["versions"], ["versions", "--json"]])
def test_help_and_versions_import_neither_jinja2_nor_pydantic(args: list[str]) -> None:
    assert _modules_after(args) == []


@pytest.mark.parametrize("easykubenix", EASYKUBENIX)
@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("version", list(catalog.load().releases))
def test_a_plain_spec_passes_the_checks_its_run_skips(
    flavor: str, version: str, easykubenix: str
) -> None:
    """A plain command line skips the value and object checks (pipeline.is_plain): what it
    generates passes them, for every release, flavour and generation."""
    from nixgen import pipeline
    from nixgen.checks import objects, values

    built = pipeline.planned(from_command_line(flavor=flavor, cilium_version=version,
                                               easykubenix=easykubenix))  # fmt: skip
    assert pipeline.is_plain(built.spec)
    values.check_settings(built)
    assert values.check(built) == []
    objects.check(built)
    assert [o.kind for o in built.objects] == ["CiliumClusterwideNetworkPolicy",
                                               "CiliumNetworkPolicy"]  # fmt: skip
