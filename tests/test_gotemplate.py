"""The template reader (nixgen.facts.gotemplate): which `.Values` paths Go templates read,
directly, through variables, `with` and `range`, in the scopes Go gives them; and which keys a
template refuses outright."""

from __future__ import annotations

import pytest

from nixgen.facts.gotemplate import Reads, read_templates
from nixgen.facts.gotokens import actions
from nixgen.facts.valuepath import dotted, split_dotted


def reads(text: str, name: str = "templates/t.yaml") -> Reads:
    return read_templates({name: text})


def paths(text: str) -> set[str]:
    return {dotted(p) for p in reads(text).paths}


def test_actions_skip_comments_and_keep_strings_whole() -> None:
    text = ('a {{/* .Values.no */}} b {{- /* .Values.no2 */ -}} {{ "}}" }} '
            '{{- .Values.yes -}} {{ printf "%s" `raw }}` }}')  # fmt: skip
    found = [[t.text for t in tokens] for tokens in actions(text)]
    assert found == [['"}}"'], [".Values.yes"], ["printf", '"%s"', "`raw }}`"]]
    assert paths(text) == {"yes"}


def test_direct_reads_and_functions_that_name_keys() -> None:
    text = """
{{ .Values.a.b }} {{ $.Values.c }} {{ hasKey .Values.d "e" }} {{ index .Values "f" "g" }}
{{ get .Values.h "i" }} {{ dig "k" "l" "" .Values.j }} {{ pluck "n" .Values.m | first }}
{{ .Values.AsMap }} {{ dig "o" "p" "" .Values.AsMap }}
{{ .Release.Name }} {{ .Capabilities.APIVersions.Has "x/v1" }} {{ .Values.q | default "r" }}
"""
    assert paths(text) == {"a.b", "c", "d", "d.e", "f.g", "h", "h.i", "j", "j.k.l", "m", "m.n",
                           "o.p", "q"}  # fmt: skip


def test_variables_carry_their_values_paths() -> None:
    text = """
{{- $s := coalesce .Values.socketLB .Values.hostServices -}}
{{- if hasKey $s "hostNamespaceOnly" }}{{ $s.hostNamespaceOnly }}{{ end }}
{{- $t := .Values.top -}}{{ $t.a.b }} {{ index $t "c" "d" }} {{ get $t "e" }}
{{- $u := default (dict) .Values.u -}}{{ $u.v }}
{{- $p := pluck "w" .Values.x .Values.y | first -}}{{ $p.z }}
{{- $d := dig "k" (dict) .Values.dd -}}{{ $d.kk }}
{{- $i := index .Values "ii" -}}{{ $i.jj }}
{{- $r := ternary .Values.yes .Values.no true -}}{{ $r.leaf }}
"""
    assert paths(text) == {
        "socketLB", "hostServices", "socketLB.hostNamespaceOnly",
        "hostServices.hostNamespaceOnly", "top", "top.a.b", "top.c.d", "top.e", "u", "u.v",
        "x.w", "y.w", "x.w.z", "y.w.z", "x", "y", "dd", "dd.k", "dd.k.kk", "ii", "ii.jj",
        "yes", "no", "yes.leaf", "no.leaf"}  # fmt: skip


def test_a_reassigned_variable_may_hold_either_value() -> None:
    text = """
{{- $v := .Values.first -}}
{{- if .Values.flag }}{{ $v = .Values.second }}{{ end -}}
{{ $v.key }}
"""
    assert {"first.key", "second.key"} <= paths(text)


def test_a_variable_lives_until_the_end_of_its_block() -> None:
    text = """
{{- if .Values.flag }}{{ $v := .Values.inner }}{{ end -}}
{{ $v.after }}
{{- with .Values.w }}{{ $x := .Values.never }}{{ else }}{{ $x.gone }}{{ end -}}
"""
    found = paths(text)
    assert "inner" in found and not any(p.endswith(("after", "gone")) for p in found)


def test_a_define_sees_no_variable_of_its_file() -> None:
    text = """
{{- $v := .Values.outer -}}
{{- define "x" }}{{ $v.inside }}{{ .Values.fromDefine }}{{ end -}}
{{ $v.afterDefine }}
"""
    assert paths(text) == {"outer", "outer.afterDefine", "fromDefine"}


