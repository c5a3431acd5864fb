"""The module's own option types, as Nix bindings: each binding with the type names (of
nixgen.plan.options.KIND_TYPES) that need it, none for one every module has. The module defines
only those its typed settings use. Written here rather than in the template: the conditions
would make every run compile a much larger template."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from nixgen.input import settings
from nixgen.nixatoms import string

# The bindings in the order a module writes them; `{port_digits}` is a port's digits pattern.
BINDINGS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("boolean",),
        """\
  boolean = lib.types.either lib.types.bool (
    lib.types.enum [
      "true"
      "false"
    ]
  );
""",
    ),
    (
        ("port", "portOrDigits"),
        """\
  port = lib.types.ints.between 1 65535;
""",
    ),
    (
        ("portOrDigits",),
        """\
  portOrDigits = lib.types.either port (
    string "digits" "port number (1-65535) as a string" (value: builtins.match portDigits value != null)
  );
  portDigits = {port_digits};
""",
    ),
    (
        ("host",),
        """\
  host = string "host" "IP address or DNS name" (
    value: ipv4 value != null || ipv6 value != null || isDnsName value
  );
""",
    ),
    (
        ("ipv4Cidr", "ipv4Cidrs"),
        """\
  ipv4Cidr = string "ipv4Cidr" "IPv4 CIDR (no host bits set)" (isCidr ipv4 8);
""",
    ),
    (
        ("ipv6Cidr",),
        """\
  ipv6Cidr = string "ipv6Cidr" "IPv6 CIDR (no host bits set)" (isCidr ipv6 16);
""",
    ),
    (
        ("ipv4Cidrs",),
        """\
  ipv4Cidrs = lib.types.either (lib.types.listOf ipv4Cidr) (
    string "ipv4Cidrs" "IPv4 CIDRs separated by spaces or commas" (
      value:
      let
        cidrs = builtins.filter (part: builtins.isString part && part != "") (builtins.split "[ ,]+" value);
      in
      cidrs != [ ] && builtins.all ipv4Cidr.check cidrs
    )
  );
""",
    ),
    (
        ("absolutePath",),
        """\
  absolutePath = string "absolutePath" "absolute path" (lib.hasPrefix "/");
""",
    ),
    (
        (),
        """\
  # A string type: `description` names it in messages, `check` holds a string to it.
  string =
    name: description: check:
    lib.mkOptionType {
      inherit name description;
      check = value: builtins.isString value && check value;
      merge = lib.mergeEqualOption;
    };
""",
    ),
    (
        ("host", "ipv4Cidr", "ipv4Cidrs"),
        """\
  # An IPv4 address's four octets, or null when it is none (dotted decimal, no leading zeros).
  ipv4 =
    address:
    let
      octets = builtins.match "${octet}\\\\.${octet}\\\\.${octet}\\\\.${octet}" address;
    in
    if octets == null then null else map builtins.fromJSON octets;
  octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
""",
    ),
    (
        ("host", "ipv6Cidr"),
        """\
  # An IPv6 address's eight 16-bit groups, or null when it is none: hexadecimal groups, `::`
  # at most once. (The CLI also takes a dotted IPv4 tail, ::ffff:192.0.2.1; this does not.)
  ipv6 =
    address:
    let
      halves = map (half: if half == "" then [ ] else lib.splitString ":" half) (
        lib.splitString "::" address
      );
      given = builtins.concatLists halves;
      groups =
        if builtins.length halves == 1 then
          given
        else
          builtins.head halves
          ++ builtins.genList (i: "0") (8 - builtins.length given)
          ++ builtins.elemAt halves 1;
      counted =
        if builtins.length halves == 1 then
          builtins.length given == 8
        else
          builtins.length halves == 2 && builtins.length given <= 7;
    in
    if counted && builtins.all (group: builtins.match "[0-9a-fA-F]{1,4}" group != null) given then
      map (group: (builtins.fromTOML "v = 0x${group}").v) groups
    else
      null;
""",
    ),
    (
        ("ipv4Cidr", "ipv6Cidr", "ipv4Cidrs"),
        """\
  # Whether `value` is a CIDR: an address `parse` reads into groups of `bits` bits, and a
  # prefix length with the address's bits after it all zero (as the CLI's Python ipaddress
  # takes it, but for a prefix length with a leading zero, /08).
  isCidr =
    parse: bits: value:
    let
      parts = builtins.match "([^/]+)/(0|[1-9][0-9]{0,2})" value;
      groups = parse (builtins.head parts);
      prefix = builtins.fromJSON (builtins.elemAt parts 1);
      zero =
        i:
        let
          hostBits = lib.min bits (lib.max 0 (bits * (i + 1) - prefix));
          size = builtins.foldl' (n: _: 2 * n) 1 (builtins.genList (j: j) hostBits);
          group = builtins.elemAt groups i;
        in
        group - group / size * size == 0;
    in
    parts != null
    && groups != null
    && prefix <= bits * builtins.length groups
    && builtins.all zero (builtins.genList (i: i) (builtins.length groups));
""",
    ),
    (
        ("host",),
        """\
  isDnsName =
    value: builtins.stringLength value <= 253 && builtins.match "${label}(\\\\.${label})*" value != null;
  label = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
""",
    ),
)


@cache
def _text(used: frozenset[str]) -> str:
    digits = string(settings.PORT_DIGITS.removeprefix("^").removesuffix("$"))
    return "".join(text.replace("{port_digits}", digits) for needs, text in BINDINGS
                   if not needs or used & set(needs))  # fmt: skip


def text(used: Iterable[str]) -> str:
    """The bindings that the type names `used` need, as the module writes them."""
    return _text(frozenset(used))
