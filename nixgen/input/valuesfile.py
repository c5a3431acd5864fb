"""Helm's own input: a values file (YAML or JSON) as `helm install -f FILE` reads it, or the
values of a Flux `HelmRelease` or an Argo CD `Application` that deploys Cilium.

What a file holds is data, always: a table `{nix: ...}` or `{"$nix": ...}` in it is a table with
that key, never a Nix expression. Several files merge as Helm merges `-f a -f b`
(`nixgen.tree.deep_merge`: tables merge key by key, anything else replaces, a `null` stays and
then removes the chart's default).

The text is read as Helm's parser reads it (nixgen.input.helmyaml), a HelmRelease or
Application unwrapped (nixgen.input.wrappers); what cannot be read is one line naming the file
and the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from nixgen import nixatoms
from nixgen.errors import ConfigError
from nixgen.input.helmyaml import Refused, json_docs, yaml_docs
from nixgen.input.wrappers import unwrap, wrapper_kind
from nixgen.tree import deep_merge

if TYPE_CHECKING:
    from pathlib import Path


class ValuesFile(NamedTuple):
    """One file's Helm values. `shown` names it in messages (as the user gave it), `recorded`
    in a generated file's header (relative to that file); `kind` is `values`, `HelmRelease` or
    `Application`, `version` the Cilium release a HelmRelease or Application pins (exactly).
    (A named tuple: cheap to define.)"""

    shown: str
    recorded: str
    values: Mapping[str, Any]
    kind: str = "values"
    version: str | None = None
    warnings: tuple[str, ...] = ()

    def source(self, path: tuple[str, ...]) -> str:
        """Where the value at `path` comes from, for messages."""
        from nixgen.facts.valuepath import dotted

        kind = "values file" if self.kind == "values" else self.kind
        where = f"{kind} {self.shown}"
        return f"{where}: {dotted(path)}" if path else where


def read(path: Path, shown: str, recorded: str | None = None) -> ValuesFile:
    """The values file at `path` (`shown` in messages); ConfigError naming it and the line when
    it cannot be read as Helm values."""
    where = f"values file {shown}"
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{where}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    try:
        docs = json_docs(text) if path.suffix == ".json" else yaml_docs(text)
        return _from_docs(docs, shown, recorded if recorded is not None else shown)
    except Refused as err:
        line = f" (line {err.line})" if err.line else ""
        raise ConfigError(f"{where}{line}: {err}") from None


def read_all(names: list[str] | tuple[str, ...], base: Any = None,
             record_from: Any = None) -> tuple[ValuesFile, ...]:
    """The values files `names` (relative to the folder `base`, else the current one), each
    shown as it is named there, relative to the current folder when `base` is another, and
    recorded relative to the folder `record_from` (as named, without one)."""
    from pathlib import Path

    out = []
    for name in names:
        path = Path(base or ".", name)
        shown = name if base is None else _relative(path, Path.cwd(), outside=False)
        recorded = name if record_from is None else _relative(path, Path(record_from))
        out.append(read(path, shown, recorded))
    return tuple(out)


def _relative(path: Any, folder: Any, outside: bool = True) -> str:
    """`path` relative to `folder`; without `outside`, absolute when it is not below it."""
    import os

    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    if not outside and relative.split(os.sep)[0] == os.pardir:
        return os.path.abspath(path)
    return relative.replace(os.sep, "/")


def from_text(text: str, shown: str) -> ValuesFile:
    """A values file's values from its YAML text (for tests and the importer)."""
    try:
        return _from_docs(yaml_docs(text), shown, shown)
    except Refused as err:
        line = f" (line {err.line})" if err.line else ""
        raise ConfigError(f"values file {shown}{line}: {err}") from None


def merged(files: tuple[ValuesFile, ...]) -> dict[str, Any]:
    """The files' values merged in order, as Helm merges `-f a -f b`."""
    out: dict[str, Any] = {}
    for file in files:
        out = deep_merge(out, file.values)
    return out


def _from_docs(docs: list[Any], shown: str, recorded: str) -> ValuesFile:
    docs = [d for d in docs if d is not None]
    wrappers = [d for d in docs if wrapper_kind(d) is not None]
    if wrappers:
        kind, values, version, notes = unwrap(wrappers)
        _check_nix(values)
        return ValuesFile(shown, recorded, values, kind, version,
                          tuple(f"{kind} {shown}: {n}" for n in notes))  # fmt: skip
    if not docs:
        return ValuesFile(shown, recorded, {})
    first = docs[0]
    if not isinstance(first, dict):
        raise Refused("the top level must be a table of Helm values")
    notes = (f"values file {shown}: only its first YAML document is read, as Helm reads a values "
             "file",) if len(docs) > 1 else ()  # fmt: skip
    _check_nix(first)
    return ValuesFile(shown, recorded, first, warnings=notes)


def _check_nix(values: Mapping[str, Any]) -> None:
    """Refuse what Nix cannot hold (a NUL in a string, an integer past 64 bits, a float Nix
    would print differently), naming the key."""
    try:
        nixatoms.check(values)
    except nixatoms.NixError as err:
        raise Refused(f"{err.path}: {err.reason}" if err.path else err.reason) from None
