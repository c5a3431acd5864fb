"""Closed sets of words, shared by the CLI and the config models; kept import-light so that
`nixgen --help` does not pay for pydantic or jinja2."""

FLAVORS = ("hetzkube", "nixidy")
FORMAT_MODES = ("auto", "always", "never")
PROFILES = ("local", "production")
DEFAULT_VERSION = "1.18.4"
EASYKUBENIX = ("hetzkube-pin", "current", "standalone")
# `--defaults`: nixgen's defaults where the user leaves a value open, or only the chart's.
DEFAULTS_MODES = ("nixgen", "chart")
# What a node module's header spec records as its "output" (a cluster module records none).
NODE_OUTPUT = "node"
