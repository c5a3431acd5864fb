"""Reading what the user gave: a config file (TOML or JSON), the command line's flags and
`--set` values over it, or the spec a generated file carries in its header. The result is the
Spec the pipeline takes (`nixgen.input.spec`)."""

from __future__ import annotations

import json
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

# The header of a generated file holds the spec: from this version as a block of pretty JSON,
#   # nixgen-spec:
#   #   {
#   #     "flavor": "hetzkube",
#   #     ...
#   #   }
# its lines prefixed `#   `, a line over HEADER_WIDTH columns continued on the next after `#+ `;
# before, as one line, `# nixgen-spec: {...}`.
SPEC_MARK = "# nixgen-spec: "
BLOCK_MARK = "# nixgen-spec:"
BLOCK_LINE = "#   "
CONTINUED = "#+ "
HEADER_WIDTH = 200


def load_config(path: Path) -> dict[str, Any]:
    """The config file as data: TOML, or JSON when its name ends in .json."""
    import tomllib  # a plain command line reads no config file: it does not pay for the parser

    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"--config {path}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"--config {path}: not UTF-8 text") from None
    except (ValueError, tomllib.TOMLDecodeError) as err:
        kind = "JSON" if path.suffix == ".json" else "TOML"
        raise ConfigError(f"--config {path}: invalid {kind}: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--config {path}: the top level must be a table (an object)")
    return data


def header_lines(data: Mapping[str, Any]) -> list[str]:
    """The header's lines that hold the spec `data` (without newlines)."""
    out = [BLOCK_MARK]
    for line in _json_lines(data, 0, expand=True):
        text = BLOCK_LINE + line
        out.append(text[:HEADER_WIDTH])
        rest = text[HEADER_WIDTH:]
        while rest:
            out.append(CONTINUED + rest[: HEADER_WIDTH - len(CONTINUED)])
            rest = rest[HEADER_WIDTH - len(CONTINUED):]
    return out


# A table or list stays on one line while the header line it makes is this wide at most.
_INLINE = 100


def _json_lines(value: Any, indent: int, key: str = "", expand: bool = False) -> list[str]:
    """`value` (at `key`, already written as `"key": `) as JSON lines: one key or item a line;
    a table or list that fits stays on one unless `expand`."""
    head = " " * indent + key
    inline = json.dumps(value, ensure_ascii=True, separators=(", ", ": "))
    if (not isinstance(value, (dict, list)) or not value
            or not expand and len(BLOCK_LINE) + len(head) + len(inline) <= _INLINE):  # fmt: skip
        return [head + inline]
    if isinstance(value, dict):
        items = [(json.dumps(k, ensure_ascii=True) + ": ", v) for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [("", v) for v in value]
        opening, closing = "[", "]"
    out = [head + opening]
    for i, (name, item) in enumerate(items):
        lines = _json_lines(item, indent + 2, name)
        if i < len(items) - 1:
            lines[-1] += ","
        out += lines
    return [*out, " " * indent + closing]


def read_header(file: Path) -> tuple[dict[str, Any], bool]:
    """The spec a generated file carries in its header comment, and whether it is written in
    the single-line form of earlier nixgen versions."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{file}: cannot read it: {getattr(err, 'strerror', None) or err}") from None
    return parse_header(text, str(file))


def parse_header(text: str, file: str = "the file") -> tuple[dict[str, Any], bool]:
    """read_header of a generated file's text (`file` names it in errors)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if line.startswith(SPEC_MARK):
            return _spec(line[len(SPEC_MARK):], file), True
        if line.rstrip() == BLOCK_MARK:
            block: list[str] = []
            for item in lines[i + 1:]:
                if item.startswith(CONTINUED) and block:
                    block[-1] += item[len(CONTINUED):]
                elif item.startswith(BLOCK_LINE):
                    block.append(item[len(BLOCK_LINE):])
                else:
                    break
            return _spec("\n".join(block), file), False
    raise ConfigError(f"{file}: no `{BLOCK_MARK}` header: not made by nixgen")


def _spec(text: str, file: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ConfigError(f"{file}: the nixgen-spec header is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the nixgen-spec header is not an object")
    return data


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
    data, _ = read_header(file)
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
