"""A values file's text as Helm's parser reads it: YAML 1.1 (`yes`/`on` are booleans, a boolean or
number key becomes its text), except that a date stays a string, as it does for Helm; or JSON.
Refused (`Refused`, with the line): a key given twice in one table (Helm keeps the last and drops
the first without a word), aliases that expand past `MAX_NODES` values or refer to themselves,
nesting deeper than `MAX_DEPTH`, and values JSON cannot hold (`!!binary`, `!!set`, timestamps).
PyYAML is imported on the first read.
"""

from __future__ import annotations

import json
from typing import Any

# Past these, a file is refused: an alias bomb, or nesting no Helm values need.
MAX_NODES = 200_000
MAX_DEPTH = 100


class Refused(Exception):
    """What is wrong, and the line it is on (0: none)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _loader_class() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    timestamp = "tag:yaml.org,2002:timestamp"

    class Loader(base):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers = {
            first: [r for r in resolvers if r[0] != timestamp]
            for first, resolvers in base.yaml_implicit_resolvers.items()
        }

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = (type(key), key) in seen  # `on` (true) and `1` differ
                except TypeError:  # an unhashable key
                    raise Refused("a table key must be a plain value",
                                  key_node.start_mark.line + 1) from None
                if duplicate:
                    raise Refused(f"the key {_key_text(key)} is given twice in one table (Helm "
                                  "keeps the last and drops what the first one set): merge them",
                                  key_node.start_mark.line + 1)  # fmt: skip
                seen.add((type(key), key))
            self.flatten_mapping(node)  # `<<` merges first, the table's own keys over them
            out = {}
            for key_node, value_node in node.value:
                key = _key_string(self.construct_object(key_node, deep=True),
                                  key_node.start_mark.line + 1)
                out[key] = self.construct_object(value_node, deep=deep)
            return out

    return Loader


_LOADER: Any = None


def yaml_docs(text: str) -> list[Any]:
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _loader_class()
    loader = _LOADER(text)
    docs = []
    try:
        while loader.check_node():
            node = loader.get_node()
            _check_graph(node)
            docs.append(_plain(loader.construct_document(node), node))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise Refused(f"invalid YAML: {problem}", mark.line + 1 if mark else 0) from None
    finally:
        loader.dispose()
    return docs


def json_docs(text: str) -> list[Any]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise Refused(f"the key {_key_text(key)} is given twice in one object")
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=_no_constant)
    except RecursionError:
        raise Refused(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:
        if isinstance(err, Refused):
            raise
        raise Refused(f"invalid JSON: {err}") from None
    _depth(data)
    return [data]


def _no_constant(name: str) -> Any:
    raise Refused(f"{name} is not a JSON value")


def _check_graph(root: Any) -> None:
    """Refuse a document whose aliases refer to themselves, expand past MAX_NODES values, or
    nest past MAX_DEPTH: checked on the composed nodes, before anything is built."""
    import yaml

    done: dict[int, tuple[int, int]] = {}  # node → (expanded size, height)
    active: set[int] = set()

    def walk(node: Any, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in done:
            size, height = done[key]
        else:
            if key in active:
                raise Refused("a YAML alias refers to a table or list it sits in",
                              node.start_mark.line + 1)  # fmt: skip
            if depth > MAX_DEPTH:
                raise Refused(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
            active.add(key)
            if isinstance(node, yaml.MappingNode):
                children = [child for pair in node.value for child in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = node.value
            else:
                children = []
            size, height = 1, 0
            for child in children:
                child_size, child_height = walk(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_NODES:
                    raise Refused(f"its aliases expand to more than {MAX_NODES} values",
                                  node.start_mark.line + 1)  # fmt: skip
            active.discard(key)
            done[key] = (size, height)
        if depth + height > MAX_DEPTH:
            raise Refused(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        return size, height

    walk(root, 0)


def _depth(data: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Refused(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(data, dict):
        for value in data.values():
            _depth(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            _depth(value, depth + 1)


def _key_text(key: Any) -> str:
    return json.dumps(key) if isinstance(key, str) else repr(key)


def _key_string(key: Any, line: int) -> str:
    """A key as Helm's parser gives it: a boolean, number or null key is its text."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    if key is None:
        return "null"
    if not isinstance(key, str):
        raise Refused(f"the key {key!r} is not text", line)
    return key


def _plain(data: Any, node: Any) -> Any:
    """`data` as JSON-like values, as Helm's parser gives them: a boolean or integer key is its
    text; anything JSON cannot hold is refused. Shared (aliased) parts are copied."""
    line = node.start_mark.line + 1 if node is not None else 0
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            out[_key_string(key, line)] = _plain(value, None)
        return out
    if isinstance(data, list):
        return [_plain(value, None) for value in data]
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    what = {"bytes": "a !!binary value", "set": "a !!set"}.get(type(data).__name__,
                                                              f"a {type(data).__name__}")
    raise Refused(f"{what} is not a value Helm reads from a values file", line)
