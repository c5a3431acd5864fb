"""Plan → Nix source, through the flavour's Jinja template (templates/nix/).

Templates hold structure only: every piece of data goes through the `nix` filter or the
`bindings` global, both from nixgen.nix.emit, or is text written here through it (the option
declarations, the objects, the facts table). The let-bindings the templates declare, and that
generated expressions refer to, are named once, in `NAMES`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

import jinja2

from nixgen import nixatoms, tree
from nixgen.input import config
from nixgen.nix import emit, rules, syntax, typedefs
from nixgen.nix.flavors import registry
from nixgen.nixatoms import Attrs, Call, If, InNix, Prose, Raw
from nixgen.plan import options
from nixgen.plan.model import (
    ALWAYS,
    Alias,
    NO_DEFAULT,
    Condition,
    KubeObject,
    Option,
    Plan,
    Split,
)
from nixgen.version import __version__

# What every template binds: `cfg` (the module's options), `values` (the final Helm values)
# and `facts` (the facts of the Cilium minor in use); `local` is true for the local profile.
NAMES = {"cfg": "cfg", "local": "cfg.isLocal", "values": "values", "facts": "facts"}

GITHUB = {"type": "github", "owner": "cilium", "repo": "cilium"}


def template_dir() -> str:
    """templates/nix: inside the installed package (nixgen/templates), or beside the package
    in a source checkout, so `python -m nixgen` works from either."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder in (os.path.join(package, "templates", "nix"),
                   os.path.join(os.path.dirname(package), "templates", "nix")):  # fmt: skip
        if os.path.isdir(folder):
            return folder
    raise FileNotFoundError("nixgen's templates are missing: reinstall nixgen")


def _load(name: str) -> str:
    with open(os.path.join(template_dir(), name), encoding="utf-8") as handle:
        return handle.read()


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["nix"] = lambda v, *a: emit.expr(nixify(v), *a)
    env.globals["bindings"] = lambda m, indent: emit.bindings(nixify(m), indent)
    env.globals["item"] = lambda v, indent: emit.item(nixify(v), indent)
    return env


def nixify(data: Any, names: Mapping[str, str] = NAMES) -> Any:
    """Plan data as emitter input: a profile Split becomes `if cfg.isLocal then ... else ...`,
    and `cfg.` names the module's options as `names` says."""

    def replace(node: Any) -> Any:
        if isinstance(node, Split):
            return If(names["local"], nixify(node.local, names), nixify(node.production, names))
        if (isinstance(node, Raw) and not isinstance(node, InNix) and names is not NAMES
                and node.expr.startswith("cfg.")):  # fmt: skip
            return Raw(names["cfg"] + node.expr[3:])
        if isinstance(node, Attrs):
            return Attrs(nixify(dict(node.items), names))
        if isinstance(node, Call):
            return Call(node.func, tuple(nixify(a, names) for a in node.args))
        if isinstance(node, If):
            return If(node.condition, nixify(node.then_, names), nixify(node.else_, names))
        return tree.DESCEND

    return tree.rebuild(data, replace)


# How a default is shown in the manual (defaultText): the names as a user's module writes them.
DOC_NAMES = {"cfg": "config.cilium", "local": "config.cilium.isLocal"}


def declaration(option: Option) -> Any:
    """An option's `lib.mkOption` (or `lib.mkEnableOption`) declaration, as emitter data."""
    if option.type is None:
        return Call("lib.mkEnableOption", (option.description,))
    attrs: dict[str, Any] = {"type": option.type}
    if option.default is not NO_DEFAULT:
        attrs["default"] = option.default
    shown = option.default_text
    if shown is None and tree.contains(option.default,
                                       lambda v: isinstance(v, (Split, Raw))):
        shown = Call("lib.literalExpression", (emit.expr(nixify(option.default, DOC_NAMES)),))
    if shown is not None:
        attrs["defaultText"] = shown
    if option.example is not NO_DEFAULT:
        attrs["example"] = option.example
    if option.read_only:
        attrs["readOnly"] = True
    attrs["description"] = Prose(option.description)
    return Call("lib.mkOption", (attrs,))


def options_text(options: Iterable[Option], indent: int, nested: bool = True) -> str:
    """The declarations of `options` at column `indent`: nested in attrsets by their keys (as
    `settings = { hubble = { ... }; }`), or (not `nested`) one binding each at its dotted path
    (as `cni.binPath = ...;`)."""
    if not nested:
        return "\n".join(emit.binding(".".join(nixatoms.attr_name(k) for k in o.keys),
                                       nixify(declaration(o)), indent)
                         for o in options)  # fmt: skip
    declared: dict[str, Any] = {}
    for option in options:
        tree.put(declared, option.keys, declaration(option))
    return _bindings_text(declared, indent)


