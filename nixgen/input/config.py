"""Reading what the user gave: a config file (TOML or JSON), the command line's flags, values
files and `--set` values over it, or the spec a generated file carries in its header. The result
is the Spec the pipeline takes (`nixgen.input.spec`).

Values files are named relative to what names them (the current folder for `-f`, the config
file's folder for its `valuesFiles`) and recorded in the header relative to the generated file
(the current folder when it goes to stdout), which is where `regen` reads them from again."""

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
from nixgen.tree import DESCEND, rebuild

if TYPE_CHECKING:
    from pathlib import Path

    from nixgen.input.valuesfile import ValuesFile

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
    the single-line form of earlier nixgen versions (before `{"$nix"}` marked Nix
    expressions)."""
    from nixgen.output import read_regular

    try:
        text = read_regular(file)
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
            return _header_json(line[len(SPEC_MARK):], file), True
        if line.rstrip() == BLOCK_MARK:
            block: list[str] = []
            for item in lines[i + 1:]:
                if item.startswith(CONTINUED) and block:
                    block[-1] += item[len(CONTINUED):]
                elif item.startswith(BLOCK_LINE):
                    block.append(item[len(BLOCK_LINE):])
                else:
                    break
            return _header_json("\n".join(block), file), False
    raise ConfigError(f"{file}: no `{BLOCK_MARK}` header: not made by nixgen")


def _header_json(text: str, file: str) -> dict[str, Any]:
    from nixgen.input.limits import InputLimit, check_depth, loads_json

    try:
        data = loads_json(text)
        check_depth(data)
    except InputLimit as err:
        raise ConfigError(f"{file}: the nixgen-spec header: {err}") from None
    except ValueError as err:
        raise ConfigError(f"{file}: the nixgen-spec header is not JSON: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the nixgen-spec header is not an object")
    return data


def header_spec(file: Path) -> dict[str, Any]:
    """The spec in a generated file's header, in today's notation: an old header's `{nix}`
    tables in free-form places (values, policy specs, object bodies), Nix expressions when it
    was written, become `{"$nix"}`."""
    data, old = read_header(file)
    return migrate_nix(data) if old else data


# What an object of `objects` holds besides its free-form body.
_OBJECT_KEYS = frozenset({"apiVersion", "kind", "metadata", "profile", "patch"})


def migrate_nix(data: dict[str, Any]) -> dict[str, Any]:
    """An old spec's `{nix = ...}` tables in free-form places as `{"$nix" = ...}`."""

    def marked(node: Any) -> Any:
        if isinstance(node, dict) and node.keys() == {"nix"}:
            return {spec_.NIX_KEY: node["nix"]}
        return DESCEND

    out = dict(data)
    if isinstance(out.get("values"), dict):
        out["values"] = rebuild(out["values"], marked)
    policies = out.get("policies")
    if isinstance(policies, dict) and isinstance(policies.get("extra"), list):
        out["policies"] = {**policies, "extra": [
            {**p, "spec": rebuild(p["spec"], marked)} if isinstance(p, dict) and "spec" in p
            else p for p in policies["extra"]]}  # fmt: skip
    if isinstance(out.get("objects"), list):
        out["objects"] = [
            {k: v if k in _OBJECT_KEYS else rebuild(v, marked) for k, v in o.items()}
            if isinstance(o, dict) else o for o in out["objects"]]  # fmt: skip
    return out


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
                      unchecked: tuple[str, ...] = (), values_files: tuple[str, ...] = (),
                      defaults: str | None = None, set_nix: tuple[str, ...] = (),
                      output: Path | None = None) -> spec_.Spec:  # fmt: skip
    """The Spec from the config file, then the command line over it (values files after the
    config's, `--set` and `--set-nix` over its values, in that order). A command line without a
    config file or pins needs no validation model: it sets no `[settings]`. `output` is where
    the generated file goes (the values files are recorded relative to it)."""
    from pathlib import Path

    version_flag = "--cilium-version"
    items = set_items(sets, set_nix)
    record_from = (output.parent if output is not None else Path.cwd())
    data: dict[str, Any] = load_config(config_path) if config_path else {}
    named = data.pop("valuesFiles", [])
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        raise ConfigError("valuesFiles: must be a list of file paths")
    files = _read_files(named, config_path.parent if config_path else None, record_from)
    files += _read_files(list(values_files), None, record_from)
    if cilium_version is None and "ciliumVersion" not in data:
        cilium_version = _pinned_by(files)
    if config_path is None and not (gateway_api_version or rev or nar_hash):
        known_version(cilium_version or DEFAULT_VERSION, version_flag)
        return spec_.plain(flavor, cilium_version, easykubenix, items, unchecked, files,
                           defaults)  # fmt: skip
    flags = {"flavor": flavor, "ciliumVersion": cilium_version, "easykubenix": easykubenix,
             "gatewayApiVersion": gateway_api_version, "defaults": defaults}  # fmt: skip
    data.update({k: v for k, v in flags.items() if v is not None})
    if rev is not None or nar_hash is not None:
        data["source"] = {k: v for k, v in (("rev", rev), ("narHash", nar_hash)) if v is not None}
    if unchecked:
        given = data.get("uncheckedValues", [])
        data["uncheckedValues"] = [*given, *unchecked] if isinstance(given, list) else given
    if files:
        data["valuesFiles"] = [f.recorded for f in files]
    where = version_flag if cilium_version is not None else "ciliumVersion"
    known_version(data.get("ciliumVersion", DEFAULT_VERSION), where)
    if not isinstance(data.get("values", {}), Mapping):
        raise ConfigError("values: must be a table of Helm values")
    return spec_.validate(data, sets=items, files=files)


