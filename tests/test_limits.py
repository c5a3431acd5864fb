"""Input past nixgen's bounds (nesting, size, keys given twice in JSON) and failures nixgen has
no message for: one line on stderr, exit 2, never a traceback, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from clirun import one_line_error, process

from nixgen.cli import cli

# The documented limit (README, nixgen.input.limits.MAX_DEPTH).
MAX_DEPTH = 64


def _nested(depth: int, leaf: object = 1) -> object:
    out: object = leaf
    for _ in range(depth):
        out = {"a": out}
    return out


def _json_text(depth: int) -> str:
    # written by hand: json.dumps itself gives up past ~1000 levels
    return '{"values": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300])
def test_values_nested_past_the_limit_are_one_line_naming_it(depth: int, tmp_path: Path) -> None:
    config = tmp_path / "nixgen.json"
    config.write_text(_json_text(depth), encoding="utf-8")
    target = tmp_path / "cilium.nix"
    done = process("module", "--config", str(config), "-o", str(target))
    one_line_error(done, f"--config {config}: values.a.a.a", "nested more than 64 levels deep "
                   "below values (nixgen's limit)")  # fmt: skip
    assert not target.exists()


def test_values_at_the_limit_pass_the_limit(tmp_path: Path) -> None:
    config = tmp_path / "nixgen.json"
    config.write_text(json.dumps({"values": _nested(MAX_DEPTH), "uncheckedValues": ["a"]}),
                      encoding="utf-8")  # fmt: skip
    done = process("module", "--format", "never", "--config", str(config))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("name", "text"), [
    ("nixgen.json", _json_text(1100)),
    ("nixgen.toml", "values = " + "{a=" * 1100 + "1" + "}" * 1100),
    ("nixgen.toml", "values.x = " + "[" * 1100 + "]" * 1100),
])  # fmt: skip
def test_config_files_nested_past_what_a_reader_follows_are_one_line(
    name: str, text: str, tmp_path: Path
) -> None:
    config = tmp_path / name
    config.write_text(text, encoding="utf-8")
    one_line_error(process("module", "--config", str(config)), f"--config {config}",
                   "nested more than 64 levels deep")  # fmt: skip


def test_a_long_set_path_is_one_line_naming_the_limit() -> None:
    done = process("module", "--set", ".".join(["a"] * 500) + "=1")
    one_line_error(done, "--set 'a.a.a", "a path of 500 keys (nixgen's limit is 64)")


def test_a_set_path_of_64_keys_passes_the_limit() -> None:
    done = process("module", "--format", "never", "--unchecked", "a",
                   "--set", ".".join(["a"] * MAX_DEPTH) + "=1")  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("value", ["[" * 2000 + "]" * 2000, "[" * 70 + "]" * 70])
def test_a_deeply_nested_set_value_is_one_line(value: str) -> None:
    one_line_error(process("module", "--set", f"a={value}"), "--set 'a=[[[",
                   "64 levels deep")  # fmt: skip


def test_a_deep_header_spec_is_one_line(tmp_path: Path) -> None:
    module = tmp_path / "cilium.nix"
    spec = '{"flavor": "hetzkube", "values": ' + '{"a": ' * 1200 + "1" + "}" * 1200 + "}"
    module.write_text(f"# nixgen-spec: {spec}\n{{ }}\n", encoding="utf-8")
    before = module.read_bytes()
    one_line_error(process("regen", str(module)), f"{module}: the nixgen-spec header",
                   "nested more than 64 levels deep")  # fmt: skip
    assert module.read_bytes() == before


def test_deep_values_through_the_library_are_a_config_error() -> None:
    from nixgen import generate
    from nixgen.errors import ConfigError

    with pytest.raises(ConfigError, match="nested more than 64 levels deep below values"):
        generate({"values": _nested(300)})


# ---------------------------------------------------------------- JSON keys given twice


@pytest.mark.parametrize("text", [
    '{"flavor": "nixidy", "flavor": "hetzkube"}',
    '{"settings": {"routingMode": "native", "routingMode": "tunnel"}}',
    '{"objects": [{"kind": "ConfigMap", "kind": "Secret"}]}',
])  # fmt: skip
def test_a_key_given_twice_in_a_json_config_is_refused(text: str, tmp_path: Path) -> None:
    config = tmp_path / "nixgen.json"
    config.write_text(text, encoding="utf-8")
    one_line_error(process("module", "--config", str(config)), f"--config {config}",
                   "is given twice in one object")  # fmt: skip


def test_a_key_given_twice_in_a_set_value_is_refused() -> None:
    one_line_error(process("module", "--set", 'cluster={"name": "a", "name": "b"}'),
                   """--set 'cluster={"name": "a", "name": "b"}': the value: the key "name" is """
                   "given twice")  # fmt: skip


def test_a_key_given_twice_in_a_header_spec_is_refused(tmp_path: Path) -> None:
    module = tmp_path / "cilium.nix"
    module.write_text('# nixgen-spec: {"flavor": "nixidy", "flavor": "hetzkube"}\n{ }\n',
                      encoding="utf-8")  # fmt: skip
    one_line_error(process("regen", str(module)), "the key \"flavor\" is given twice")


def test_a_huge_config_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    config = tmp_path / "nixgen.toml"
    with open(config, "w", encoding="utf-8") as handle:
        handle.write("# " + "x" * (17 * 2**20) + "\n")
    one_line_error(process("module", "--config", str(config)), "larger than 16 MiB")


# ---------------------------------------------------------------- catalogs with junk inside


@pytest.mark.parametrize(("content", "reason"), [
    ('{"versions": null, "gatewayApi": null}', "versions is not an object"),
    ('{"versions": {}, "gatewayApi": null}', "gatewayApi is not an object"),
    ('{"versions": {"1.18.4": null}, "gatewayApi": {}}', "versions.1.18.4 is not an object"),
    ('{"versions": {"1.18.4": {"crds": [null]}}, "gatewayApi": {}}',
     "versions.1.18.4.crds[0] is not an object"),
    ('{"versions": {"1.18.4": {"crds": [{"kind": 1, "group": "g", "storageVersion": "v2", '
     '"namespaced": true, "dir": "v2", "file": "f"}]}}, "gatewayApi": {}}',
     "versions.1.18.4.crds[0].kind is not a string"),
    ('{"versions": {}, "gatewayApi": {"1.18": null}}', "gatewayApi.1.18 is not a version string"),
    ('{"versions": {}, "gatewayApi": {}, "gatewayApiExperimental": {"1.16": 3}}',
     "gatewayApiExperimental.1.16 is not a list of strings"),
    ("[" * 5000 + "]" * 5000, "the catalog is not JSON"),
])  # fmt: skip
@pytest.mark.parametrize("command", [["module"], ["versions"], ["explain", "hubble.enabled"]])
def test_a_catalog_with_null_or_junk_sections_is_one_line(
    content: str, reason: str, command: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(content, encoding="utf-8")
    one_line_error(process(*command, env={"NIXGEN_CATALOG": str(path)}),
                   f"NIXGEN_CATALOG={path}", reason)  # fmt: skip


@pytest.mark.parametrize("junk", ["null", "[1]", '{"nodes": null, "index": {}}', "not json"])
def test_a_junk_schema_store_beside_the_catalog_is_one_line(junk: str, tmp_path: Path) -> None:
    from nixgen.facts import locations

    catalog = tmp_path / "catalog.json"
    catalog.write_text(Path(locations.SHIPPED_CATALOG).read_text("utf-8"), encoding="utf-8")
    (tmp_path / "catalog.schemas.json").write_text(junk, encoding="utf-8")
    policy = {"policies": {"extra": [{"kind": "CiliumNetworkPolicy", "name": "p",
                                      "namespace": "n", "spec": {}}]}}  # fmt: skip
    config = tmp_path / "nixgen.json"
    config.write_text(json.dumps(policy), encoding="utf-8")
    done = process("module", "--config", str(config), env={"NIXGEN_CATALOG": str(catalog)})
    one_line_error(done, "catalog.schemas.json", "schema store")


@pytest.mark.parametrize("junk", ["null", '{"paths": 3, "version": "1.18.4"}', "{"])
def test_junk_chart_facts_beside_the_catalog_are_one_line(junk: str, tmp_path: Path) -> None:
    from nixgen.facts import locations

    catalog = tmp_path / "catalog.json"
    catalog.write_text(Path(locations.SHIPPED_CATALOG).read_text("utf-8"), encoding="utf-8")
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart" / "1.18.4.json").write_text(junk, encoding="utf-8")
    done = process("module", "--set", "cluster.name=x", env={"NIXGEN_CATALOG": str(catalog)})
    one_line_error(done, "1.18.4.json", "not nixgen's chart facts")


# ---------------------------------------------------------------- the last resort


def test_an_unexpected_exception_is_one_line_saying_internal_error(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from nixgen import pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(pipeline, "module", broken)
    result = CliRunner().invoke(cli, ["module"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("nixgen: error: internal error (KeyError: 'oops'): a bug in "
                                    "nixgen; please report it")  # fmt: skip


def test_the_last_resort_shows_the_traceback_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from nixgen import pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pipeline, "module", broken)
    monkeypatch.setenv("NIXGEN_DEBUG", "1")
    result = CliRunner().invoke(cli, ["module"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("nixgen: error: internal error "
                                                     "(RecursionError")  # fmt: skip


@pytest.mark.parametrize("args", [["--set", "nix=config.x"], ["--set", 'a={"nix": 3}']])
def test_inputs_nixgen_has_no_message_for_yet_still_end_in_one_line(args: list[str]) -> None:
    done = process("module", "--format", "never", *args)
    assert done.returncode == 2, done.stdout[:200]
    one_line_error(done)
