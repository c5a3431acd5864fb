"""Validating JSON against a JSON Schema with the jsonschema package (the test extra installs it,
through kubernetes-validate)."""

from __future__ import annotations

from typing import Any

import jsonschema


def errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """What `instance` breaks of `schema` (a draft 2020-12 schema, as pydantic writes them),
    one line each, sorted; [] when it is valid."""
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(instance))  # fmt: skip
