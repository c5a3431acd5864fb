"""nixgen's own version, as `nixgen --version` prints it and every generated file's header
records it (pyproject.toml states the same)."""

__version__ = "0.1.0"
