"""The one walk over the stored CRD schemas (nixgen.facts.shapes) and the pattern translation
both sides of the check use (nixgen.facts.regex)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from nixharness import eval_file

from nixgen.checks.crd import edit_distance, suggestion, validate
from nixgen.facts import catalog, crds, regex, shapes
from nixgen.nix import emit
from nixgen.nixatoms import string

RELEASES = list(catalog.load().releases)


@pytest.mark.parametrize("release", RELEASES)
def test_every_served_version_has_a_shape_with_object_meta(release: str) -> None:
    found = shapes.release(release)
    assert found is not None
    served = {c.kind: set(c.served) for c in catalog.load().releases[release].crds}
    assert {k: set(v) for k, v in found.roots.items()} == served
    for versions in found.roots.values():
        for root in versions.values():
            assert root.type == "object"
            assert root.field_map["metadata"].shape is shapes.OBJECT_META
            assert {"apiVersion", "kind", "spec"} & root.field_map.keys()


def test_shapes_are_shared_where_the_stored_schemas_are() -> None:
    found = shapes.release("1.20.0")
    assert found is not None
    cnp = found.root("CiliumNetworkPolicy", "v2")
    ccnp = found.root("CiliumClusterwideNetworkPolicy", "v2")
    assert cnp is not None and ccnp is not None
    assert cnp is not ccnp
    assert cnp.field_map["spec"].shape is ccnp.field_map["spec"].shape
    spec = cnp.field_map["spec"].shape
    assert [(c.op, c.branches) for c in spec.choices] == [
        ("oneOf", (("endpointSelector",), ("nodeSelector",))),
        ("anyOf", (("ingress",), ("ingressDeny",), ("egress",), ("egressDeny",)))]
    assert spec.field_map["description"].description.startswith("Description is a free form")
    rule = spec.field_map["egress"].shape.items
    assert rule is not None and rule.is_record
    entities = rule.field_map["toEntities"].shape
    assert entities.type == "array" and entities.items is not None
    assert "world" in (entities.items.enum or ())
    # the second release's walk reuses the shapes of nodes it shares with the first
    older = shapes.release("1.19.6")
    assert older is not None
    assert older.root("CiliumCIDRGroup", "v2") is not None


@pytest.mark.parametrize("release", RELEASES)
def test_only_untranslatable_patterns_go_unchecked(release: str) -> None:
    found = shapes.release(release)
    assert found is not None
    for item in found.dropped:
        assert item.startswith("pattern ")
        assert regex.translate(item[len("pattern "):]) is None
    assert len(found.dropped) <= 2  # an address pattern using \s, and \PC (any printable)


def test_null_fields_count_as_absent_and_unknown_fields_never() -> None:
    obj = {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
           "metadata": {"name": "p", "labels": None},
           "spec": {"endpointSelector": {}, "nodeSelector": None, "description": None,
                    "egress": [{"toEntities": ["all"], "toPorts": None}]}}  # fmt: skip
    assert validate(obj, "1.18.4") == []
    obj["spec"]["egress"][0]["toEntites"] = None
    assert [p.path for p in validate(obj, "1.18.4")] == ["spec.egress[0].toEntites"]
    obj["spec"]["egress"][0] = {"toEntities": None}
    assert [str(p) for p in validate(obj, "1.18.4")] == []  # a rule may be empty
    obj["spec"]["egress"] = None
    assert [str(p) for p in validate(obj, "1.18.4")] == [
        "spec: sets none of ingress, ingressDeny, egress, egressDeny: set at least one"]


def test_metadata_is_object_meta() -> None:
    obj = {"apiVersion": "cilium.io/v2", "kind": "CiliumCIDRGroup",
           "metadata": {"name": "g", "lables": {"a": "b"}, "annotations": {"a": 1}},
           "spec": {"externalCIDRs": ["192.0.2.0/24"]}}  # fmt: skip
    assert [str(p) for p in validate(obj, "1.18.4")] == [
        "metadata.lables: the CRD has no such field: the API server would drop it "
        "(did you mean labels?)",
        'metadata.annotations.a: 1 (an integer) is not a string']


def test_the_suggestion_rule() -> None:
    assert edit_distance("toEntites", "toEntities") == 1
    assert edit_distance("", "abc") == 3 and edit_distance("kitten", "sitting") == 3
    assert suggestion("toEntites", ["toCIDR", "toEntities", "toPorts"]) == "toEntities"
    assert suggestion("blah", ["auth", "port"]) is None  # 3 edits: too far
    assert suggestion("abc", ["abd", "abe"]) == "abd"  # a tie: the first in sorted order
    assert suggestion("ab", ["xb"]) is None  # one edit is half of a two-letter key


# ---------------------------------------------------------------- patterns

def _patterns() -> list[str]:
    store = crds._load_store(crds.locations.schema_store(crds.locations.catalog_path()))
    return sorted({n["pattern"] for n in store["nodes"].values() if "pattern" in n})


SAMPLES = [
    "", "a", "A", "0", "9", "10", "65535", "65536", "80", "http", "http-80", "-http", "http-",
    "a.b", "a..b", "a.", ".a", "*.example.com", "**.example.com", "*", "example.com",
    "192.0.2.0/24", "192.0.2.0/33", "256.0.0.0/8", "10.0.0.0", "2001:db8::/32", "::/0",
    "fe80::1%eth0/64", "2001:db8::1/129", "64512:100", "4294967295:1", "4294967296:1",
    "65535:65535:1", "1:2:3", "EchoRequest", "EchoReply", "Echo", "Nope", "ExtendedEcho Reply",
    "k8s-app", "app.kubernetes.io/name", "Foo/bar", "a/b/c", "a_b", "a,b:c", "_a", "a b",
    "x" * 63, "x" * 64, "0123", "01234", "a1-b2", "DefaultGateway",
]


def test_translated_patterns_accept_what_go_accepts() -> None:
    """Go's MatchString searches: so does Python's re.search of the original pattern (on
    ASCII text without newlines, where the two read these patterns alike). The translation
    must accept, matched whole, exactly the same strings."""
    checked = 0
    for pattern in _patterns():
        translated = regex.translate(pattern)
        if translated is None:
            continue
        checked += 1
        original = re.compile(pattern.replace("\\d", "[0-9]"))
        for sample in SAMPLES:
            assert bool(re.fullmatch(translated, sample)) == bool(original.search(sample)), (
                pattern, sample)
    assert checked >= 14


def test_nix_matches_translated_patterns_as_python_does(tmp_path: Path) -> None:
    translated = [t for p in _patterns() if (t := regex.translate(p)) is not None]
    samples = SAMPLES + ["a\nb", "a\n", "\n"]
    source = tmp_path / "match.nix"
    source.write_text(
        "let\n  patterns = " + emit.expr(translated, 2) + ";\n  samples = "
        + emit.expr(samples, 2) + ";\nin\nmap (p: map (s: builtins.match p s != null) samples)"
        " patterns\n", encoding="utf-8")  # fmt: skip
    assert eval_file(source) == [[bool(re.fullmatch(t, s)) for s in samples] for t in translated]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("^[a-z]+$", "[a-z]+"),
    ("^(?:a|b)$", "(a|b)"),
    ("^a", "(a)(.|\n)*"),
    ("a$", "(.|\n)*(a)"),
    ("a", "(.|\n)*(a)(.|\n)*"),
    ("^a$|^b", "a|(b)(.|\n)*"),
    ("^x.y$", "x[^\n]y"),
    ("^\\d{2,3}$", "[0-9]{2,3}"),
    ("^()a$", "a"),
    ("^a{2}b{1,}$", "a{2}b{1,}"),
    ("^a\\.b\\/c$", "a\\.b/c"),
    ("^([-a-z0-9]+[.]?)+$", "[-a-z0-9]+([.][-a-z0-9]+)*[.]?"),
    ("((^a$)|(^b$))", "a|b"),
    ("^\\PC*$", None),
    ("^\\s*a$", None),
    ("^a*?$", None),
    ("^(?i)a$", None),
    ("a^b", None),
    ("^(a+b*)+$", None),
    ("^é$", None),
    ("^[\\d]$", None),
])  # fmt: skip
def test_translation_cases(pattern: str, expected: str | None) -> None:
    assert regex.translate(pattern) == expected


def test_translated_patterns_run_in_linear_time_on_strings_that_fail_late(
    tmp_path: Path,
) -> None:
    """The nested repeats of Cilium's DNS name patterns are rewritten: a long name with a bad
    last character is refused at once, by Python and by Nix (both backtrack)."""
    bad = "a" * 80 + "!"
    translated = [t for p in _patterns() if (t := regex.translate(p)) is not None]
    for t in translated:
        re.fullmatch(t, bad)
    source = tmp_path / "late.nix"
    source.write_text(f"map (p: builtins.match p {string(bad)}) {emit.expr(translated)}\n",
                      encoding="utf-8")  # fmt: skip
    assert len(eval_file(source)) == len(translated)


def _json(v: Any) -> str:
    return json.dumps(v, sort_keys=True)