def _bindings_text(declared: dict[str, Any], indent: int) -> str:
    """emit.bindings(nixify(declared), indent), an attrset of several entries written from its
    entries, and each other entry written once per process: a setting's declaration is the same
    for every spec that gives it the same default."""
    lines = []
    pad = " " * indent
    for key, value in declared.items():
        if isinstance(value, dict) and len(value) > 1:
            inner = _bindings_text(value, indent + 2)
            lines.append(f"{pad}{nixatoms.attr_name(key)} = {{\n{inner}\n{pad}}};")
        else:
            lines.append(_entry_text(key, tree.Key(value), indent))
    return "\n".join(lines)


@lru_cache(maxsize=4096)
def _entry_text(key: str, value: tree.Key, indent: int) -> str:
    return emit.bindings(nixify({key: value.tree}), indent)


SETTINGS_DOC = (
    "The Helm values of the Cilium chart: any value the chart takes, by the chart's own "
    "names, with a typed option (below) for each one nixgen models. A typed setting at null "
    "is left out and the chart's default applies; a null anywhere else reaches Helm, which "
    "drops that default. Definitions merge as module options do: nixgen's defaults have the "
    "lowest priority, the generating config's values are lib.mkDefault, a plain definition "
    "overrides both. cilium.helmValues is another name for this option."
)


def settings_option() -> Option:
    """`cilium.settings`, whose typed options the let binding `settingsOptions` holds."""
    return Option(("settings",),
                  Call("lib.types.submodule", ({"freeformType": Raw("json"),
                                                "options": Raw("settingsOptions")},)),
                  {}, SETTINGS_DOC,
                  example={"hubble": {"relay": {"enabled": True}},
                           "bandwidthManager": {"enabled": True}})  # fmt: skip


@lru_cache(maxsize=64)
def alias_texts(aliases: tuple[Alias, ...]) -> list[str]:
    """The `imports` entries that declare the aliases (lib.mkAliasOptionModule, or
    lib.mkRenamedOptionModule for a renamed option), as list items at column 4: on one line
    where nixfmt keeps them there (its 100 columns counted from the indentation), else in
    nixfmt's layout (nixgen.nix.pretty, loaded only then)."""
    out = []
    for alias in aliases:
        old, new = (" ".join(["[", *map(nixatoms.string, p), "]"]) for p in (alias.old, alias.new))
        line = f"({_alias_func(alias)} {old} {new})"
        out.append(line if len(line) <= 100 else emit.item(alias_items((alias,))[0], 4))
    return out


def _alias_func(alias: Alias) -> str:
    return "lib.mkRenamedOptionModule" if alias.renamed else "lib.mkAliasOptionModule"


def alias_items(aliases: tuple[Alias, ...]) -> list[Any]:
    """alias_texts' entries as expressions."""
    return [syntax.Par(syntax.call(_alias_func(alias),
                                   *(syntax.Lst(tuple(syntax.Str((k,)) for k in p))
                                     for p in (alias.old, alias.new))))
            for alias in aliases]  # fmt: skip


def given_definitions(given: Any) -> Any:
    """The config's values as definitions of `cilium.settings`: lib.mkDefault at each leaf (a
    value per profile whose sides are tables has it inside them), so that a plain definition
    in the user's Nix overrides it, and nixgen's defaults (the options' own) yield to it."""
    if isinstance(given, dict) and given:
        return {key: given_definitions(value) for key, value in given.items()}
    if isinstance(given, Split) and any(isinstance(side, dict) and side
                                        for side in (given.local, given.production)):
        return Split(given_definitions(given.local), given_definitions(given.production))
    return Call("lib.mkDefault", (given,))


def object_texts(plan: Plan) -> list[str]:
    """The object entries as list items at column 6; each written once per process (the
    default policies recur in every module)."""
    return [_item_text(tree.Key(entry)) for entry in object_entries(plan)]


@lru_cache(maxsize=4096)
def _item_text(entry: tree.Key) -> str:
    return emit.item(nixify(entry.tree), 6)


def condition(c: Condition) -> str:
    if c.kind == "production":
        return f"!{NAMES['local']}"
    if c.kind == "local":
        return NAMES["local"]
    if c.kind == "value":
        return f"{NAMES['values']}.{'.'.join(c.path)} or false"
    raise ValueError("an unconditional object has no Nix condition")


