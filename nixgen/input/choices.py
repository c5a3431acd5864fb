"""Closed sets of words and the shapes of pins, shared by the CLI, the config models and the
lock command; kept import-light so that `nixgen --help` does not pay for pydantic or jinja2."""

FLAVORS = ("hetzkube", "nixidy")
FORMAT_MODES = ("auto", "always", "never")
PROFILES = ("local", "production")
DEFAULT_VERSION = "1.18.4"
EASYKUBENIX = ("hetzkube-pin", "current", "standalone")

# A Cilium tree pinned for pure evaluation: a commit and the NAR hash of its tree.
REV_PATTERN = r"[0-9a-f]{40}"
NAR_HASH_PATTERN = r"sha256-[A-Za-z0-9+/]{43}="
