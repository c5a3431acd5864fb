"""The CRD module (`nixgen crds`): the Cilium kinds one release serves, typed in Nix from the
shapes of nixgen.facts.shapes, the description the Python check (nixgen.checks.crd) reads too.

Both flavours carry the shapes as one table (JSON, a record of the schema a line, each record
once however many kinds share it: `table_lines`) and hand-written Nix that reads it
(templates/nix/crds-*.nix.j2):
- nixidy: the module nixidy imports into its applications (`nixidy.applicationImports`): per
  served version an option `resources.<group>.<version>.<Kind>` of typed objects, the
  camelCase plural alias of the newest version (`resources.ciliumNetworkPolicies`), the type
  registry entries nixidy renders typed resources by, and the application's namespace as the
  default of namespaced kinds — what nixidy's own `generators.fromCRD` declares. Each object is
  a record of typed fields built from the table once per record (an unknown field is refused
  as an undeclared option is).
- hetzkube (easykubenix): easykubenix types `kubernetes.resources` (`kubernetes.objects`) as
  namespace → kind → name → free-form object, which a second declaration cannot narrow for
  one kind; the module checks the objects of the Cilium kinds with the table and an
  interpreter that reports what nixgen.checks.crd reports, in one failure.

Every value is written by nixgen.nix.emit."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from nixgen.errors import NixgenError
from nixgen.facts import catalog, shapes
from nixgen.facts.shapes import Shape
from nixgen.nix import emit
from nixgen.nixatoms import Attrs, Call, indented_block
from nixgen.version import __version__

# easykubenix generation → the option its objects are defined in.
OBJECTS_OPTION = {"hetzkube-pin": "resources", "current": "objects", "standalone": "objects"}


class CrdModuleError(NixgenError):
    """A release nixgen cannot write a CRD module for."""


@dataclass(frozen=True)
class Kind:
    """One served version of a Cilium kind, as the module declares it."""

    kind: str
    group: str
    version: str
    plural: str
    namespaced: bool
    storage: bool
    shape: Shape

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


def kinds(release: catalog.Release) -> list[Kind]:
    """Every served version of every kind the release ships, kinds sorted, each kind's storage
    version first."""
    found = shapes.release(release.version)
    if found is None:
        raise CrdModuleError(f"nixgen has no CRD schemas for Cilium {release.version}: import "
                             "the release with `nixgen catalog import`")  # fmt: skip
    out = []
    for crd in sorted(release.crds, key=lambda c: c.kind):
        order = sorted(crd.served, key=lambda v: (v != crd.storage_version, v))
        for version in order:
            root = found.root(crd.kind, version)
            if root is None:
                raise CrdModuleError(f"nixgen has no schema of {crd.kind} {version} for Cilium "
                                     f"{release.version}: import the release again")  # fmt: skip
            out.append(Kind(crd.kind, crd.group, version, crd.plural, crd.namespaced,
                            version == crd.storage_version, root))  # fmt: skip
    return out


def attr_name(kind: str, plural: str) -> str:
    """nixidy's camelCase plural attribute of a kind (its crd2jsonschema's gen_attr_name, no
    prefix): a leading acronym in lower case, then the kind up to where the plural departs
    from it, then the rest of the plural. CiliumNetworkPolicy → ciliumNetworkPolicies."""
    acronym = re.match(r"[A-Z]+(?=[A-Z][a-z]|$)", kind)
    head = acronym.group(0) if acronym else kind[0]
    split = len(kind)
    for i, (a, b) in enumerate(zip(kind, plural)):
        if a.lower() != b.lower():
            split = i
            break
    return head.lower() + kind[len(head) : split] + plural[split:]


def _version_rank(version: str) -> tuple[int, tuple[int, ...], str]:
    """nixidy's order of versions (its compareVersions): alphas lowest, then betas, then GA."""
    body = version[1:] if version.startswith("v") else version
    numbers = tuple(int(n) for n in re.findall(r"\d+", body))
    stage = 0 if "alpha" in body else 1 if "beta" in body else 2
    return stage, numbers, body


