"""nixgen's output is already in nixfmt 1.4.0's layout: the fixtures in tests/fixtures/nixfmt
are what nixfmt printed; the emitter and the templates must print the same for the same
structure."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from goldens import ALL_CASES, path_of
from strategies import Split

from nixgen.checks.rules import RULES
from nixgen.nix import emit, pretty
from nixgen.nix import rules as nix_rules
from nixgen.nixatoms import Attrs, Call, Raw

FIXTURES = Path(__file__).parent / "fixtures" / "nixfmt"


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.out.nix").read_text(encoding="utf-8")


def test_attrsets_fixture() -> None:
    value = {
        "a": {"b": {"c": 1}, "d": Attrs({"e": "x"})},
        "empty": {},
        "dotted": {"one": {"two": True}},
        "app.kubernetes.io/name": "hubble-relay",
        "1.18": "1.2.0",
        "": 0,
        "with space": None,
    }
    assert emit.document(value) == fixture("01-attrsets")


def test_lists_fixture() -> None:
    value = {
        "empty": [],
        "one": [1],
        "oneString": ["10.244.0.0/16"],
        "many": [1, 2, 3],
        "strings": ["cluster", "ingress"],
        "ofAttrs": [{"fromEntities": ["cluster", "ingress"]}],
        "oneAttr": [{"toEntities": ["all"]}],
        "nested": [[1, 2], []],
        "mixed": [True, None, 1.5, "x"],
    }
    assert emit.document(value) == fixture("02-lists")


def test_strings_fixture() -> None:
    value = {
        "plain": "kube-system",
        "quote": 'say "hi"',
        "backslash": "a\\b",
        "interp": "${not}",
        "dollars": "$${x}",
        "newline": "line1\nline2",
        "tab": "a\tb",
        "cr": "a\rb",
        "unicode": "naïve ☃ 日本",
        "indentedLike": "''",
        "long": "a" * 121,
    }
    assert emit.document(value) == fixture("03-strings")


def test_conditionals_fixture() -> None:
    value = {
        "short": Split("127.0.0.1", Raw("config.clusterHost")),
        "replicas": Split(1, 2),
        "notLocal": Split(False, True),
        "local": Split(True, False),
        "long": Split("a" * 40, "b" * 50),
        "listBranch": Split([], ["10.0.0.0/8", "fd00::/8"]),
        "attrBranch": Split({}, {"enabled": True}),
    }
    assert "{ config, cfg, ... }: " + emit.document(value) == fixture("04-conditionals")


def test_policy_binding_from_module_fixture() -> None:
    spec = {
        "endpointSelector": {},
        "ingress": [{"fromEntities": ["cluster", "ingress"]}],
        "egress": [{"toEntities": ["all"]}],
    }
    value = {"kubernetes": {"resources": {"none": {
        "CiliumClusterwideNetworkPolicy": {"ep-default": {"spec": Attrs(spec)}}}}}}  # fmt: skip
    text = emit.bindings(value, 4)
    assert text.startswith("    kubernetes.resources.none.CiliumClusterwideNetworkPolicy.ep-default")
    assert text + "\n" in fixture("05-module")


def test_version_map_from_merge_fixture() -> None:
    value = {
        "byMinor": {
            "1.17": Attrs({"CiliumLoadBalancerIPPool": "cilium.io/v2alpha1"}),
            "1.18": Attrs({"CiliumLoadBalancerIPPool": "cilium.io/v2"}),
        }
    }
    assert emit.bindings(value, 2) + "\n}\n" in fixture("06-merge-and-calls")


def _blocks(text: str, starts: list[str]) -> list[str]:
    """The block of lines that opens with each of `starts`, up to the line that closes it
    (the next line at the same indentation)."""
    lines = text.splitlines()
    out = []
    for start in starts:
        i = next(n for n, line in enumerate(lines) if line.strip() == start.strip())
        start = lines[i]
        indent = len(start) - len(start.lstrip())
        j = i + 1
        while j < len(lines) and len(lines[j]) - len(lines[j].lstrip()) > indent:
            j += 1
        if j < len(lines) and lines[j].strip() in ("};", "];", "}", "]", ");"):
            j += 1
        out.append("\n".join(lines[i:j]))
    return out


TEMPLATE_BLOCKS = [
    "  cfg = config.cilium;",
    "    enable = lib.mkEnableOption \"Cilium\";",
    "    version = lib.mkOption {",
]


@pytest.mark.parametrize("start", TEMPLATE_BLOCKS)
def test_hetzkube_template_blocks_are_laid_out_as_nixfmt_lays_out_the_module_fixture(
    start: str,
) -> None:
    (ours,) = _blocks(path_of("hetzkube-1.18.4").read_text(encoding="utf-8"), [start])
    (theirs,) = _blocks(fixture("05-module"), [start])
    # The same lines, wherever the block stands (ours sits deeper, inside lib.mkMerge).
    assert textwrap.dedent(ours) == textwrap.dedent(theirs)


def test_crd_import_pipe_is_laid_out_as_in_the_module_fixture() -> None:
    (ours,) = _blocks(path_of("hetzkube-1.18.4").read_text(encoding="utf-8"),
                      ["  crdImports = lib.pipe (builtins.readDir crdDir) ["])  # fmt: skip
    (theirs,) = _blocks(fixture("07-crd-pipe"), ["  crdImports = lib.pipe (builtins.readDir crdDir) ["])
    assert textwrap.dedent(ours) == textwrap.dedent(theirs)


def test_facts_selection_is_laid_out_as_in_the_rules_fixture() -> None:
    (theirs,) = _blocks(fixture("09-rules"), ["  facts ="])
    (ours,) = _blocks(path_of("hetzkube-1.18.4").read_text(encoding="utf-8"), ["  facts ="])
    assert ours == theirs


# The rules the fixture lays out, as the module writes them (nixgen.nix.pretty is a port of
# nixfmt's layout algorithm; the fixture is nixfmt's own output for them written on one line).
FIXTURE_RULES = ["ipv4-native-routing-cidr", "auto-direct-routes-need-native",
                 "bpf.masquerade-needs-kpr", "kpr-invalid", "cluster-name",
                 "l7proxy-for-ingress-gateway", "spire-needs-auth", "clustermesh-tls-admin-key",
                 "envoy-base-id", "hubble-ui-backend-tag", "eni-cluster-id-bug"]  # fmt: skip


def test_rules_are_laid_out_as_nixfmt_lays_out_the_rules_fixture() -> None:
    theirs = fixture("09-rules")
    for name, _, expr in nix_rules.named():
        assert pretty.binding(name, expr, 2) + "\n" in theirs, name
    entries = {r.id: nix_rules.entry(r) for r in RULES}
    for rule_id in FIXTURE_RULES:
        entry = entries[rule_id]
        text = emit.item(entry, 4)
        assert "    " + text + "\n" in theirs, rule_id


def test_alias_imports_and_concatenations_are_laid_out_as_in_the_rules_fixture() -> None:
    (imports,) = _blocks(fixture("09-rules"), ["  imports = ["])
    golden = path_of("hetzkube-1.18.4").read_text(encoding="utf-8")
    for line in imports.splitlines()[1:-1]:  # each alias, as in the hetzkube module
        assert "\n" + line + "\n" in golden
    (disabled,) = _blocks(fixture("09-rules"), ["  disabled ="])
    assert disabled in path_of("node-production").read_text(encoding="utf-8")


def test_module_head_and_values_shape() -> None:
    golden = path_of("hetzkube-1.18.4").read_text(encoding="utf-8")
    assert "\n{ config, lib, ... }:\nlet\n  cfg = config.cilium;\n" in golden
    assert fixture("05-module").startswith("# Generated by nixgen. Do not edit.\n{ config, lib, ... }:\nlet\n")
    assert "\n  values = withoutNulls nullable cfg.settings;\n" in golden
    # The config's values: lib.mkDefault at each leaf, a profile split as a condition.
    production = path_of("hetzkube-production").read_text(encoding="utf-8")
    assert "\n        cilium.settings = {\n          kubeProxyReplacement = lib.mkDefault true;\n" in production
    assert "\n          policyAuditMode = lib.mkDefault cfg.isLocal;\n" in production


def test_option_declarations_are_laid_out_as_nixfmt_lays_out_the_options_fixture() -> None:
    value = {
        "a": Call("lib.mkOption", ({"type": Call("lib.types.nullOr", (ENUM,)), "default": None,
                                   "description": "x"},)),
        "b": Call("lib.mkOption", ({"type": ENUM, "default": "shared"},)),
        "c": Call("lib.types.nullOr", (Raw("lib.types.listOf lib.types.str"),)),
        "d": {"e": Call("lib.mkOption", ({
            "type": Raw("lib.types.bool"), "default": True,
            "defaultText": Call("lib.literalExpression", ("!config.cilium.isLocal",))},))},
    }  # fmt: skip
    assert "{ lib }: " + emit.document(value) == fixture("08-options")


ENUM = Call("lib.types.enum", (["shared", "dedicated"],))


def test_nixidy_header_is_laid_out_like_the_merge_fixture() -> None:
    golden = path_of("nixidy-1.18.4").read_text(encoding="utf-8")
    assert fixture("06-merge-and-calls").startswith("{\n  lib,\n  cfg,\n  charts,\n  ...\n}:\n{\n")
    assert "\n{\n  charts,\n  config,\n  lib,\n  ...\n}:\nlet\n" in golden


@pytest.mark.parametrize("name", ALL_CASES)
def test_goldens_have_no_trailing_space_tabs_or_missing_final_newline(name: str) -> None:
    text = path_of(name).read_text(encoding="utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert "\t" not in text


_UNBREAKABLE = re.compile(
    r'(#.*|([A-Za-z0-9_.\'"-]+ = )?([A-Za-z0-9_.]+ )*"([^"\\]|\\.)*";|"([^"\\]|\\.)*"'
    r'|or \(throw "([^"\\]|\\.)*"\);)'
)


@pytest.mark.parametrize("name", ALL_CASES)
def test_lines_over_100_columns_are_only_ones_nixfmt_cannot_break(name: str) -> None:
    """nixfmt breaks anything it can past 100 columns, counted from a line's first token (its
    indentation does not count): a longer line is a comment or a single string (nixfmt never
    splits a string)."""
    in_string = False  # inside a multi-line indented string, whose lines nixfmt keeps
    for number, line in enumerate(path_of(name).read_text(encoding="utf-8").splitlines(), 1):
        if in_string:
            in_string = line.strip() not in ("'';", "''")
            continue
        in_string = line.endswith(" ''")
        if len(line.strip()) > 100:
            assert _UNBREAKABLE.fullmatch(line.strip()), f"line {number} ({len(line)}): {line}"


def test_alias_entries_are_one_line_where_nixfmt_keeps_them_so_else_its_layout() -> None:
    """The module writes an alias entry on one line without loading nixfmt's layout; a longer
    one gets that layout, broken over lines as nixfmt breaks it."""
    from nixgen.nix.render import alias_items, alias_texts
    from nixgen.plan.model import Alias

    short = (Alias(("cilium", "k8sServiceHost"), ("cilium", "settings", "k8sServiceHost"),
                   renamed=True),)  # fmt: skip
    long = (Alias(("cilium", "k8sServiceHostWithAVeryLongName"),
                  ("cilium", "settings", "k8sServiceHostXX")),)  # fmt: skip
    [line] = alias_texts(short)
    assert line == ('(lib.mkRenamedOptionModule [ "cilium" "k8sServiceHost" ] '
                    '[ "cilium" "settings" "k8sServiceHost" ])')  # fmt: skip
    assert line == pretty.expression(alias_items(short)[0], 4)[4:]
    [broken] = alias_texts(long)
    assert broken == pretty.expression(alias_items(long)[0], 4)[4:]
    assert broken.splitlines() == [
        "(lib.mkAliasOptionModule",
        '      [ "cilium" "k8sServiceHostWithAVeryLongName" ]',
        '      [ "cilium" "settings" "k8sServiceHostXX" ]',
        "    )",
    ]
