"""Reading what the user gave: a config file (TOML or JSON), the command line's flags and
`--set` values over it, or the spec a generated file carries in its header. The result is the
Spec the pipeline takes (`nixgen.input.spec`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from nixgen.errors import ConfigError
from nixgen.facts import catalog
from nixgen.facts.versions import UnknownVersion
from nixgen.input import spec as spec_
from nixgen.input.choices import DEFAULT_VERSION, NODE_OUTPUT, PROFILES
from nixgen.input.sets import SetError, parse_set
from nixgen.tree import deep_merge, nest

if TYPE_CHECKING:
    from pathlib import Path

SPEC_MARK = "# nixgen-spec: "


def load_config(path: Path) -> dict[str, Any]:
    """The config file as data: TOML, or JSON when its name ends in .json."""
    import tomllib  # a plain command line reads no config file: it does not pay for the parser

    from nixgen.input.limits import MAX_BYTES, MAX_DEPTH, InputLimit, check_depth, loads_json

    try:
        with open(path, "rb") as handle:  # a FIFO or /dev/stdin is fine; bounded all the same
            raw = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"--config {path}: {err.strerror or err}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"--config {path}: larger than {MAX_BYTES // 2**20} MiB (nixgen's "
                          "limit for a config file)")  # fmt: skip
    kind = "JSON" if path.suffix == ".json" else "TOML"
    try:
        text = raw.decode("utf-8")
        data = loads_json(text) if kind == "JSON" else tomllib.loads(text)
        check_depth(data)
    except UnicodeDecodeError:
        raise ConfigError(f"--config {path}: not UTF-8 text") from None
    except InputLimit as err:
        raise ConfigError(f"--config {path}: {err}") from None
    except RecursionError:
        raise ConfigError(f"--config {path}: nested more than {MAX_DEPTH} levels deep "
                          "(nixgen's limit)") from None  # fmt: skip
    except (ValueError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"--config {path}: invalid {kind}: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: the top level must be a table (an object)")
    return data


def read_header(file: Path) -> dict[str, Any]:
    """The spec a generated file carries in its header comment."""
    from nixgen.input.limits import InputLimit, check_depth, loads_json
    from nixgen.output import read_regular

    try:
        text = read_regular(file)
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{file}: cannot read it: {getattr(err, 'strerror', None) or err}") from None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(SPEC_MARK):
            try:
                data = loads_json(line[len(SPEC_MARK):])
                check_depth(data)
            except InputLimit as err:
                raise ConfigError(f"{file}: the nixgen-spec header: {err}") from None
            except ValueError as err:
                raise ConfigError(f"{file}: the nixgen-spec header is not JSON: {err}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{file}: the nixgen-spec header is not an object")
            return data
    raise ConfigError(f"{file}: no `{SPEC_MARK.strip()}` line in its header: not made by nixgen")


def known_version(version: Any, where: str) -> None:
    """ConfigError naming `where` unless `version` is X.Y.Z of a minor nixgen has facts for."""
    if isinstance(version, str):
        try:
            catalog.load().release_for(version)
        except UnknownVersion as err:
            raise ConfigError(f"{where} {version}: {err}") from None


def from_command_line(config_path: Path | None = None, flavor: str | None = None,
                      cilium_version: str | None = None, easykubenix: str | None = None,
                      gateway_api_version: str | None = None, rev: str | None = None,
                      nar_hash: str | None = None, sets: tuple[str, ...] = (),
                      unchecked: tuple[str, ...] = ()) -> spec_.Spec:
    """The Spec from the config file, then the command line over it. A command line without a
    config file or pins (flavour, version, easykubenix generation, `--set`, `--unchecked`)
    needs no validation model: its settings are the defaults."""
    version_flag = "--cilium-version"
    if config_path is None and not (gateway_api_version or rev or nar_hash):
        known_version(cilium_version or DEFAULT_VERSION, version_flag)
        values = with_sets({}, sets).get("values", {})
        return spec_.plain(flavor, cilium_version, easykubenix, values, unchecked)
    data: dict[str, Any] = load_config(config_path) if config_path else {}
    flags = {"flavor": flavor, "ciliumVersion": cilium_version, "easykubenix": easykubenix,
             "gatewayApiVersion": gateway_api_version}  # fmt: skip
    data.update({k: v for k, v in flags.items() if v is not None})
    if rev is not None or nar_hash is not None:
        data["source"] = {k: v for k, v in (("rev", rev), ("narHash", nar_hash)) if v is not None}
    if unchecked:
        given = data.get("uncheckedValues", [])
        data["uncheckedValues"] = [*given, *unchecked] if isinstance(given, list) else given
    where = version_flag if cilium_version is not None else "ciliumVersion"
    known_version(data.get("ciliumVersion", DEFAULT_VERSION), where)
    data = with_sets(data, sets)
    return spec_.validate(data)


def with_sets(data: dict[str, Any], sets: tuple[str, ...]) -> dict[str, Any]:
    """`data` with each `--set PATH=VALUE` merged over its `values`."""
    given = data.get("values", {})
    if not isinstance(given, Mapping):
        raise ConfigError("values: must be a table of Helm values")
    for item in sets:
        try:
            path, value = parse_set(item)
        except SetError as err:
            raise ConfigError(str(err)) from None
        given = deep_merge(given, nest(path, value))
    if given:
        data = {**data, "values": given}
    return data


def from_header(file: Path, cilium_version: str | None = None,
                rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                ) -> tuple[spec_.Spec, str | None]:  # fmt: skip
    """The Spec a generated file's header records, and the profile when the file is a node
    module (None for a cluster module); with `cilium_version`, bumped to it (a pin belongs to
    the version it was computed for, so it is dropped), after `rewrite` (regen --migrate)."""
    data = read_header(file)
    profile = _node_profile(data, file)
    if cilium_version is not None:
        known_version(cilium_version, "--cilium-version")
        if rewrite is not None:
            data = rewrite(data)
        data["ciliumVersion"] = cilium_version
        data.pop("source", None)
    return spec_.validate(data, where=f"{file}: header spec"), profile


def _node_profile(data: dict[str, Any], file: Path) -> str | None:
    """The profile when a header spec is a node module's (removing the keys that are not the
    spec's own), else None."""
    output = data.pop("output", None)
    if output is None:
        return None
    profile = data.pop("profile", "production")
    if output != NODE_OUTPUT:
        raise ConfigError(f"{file}: header spec: output {output!r} is not one nixgen writes")
    if profile not in PROFILES:
        raise ConfigError(f"{file}: header spec: profile {profile!r} is neither local nor "
                          "production")  # fmt: skip
    return str(profile)
