"""nixgen's commands, each a click command that nixgen.cli adds to the `nixgen` group."""