def latest(served: list[str]) -> str:
    """The version nixidy's alias points at: the newest by nixidy's order."""
    return max(served, key=_version_rank)


# ------------------------------------------------------------------ naming records


def _upper_first(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    return "".join(p[0].upper() + p[1:] for p in parts) or "Field"


class Names:
    """A let-binding name for each record shape, from where the walk first meets it: the kind
    (with its version when it is not the storage version), then each field on the way, e.g.
    CiliumNetworkPolicySpecEgress for the rules of spec.egress. A record several kinds share is
    named once, after the first kind in order (CiliumClusterwideNetworkPolicySpec)."""

    def __init__(self, found: list[Kind]) -> None:
        self.names: dict[int, str] = {}
        self.order: list[Shape] = []
        self.taken: set[str] = set()
        for k in found:
            base = k.kind if k.storage else k.kind + _upper_first(k.version)
            self.visit(k.shape, base)

    def visit(self, shape: Shape, name: str) -> None:
        if shape.is_record:
            if id(shape) in self.names:
                return
            self.names[id(shape)] = self.claim("ObjectMeta" if shape is shapes.OBJECT_META
                                               else name)  # fmt: skip
            self.order.append(shape)
            base = self.names[id(shape)]
            for f in shape.fields:
                self.visit(f.shape, base + _upper_first(f.name))
        for inner in (shape.items, shape.values):
            if inner is not None:
                self.visit(inner, name)

    def claim(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{name}{n}"
        self.taken.add(candidate)
        return candidate

    def __getitem__(self, shape: Shape) -> str:
        return self.names[id(shape)]


def _bounds(shape: Shape, keys: tuple[str, ...]) -> dict[str, Any]:
    names = {"min_length": "minLength", "max_length": "maxLength", "minimum": "minimum",
             "maximum": "maximum", "min_items": "minItems", "max_items": "maxItems"}  # fmt: skip
    out = {names[k]: getattr(shape, k) for k in keys if getattr(shape, k) is not None}
    if "minimum" in out and shape.exclusive_minimum:
        out["exclusiveMinimum"] = True
    if "maximum" in out and shape.exclusive_maximum:
        out["exclusiveMaximum"] = True
    return out


# ------------------------------------------------------------------ the table both modules read


def table_shape(shape: Shape, names: Names, docs: bool) -> Any:
    """A shape as the modules read it (JSON): a record by its name, anything else spelt out;
    with `docs`, its description too."""
    if shape.is_record:
        return names[shape]
    return _spelt(shape, names, docs)


def _spelt(shape: Shape, names: Names, docs: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": shape.type}
    if docs and shape.description:
        out["description"] = shape.description
    if shape.nullable:
        out["nullable"] = True
    if shape.enum is not None:
        out["enum"] = list(shape.enum)
    out |= _bounds(shape, ("min_length", "max_length", "minimum", "maximum", "min_items",
                           "max_items"))  # fmt: skip
    if shape.pattern is not None and shape.pattern.regex is not None:
        out["pattern"] = shape.pattern.regex
        out["patternSource"] = shape.pattern.source
    if shape.type == "object":
        if shape.fields:
            out["fields"] = {f.name: table_shape(f.shape, names, docs) for f in shape.fields}
            required = [f.name for f in shape.fields if f.required]
            if required:
                out["required"] = required
        if shape.values is not None:
            out["values"] = table_shape(shape.values, names, docs)
        if shape.open:
            out["open"] = True
        if shape.choices:
            out["choices"] = [[c.op, [list(b) for b in c.branches]] for c in shape.choices]
    if shape.items is not None:
        out["items"] = table_shape(shape.items, names, docs)
    return out


def table_lines(found: list[Kind], names: Names, docs: bool) -> list[str]:
    """The table as JSON, one entry a line: the kinds (group, resource name, nixidy's attribute,
    scope, storage version, the shape of each served version), then each record by name."""
    by_kind: dict[str, dict[str, Any]] = {}
    served: dict[str, list[str]] = {}
    for k in found:
        served.setdefault(k.kind, []).append(k.version)
    for k in found:
        entry = by_kind.setdefault(k.kind, {
            "group": k.group, "plural": k.plural, "attrName": attr_name(k.kind, k.plural),
            "namespaced": k.namespaced, "storage": "", "latest": latest(served[k.kind]),
            "versions": {}})  # fmt: skip
        if k.storage:
            entry["storage"] = k.version
        entry["versions"][k.version] = names[k.shape]
    def line(indent: str, key: str, value: Any, last: bool) -> str:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return f"{indent}{json.dumps(key)}: {text}{'' if last else ','}"

    lines = ["{", '  "kinds": {']
    lines += [line("    ", k, v, i == len(by_kind) - 1) for i, (k, v) in enumerate(by_kind.items())]
    lines.append("  },")
    records = [(names[s], _spelt(s, names, docs)) for s in names.order]
    lines += [line("  ", k, v, i == len(records) - 1) for i, (k, v) in enumerate(records)]
    lines.append("}")
    return lines


# ------------------------------------------------------------------ the module


def render(flavor: str, version: str, generation: str = "hetzkube-pin") -> str:
    """The CRD module's text for `flavor` and the release nixgen has facts for under
    `version` (before nixfmt)."""
    from nixgen.nix.render import environment

    release = catalog.load().release_for(version)
    found = kinds(release)
    names = Names(found)
    command = f"nixgen crds --flavor {flavor} --cilium-version {version}"
    if flavor == "hetzkube" and generation != "hetzkube-pin":
        command += f" --easykubenix {generation}"
    context: dict[str, Any] = {
        "nixgen_version": __version__,
        "version": version,
        "release": release.version,
        "command": command,
        "header_json": json.dumps({"flavor": flavor, "ciliumVersion": version,
                                   **({"easykubenix": generation} if flavor == "hetzkube"
                                      and generation != "hetzkube-pin" else {})},
                                  separators=(",", ":")),  # fmt: skip
        "kinds": sorted({k.kind for k in found}),
    }
    if flavor == "nixidy":
        context |= _nixidy_context(found)
    else:
        groups = sorted({k.group for k in found})
        if len(groups) != 1:
            raise CrdModuleError(f"Cilium {release.version}'s kinds are in {len(groups)} groups")
        context |= {"group": groups[0], "objects_option": OBJECTS_OPTION[generation]}
    context["table"] = indented_block(table_lines(found, names, flavor == "nixidy"), 2)
    return environment().get_template(f"crds-{flavor}.nix.j2").render(**context)


def _nixidy_context(found: list[Kind]) -> dict[str, Any]:
    """The option declarations (every served version at its group and version, the newest also
    at nixidy's camelCase plural) and the definitions that forward the plural's to it."""
    served: dict[str, list[str]] = {}
    for k in found:
        served.setdefault(k.kind, []).append(k.version)
    by_version: dict[str, dict[str, dict[str, Any]]] = {}
    aliases: dict[str, Any] = {}
    forwards: dict[str, dict[str, dict[str, Any]]] = {}
    for k in found:
        option = Call("resource", (k.kind, k.version))
        by_version.setdefault(k.group, {}).setdefault(k.version, {})[k.kind] = option
        if k.version == latest(served[k.kind]):
            attr = attr_name(k.kind, k.plural)
            aliases[attr] = option
            forwards.setdefault(k.group, {}).setdefault(k.version, {})[k.kind] = Call(
                "forward", (attr,))
    nested = {g: Attrs({v: Attrs(byk) for v, byk in byv.items()}) for g, byv in by_version.items()}
    return {
        "options": emit.bindings({"options": {"resources": Attrs({**nested, **aliases})}}, 2),
        "forwards": emit.bindings({"resources": Attrs(
            {g: Attrs({v: Attrs(byk) for v, byk in byv.items()}) for g, byv in forwards.items()})},
            4),  # fmt: skip
    }