def test_a_variable_of_another_file_does_not_leak() -> None:
    found = read_templates({"templates/a.yaml": "{{ $v := .Values.a }}",
                            "templates/b.yaml": "{{ $v.b }}"}).paths  # fmt: skip
    assert found == {("a",)}


def test_with_moves_the_dot_until_its_end() -> None:
    text = """
{{- with .Values.a }}{{ .b }}{{ with .c }}{{ .d }}{{ $.Values.root }}{{ end }}{{ .e }}
{{- else }}{{ .Values.elseRoot }}{{ end -}}
{{ .Values.after }}
"""
    assert paths(text) == {"a", "a.b", "a.c", "a.c.d", "root", "a.e", "elseRoot", "after"}


def test_range_elements_are_not_paths_of_the_map_ranged_over() -> None:
    found = reads("""
{{- range .Values.list }}{{ .name }}{{ $.Values.fromRange }}{{ end -}}
{{- range $k, $v := .Values.map }}{{ $v.x }}{{ $k }}{{ end -}}
{{- range $e := .Values.other }}{{ $e.y }}{{ end -}}
{{- range $c := tuple .Values.ing .Values.gw }}{{ $c.enabled }}{{ end -}}
""")
    assert {dotted(p) for p in found.paths} == {"list", "fromRange", "map", "other", "ing",
                                               "gw", "ing.enabled", "gw.enabled"}  # fmt: skip
    assert {dotted(p) for p in found.ranged} == {"list", "map", "other"}


def test_values_held_by_an_unknown_value_are_the_roots() -> None:
    # A define's argument list's first element is the root context.
    assert paths('{{ define "p" }}{{ $root := index . 0 }}{{ $root.Values.crit }}{{ end }}') == {
        "crit"}


@pytest.mark.parametrize(("condition", "when"), [
    (".Values.tunnel", "truthy"),
    ('(dig "tunnel" "" .Values.AsMap)', "truthy"),
    ('((dig "tunnel" "" .Values.AsMap) | toString)', "nonempty"),
])  # fmt: skip
def test_a_fail_on_a_key_being_set_is_a_refusal(condition: str, when: str) -> None:
    text = f'{{{{- if {condition} }}}}\n  {{{{ fail "tunnel  was removed" }}}}\n{{{{- end }}}}\n'
    found = reads(text, "templates/validate.yaml")
    assert found.refused == {("tunnel",): ("tunnel was removed", when)}
    assert found.paths == set()  # validate.yaml's reads are not value paths


def test_several_keys_in_one_refusal() -> None:
    text = """{{- if or
  (dig "encryption" "keyFile" "" .Values.AsMap)
  (dig "encryption" "mountPath" "" .Values.AsMap)
}}
  {{ fail "encryption.{keyFile,mountPath} were removed" }}
{{- end }}"""
    found = reads(text, "templates/validate.yaml").refused
    assert sorted(dotted(p) for p in found) == ["encryption.keyFile", "encryption.mountPath"]


@pytest.mark.parametrize("text", [
    # A condition with more than keys being set: a rule, not a refusal of the key.
    '{{ if and .Values.a .Values.b }}{{ fail "no" }}{{ end }}',
    '{{ if .Values.x }}{{ if .Values.a }}{{ fail "no" }}{{ end }}{{ end }}',
    '{{ if .Values.a }}{{ else }}{{ fail "no" }}{{ end }}',
    '{{ if dig "a" "b" "yes" .Values.AsMap }}{{ fail "no" }}{{ end }}',
    '{{ if .Values.a }}{{ fail (printf "%s" .Values.a) }}{{ end }}',
    '{{ define "d" }}{{ if .Values.a }}{{ fail "no" }}{{ end }}{{ end }}',
    '{{ if not .Values.a }}{{ fail "no" }}{{ end }}',
])  # fmt: skip
def test_what_is_not_a_refusal(text: str) -> None:
    assert reads(text).refused == {}


def test_refusals_are_read_from_every_template() -> None:
    text = '{{- if .Values.gone }}{{ fail "gone is gone" }}{{ end }}{{ .Values.kept }}'
    found = reads(text, "templates/configmap.yaml")
    assert found.refused == {split_dotted("gone"): ("gone is gone", "truthy")}
    assert {dotted(p) for p in found.paths} == {"gone", "kept"}
