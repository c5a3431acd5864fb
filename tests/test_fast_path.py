"""A plain command line builds its spec without pydantic, from the same defaults the models
take, and gives exactly what the validated path gives."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nixgen import generate
from nixgen.facts import catalog
from nixgen.input import models, settings, spec
from nixgen.input.choices import EASYKUBENIX, FLAVORS
from nixgen.input.config import from_command_line


def test_the_default_settings_are_valid_settings() -> None:
    """The table's defaults pass the models built from the same table, and a config that sets
    them all writes exactly what a config that sets nothing writes."""
    model = models.Settings.model_validate(spec.DEFAULT_SETTINGS)
    given = model.model_dump(mode="json", exclude_unset=True)
    assert given == spec.DEFAULT_SETTINGS
    assert settings.with_defaults(given) == settings.with_defaults({}) == spec.DEFAULT_SETTINGS


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