def _read_files(names: list[str], base: Path | None,
                record_from: Path) -> tuple[ValuesFile, ...]:  # fmt: skip
    if not names:
        return ()
    from nixgen.input import valuesfile  # a command line without files does not pay for it

    return valuesfile.read_all(names, base, record_from)


def _pinned_by(files: tuple[ValuesFile, ...]) -> str | None:
    """The Cilium release the HelmReleases or Applications among `files` pin, when they pin
    one (refused when they pin several)."""
    pins = {f.version: f for f in files if f.version is not None}
    if len(pins) > 1:
        shown = ", ".join(f"{f.shown} pins {v}" for v, f in sorted(pins.items()))
        raise ConfigError(f"the values files pin different Cilium releases ({shown}): choose one "
                          "with --cilium-version")  # fmt: skip
    return next(iter(pins), None)


def set_items(sets: tuple[str, ...], set_nix: tuple[str, ...] = ()) -> tuple[spec_.SetItem, ...]:
    """Each `--set PATH=VALUE`, then each `--set-nix PATH=EXPR` (a Nix expression)."""
    out = []
    for flag, given in (("--set", sets), ("--set-nix", set_nix)):
        for item in given:
            try:
                keys, value = parse_set(item, flag)
            except SetError as err:
                raise ConfigError(str(err)) from None
            if flag == "--set-nix":  # the expression as written, never read as JSON
                value = {spec_.NIX_KEY: _after_path(item)}
            out.append(spec_.SetItem(f"{flag} {item}", tuple(keys), value))
    return tuple(out)


def _after_path(item: str) -> str:
    """The text after the path of `PATH=EXPR` (whose path may hold `\\=`)."""
    i = 0
    while i < len(item):
        if item[i] == "\\" and i + 1 < len(item):
            i += 2
            continue
        if item[i] == "=":
            return item[i + 1:]
        i += 1
    return ""


def from_header(file: Path, cilium_version: str | None = None,
                rewrite: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                ) -> tuple[spec_.Spec, str | None]:  # fmt: skip
    """The Spec a generated file's header records, and the profile when the file is a node
    module (None for a cluster module); with `cilium_version`, bumped to it (a pin belongs to
    the version it was computed for, so it is dropped), after `rewrite` (regen --migrate)."""
    data = header_spec(file)
    profile = _node_profile(data, file)
    if cilium_version is not None:
        known_version(cilium_version, "--cilium-version")
        if rewrite is not None:
            data = rewrite(data)
        data["ciliumVersion"] = cilium_version
        data.pop("source", None)
    return spec_.validate(data, where=f"{file}: header spec", base=file.parent), profile


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
