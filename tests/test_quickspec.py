"""The fast path for plain command lines gives exactly what the validated path gives."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest

from nixgen import catalog, generate, quickspec
from nixgen.choices import EASYKUBENIX, FLAVORS
from nixgen.cli import spec_for
from nixgen.spec import Spec


def test_snapshot_of_default_values_matches_the_models() -> None:
    shipped = resources.files("nixgen.data").joinpath(quickspec.SNAPSHOT).read_text("utf-8")
    assert shipped == quickspec.snapshot_text(), (
        "the default settings changed: rewrite the snapshot with `python -m nixgen.quickspec`"
    )


@pytest.mark.parametrize("easykubenix", [None, *EASYKUBENIX])
@pytest.mark.parametrize("flavor", [None, *FLAVORS])
@pytest.mark.parametrize("version", [None, *catalog.load().releases])
def test_quick_and_validated_specs_give_the_same_module(
    flavor: str | None, version: str | None, easykubenix: str | None
) -> None:
    given = {"flavor": flavor, "cilium_version": version, "easykubenix": easykubenix}
    quick = spec_for(**given)
    assert isinstance(quick, quickspec.QuickSpec)
    data = {k: v for k, v in {"flavor": flavor, "ciliumVersion": version,
                              "easykubenix": easykubenix}.items() if v is not None}  # fmt: skip
    assert generate(quick) == generate(Spec.model_validate(data))


def test_quick_path_imports_no_pydantic() -> None:
    code = (
        "import sys\n"
        "from nixgen.cli import cli\n"
        "try:\n"
        "    cli(['module', '--flavor', 'nixidy', '--format', 'never'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic')))\n"
    )
    done = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True,
                          text=True, timeout=60, check=True)  # fmt: skip
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_anything_more_takes_the_validated_path() -> None:
    assert isinstance(spec_for(sets=("a=1",)), Spec)
    assert isinstance(spec_for(gateway_api_version="1.3.0"), Spec)
    assert isinstance(spec_for(rev="0" * 40), Spec)


@pytest.mark.parametrize("args", [["--help"], ["versions"], ["versions", "--json"]])
def test_help_and_versions_import_neither_jinja2_nor_pydantic(args: list[str]) -> None:
    code = (
        "import json, sys\n"
        "from nixgen.cli import cli\n"
        "try:\n"
        f"    cli({args!r})\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'pydantic'))\n"
        "print(json.dumps(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    assert json.loads(done.stdout.splitlines()[-1]) == []
