"""A small JSON Schema validator for the tests: the keywords pydantic's schemas use ($ref into
$defs, type, properties, required, additionalProperties, items, anyOf/oneOf/allOf, enum, const),
so a test can hold JSON output to a schema file without another dependency."""

from __future__ import annotations

from typing import Any

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def errors(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None,
           at: str = "$") -> list[str]:  # fmt: skip
    """Where `value` breaks `schema` (empty when it is valid)."""
    root = schema if root is None else root
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(value, root["$defs"][name], root, at)
    out: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_TYPES[k](value) for k in kinds):
            return [f"{at}: {value!r} is not of type {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        out.append(f"{at}: {value!r} is not {schema['const']!r}")
    for key in ("anyOf", "oneOf"):
        if key in schema:
            fits = [not errors(value, s, root, at) for s in schema[key]]
            if (key == "anyOf" and not any(fits)) or (key == "oneOf" and sum(fits) != 1):
                out.append(f"{at}: {value!r} fits {sum(fits)} branches of {key}")
    for sub in schema.get("allOf", []):
        out += errors(value, sub, root, at)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out += [f"{at}: {k!r} is required" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key in props:
                out += errors(item, props[key], root, f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{at}: {key!r} is not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += errors(item, schema["additionalProperties"], root, f"{at}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            out += errors(item, schema["items"], root, f"{at}[{i}]")
    return out
