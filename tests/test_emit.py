"""The emitter is exact: whatever it writes, Nix reads back as the value it was given."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from nixharness import eval_expr, eval_file, strictly_equal
from strategies import TEXT, VALUES, Split

from nixgen import nixatoms
from nixgen.nix import emit
from nixgen.nixatoms import INT_MAX, INT_MIN, NixError, Raw
from nixgen.plan import model


def roundtrip(values: list[Any], tmp_path: Path) -> None:
    """Write `values` both as attribute values and as list items in one file, evaluate it once,
    and compare what Nix computed with the input."""
    doc = {"asBindings": {str(i): v for i, v in enumerate(values)}, "asList": values}
    path = tmp_path / "values.nix"
    path.write_text(emit.document(doc), encoding="utf-8")
    got = eval_file(path)
    for i, v in enumerate(values):
        assert strictly_equal(got["asBindings"][str(i)], v), f"binding {i}: {v!r}"
        assert strictly_equal(got["asList"][i], v), f"list item {i}: {v!r}"


@pytest.mark.slow
@pytest.mark.nix
@settings(max_examples=60)
@given(values=st.lists(VALUES, min_size=50, max_size=50))
def test_any_json_like_value_evaluates_back_to_itself(
    values: list[Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """60 examples of 50 values each: 3,000 generated values, 60 Nix evaluations."""
    roundtrip(values, tmp_path_factory.mktemp("emit"))


@pytest.mark.nix
@pytest.mark.parametrize(
    "value",
    [
        "${x}", "$${x}", "$$${x}", "$$$${x}", "$", "$$", "a$", "${", "$\\{", "\\${x}", "$\"",
        "x''y", "''${x}''", "\n\r\t", "\x01\x1f\x7f", "naïve ☃ 日本 \U0001f600", "", " ",
        INT_MAX, INT_MIN, -1, 0, -0.5, 1.5e-07, 1e20, 123456.0, 1e308, 0.1, -0.0,
        [-1, -2.5, INT_MIN], {"or": 1, "if": {"then": 2}, "": 3, "a.b": 4, "a": {"b": 5}},
        {"${x}": {"$${y}": "z"}}, {"x": {"y": {"z": {}}}}, [[], {}, [[]], [{}]],
    ],
)  # fmt: skip
def test_trap_values_evaluate_back_to_themselves(value: Any, tmp_path: Path) -> None:
    roundtrip([value], tmp_path)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a\x00b", "NUL"),
        ({"a\x00": 1}, "NUL"),
        ("\ud800", "surrogate"),
        (INT_MAX + 1, "64-bit"),
        (INT_MIN - 1, "64-bit"),
        (0.1234567, "6 significant digits"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        (5e-324, "subnormal"),
        ({1: "x"}, "not a string"),
        ({"a": {1, 2}}, "cannot write a set"),
        (b"bytes", "cannot write a bytes"),
    ],
)
def test_values_nix_cannot_hold_are_clear_errors(value: Any, reason: str) -> None:
    with pytest.raises(NixError) as err:
        emit.document({"x": value})
    assert reason in str(err.value)
    assert str(err.value).startswith("x")  # names where the value sits


def test_error_path_names_the_nested_place() -> None:
    with pytest.raises(NixError) as err:
        emit.document({"hubble": {"relay": {"note": "a\x00"}}})
    assert err.value.path == "hubble.relay.note"


@pytest.mark.nix
@pytest.mark.parametrize(
    ("name", "written"),
    [("plain", "plain"), ("with-dash_1'", "with-dash_1'"), ("if", '"if"'), ("or", '"or"'),
     ("inherit", '"inherit"'), ("1.18", '"1.18"'), ("", '""'), ("a b", '"a b"'),
     ("${x}", '"\\${x}"'), ("app.kubernetes.io/name", '"app.kubernetes.io/name"'),
     ("true", "true"), ("é", '"é"')],
)  # fmt: skip
def test_attribute_names_are_bare_only_when_nix_reads_them_as_names(name: str, written: str) -> None:
    assert nixatoms.attr_name(name) == written
    assert eval_expr(f"builtins.attrNames {{ {written} = 1; }}") == [name]


@pytest.mark.nix
def test_profile_split_is_written_as_a_condition_nix_evaluates_per_profile() -> None:
    value = {
        "host": Split("127.0.0.1", Raw("config.clusterHost")),
        "relay": Split(False, True),
        "local": Split(True, False),
        "replicas": Split(1, 2),
        "cidrs": Split([], ["10.0.0.0/8", "fd00::/8"]),
        "same": model.split(3, 3),
        "inList": [Split(1, 2)],
    }
    body = emit.document(value)
    assert "relay = !cfg.isLocal;" in body and "local = cfg.isLocal;" in body
    assert "same = 3;" in body and "inList = [ (if cfg.isLocal then 1 else 2) ];" in body
    for is_local, want in [
        (True, {"host": "127.0.0.1", "relay": False, "local": True, "replicas": 1, "cidrs": [],
                "same": 3, "inList": [1]}),
        (False, {"host": "h", "relay": True, "local": False, "replicas": 2,
                 "cidrs": ["10.0.0.0/8", "fd00::/8"], "same": 3, "inList": [2]}),
    ]:  # fmt: skip
        source = (
            f"let cfg.isLocal = {'true' if is_local else 'false'}; "
            f'config.clusterHost = "h"; in {body}'
        )
        assert eval_expr(source) == want


def test_long_conditions_break_the_way_nixfmt_breaks_them() -> None:
    text = emit.bindings({"k": Split("a" * 60, "b" * 60)}, 2)
    assert text == (
        "  k =\n    if cfg.isLocal then\n      \"" + "a" * 60 + "\"\n    else\n      \""
        + "b" * 60 + "\";"
    )


def test_lists_and_attrsets_that_do_not_fit_are_expanded() -> None:
    long = "x" * 90
    assert emit.bindings({"l": [long]}, 2) == f'  l = [\n    "{long}"\n  ];'
    assert emit.bindings({"l": [{"a": long}]}, 2) == f'  l = [\n    {{\n      a = "{long}";\n    }}\n  ];'
    assert emit.bindings({"l": [{"a": 1}]}, 2) == "  l = [ { a = 1; } ];"


def test_output_is_the_same_whatever_the_order_python_would_hash_in() -> None:
    value = {"b": {"y": 1, "x": [2, {"q": None}]}, "a": Split(1, 2)}
    assert emit.document(value) == emit.document(dict(value))


@pytest.mark.slow
@pytest.mark.nix
@given(st.lists(TEXT.filter(lambda t: "\n" not in t and "\r" not in t), min_size=1, max_size=4),
       st.integers(0, 8))  # fmt: skip
@settings(max_examples=40)
def test_an_indented_block_reads_back_as_its_lines(lines: list[str], indent: int) -> None:
    """What the rules table is written with: Nix strips the common indentation and reads the
    lines back, escapes (`''`, `${`) and all, as long as one line starts in text."""
    lines = ["start", *lines]
    text = nixatoms.indented_block(lines, indent)
    assert eval_expr(text) == "".join(line + "\n" for line in lines)