def object_entries(plan: Plan) -> list[Any]:
    """One `lib.mkMerge` entry per group of objects that share a condition, where the flavour
    puts them (nixgen.nix.flavors)."""
    flavor = registry.of(plan.flavor)
    entries: list[Any] = []
    for when, objects in plan.object_groups():
        entry = flavor.object_entry(objects, lambda obj: manifest(plan, obj))
        if when != ALWAYS:
            entry = Call("lib.mkIf", (Raw(condition(when)), entry))
        entries.append(entry)
    return entries


def manifest(plan: Plan, obj: KubeObject) -> dict[str, Any]:
    """An object as the module writes it: a Cilium kind's apiVersion comes from the facts of
    the minor in use, so editing `cilium.version` in Nix keeps it right."""
    out = obj.manifest()
    if obj.api_from_facts and obj.kind in plan.api_mappings:
        out["apiVersion"] = Raw(f"{NAMES['facts']}.apiMappings.{obj.kind}")
    return out


def source(plan: Plan) -> Any:
    """fetchTree's arguments: pinned to rev/narHash for the version they were computed for."""
    cfg = NAMES["cfg"]
    unpinned = {**GITHUB, "ref": Raw(f'"v${{{cfg}.version}}"')}
    spec = plan.spec
    if spec.rev is None:
        return unpinned
    pinned = {**GITHUB, "rev": spec.rev}
    if spec.narHash is not None:
        pinned["narHash"] = spec.narHash
    return If(f"{cfg}.version == {nixatoms.string(plan.version)}", pinned, unpinned)


def module_args(plan: Plan, names: list[str]) -> str:
    """The module's argument pattern, in nixfmt's layout: `names`, and `options` and `pkgs`
    where a user's Nix expression reads them."""
    wanted = sorted({*names, *(["options"] if plan.needs_options else []),
                     *(["pkgs"] if plan.needs_pkgs else [])})  # fmt: skip
    if len(wanted) <= 2:
        return "{ " + ", ".join([*wanted, "..."]) + " }:"
    return "{\n" + "".join(f"  {name},\n" for name in wanted) + "  ...\n}:"


def header(plan: Plan) -> list[str]:
    """The spec's header lines: what the user set, flavour and version always."""
    return config.header_lines(plan.spec.header_data())


def facts_text(plan: Plan) -> str:
    """The facts table's bindings. The table is the same for every module with the same
    release, flavour needs and object kinds, so each is written once per process."""
    return _facts_text(tree.Key(plan.facts))


@lru_cache(maxsize=256)
def _facts_text(facts: tree.Key) -> str:
    return emit.bindings({minor: Attrs(entry) for minor, entry in facts.tree.items()}, 4)


def scopes_text(plan: Plan) -> str:
    """The bindings of the kind → namespaced table ("" when the module has none)."""
    if not plan.scopes:
        return ""
    return _scopes_text(tree.Key(plan.scopes))


@lru_cache(maxsize=256)
def _scopes_text(scopes: tree.Key) -> str:
    return emit.bindings(scopes.tree, 4)


def render(plan: Plan) -> str:
    flavor = registry.of(plan.flavor)
    types = [o.type for o in plan.settings_options]
    return environment().get_template(flavor.template).render(
        plan=plan,
        objects=object_texts(plan),
        given=_given_text(tree.Key(plan.given)) if plan.given else None,
        facts=facts_text(plan),
        rules=rules.text().rstrip("\n"),
        type_bindings=typedefs.text(options.type_names(types)).rstrip("\n"),
        options=options_text([*plan.options[:3], settings_option(), *plan.options[3:]], 4),
        settings_options=options_text(plan.settings_options, 4),
        nullable=emit.bindings(plan.nullable, 4),
        imports=alias_texts(plan.aliases),
        alpha_crds=any("alphaCrds" in entry for entry in plan.facts.values()),
        scopes=scopes_text(plan),
        source=source(plan),
        gateway_api=plan.spec.gatewayApiVersion or Raw(f"{NAMES['facts']}.gatewayApi"),
        about=flavor.about(plan.spec),
        header=header(plan),
        nixgen_version=__version__,
        module_args=lambda names: module_args(plan, names),
    )


@lru_cache(maxsize=256)
def _given_text(given: tree.Key) -> str:
    return emit.item(nixify({"cilium": {"settings": given_definitions(given.tree)}}), 6)
