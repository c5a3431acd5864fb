"""The one kind of error nixgen reports to a user: bad input, as one line naming where.

Every stage raises a subclass of `NixgenError` for input it cannot use; the command line prints
its message on one line and exits 2, and nothing is written. Anything else is a bug.
"""

from __future__ import annotations

# Where a user reports a failure nixgen has no message for (the command line's last resort).
REPORT = ("please report it to nixgen's issue tracker with the command that caused it "
          "(NIXGEN_DEBUG=1 prints the traceback to include)")


class NixgenError(ValueError):
    """Bad input: `str(err)` is the whole message, starting with the input it names."""


class ConfigError(NixgenError):
    """A config file, header spec, flag or --set that does not describe a deployment."""
