"""Upgrade notes as data and as text: the pydantic model that defines `nixgen upgrade-notes
--output json` (its JSON Schema ships as nixgen/data/upgrade-notes.schema.json and is printed by
`nixgen upgrade-notes --schema`), and the text people read (the same notes `nixgen regen
--cilium-version` prints before it writes). nixgen.checks.upgrade computes them."""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nixgen.facts import locations

Profile = Literal["local", "production"]
SCHEMA_FILE = os.path.join(locations.DATA_DIR, "upgrade-notes.schema.json")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ValueNote(_Model):
    """A value the config sets whose key the new release removes, renames or deprecates."""

    path: str = Field(description="The chart key, dotted.")
    change: Literal["removed", "renamed", "deprecated"]
    minor: str = Field(description="The Cilium minor that made the change.")
    note: str = Field(description="What to do instead, from Cilium's upgrade notes.")
    renamedTo: str | None = Field(None, description="The new key of a mechanical rename "
                                  "(`nixgen regen --migrate` rewrites it).")  # fmt: skip
    stillRead: bool = Field(False, description="The new chart still reads the old key as a "
                            "fallback.")  # fmt: skip
    profiles: list[Profile] = Field(description="The profiles whose values set it.")


class DefaultNote(_Model):
    """A chart default that changes under a key the config leaves to the chart."""

    path: str
    old: Any = Field(description="The old release's default.")
    new: Any = Field(description="The new release's default.")
    doc: str | None = Field(description="The new chart's doc line for the key.")
    image: bool = Field(description="An image tag or digest, which follows every release.")
    profiles: list[Profile] = Field(description="The profiles that leave the key to the chart.")


class RuleNote(_Model):
    """A rule of nixgen's whose since/until bound the step crosses, relevant to the config."""

    id: str
    change: Literal["starts", "stops"] = Field(description="Whether the rule starts or stops "
                                               "applying with the new release.")  # fmt: skip
    since: str | None
    until: str | None
    message: str
    broken: list[Profile] = Field(description="The profiles whose values break the rule in the "
                                  "release where it applies (the new one when it starts, the "
                                  "old one when it stops).")  # fmt: skip


class ObjectRef(_Model):
    """One object of the config's, of a kind whose CRD changes."""

    origin: str = Field(description="Where the config asks for it (objects[2], production.bgp).")
    name: str
    namespace: str | None
    apiVersion: str = Field(description="Its apiVersion in the old release's module.")
    newApiVersion: str | None = Field(description="Its apiVersion in the new release's module "
                                      "(null: the new release has no CRD for the kind).")
    followsRelease: bool = Field(description="nixgen writes its apiVersion from the facts of the "
                                 "minor in use; a user's object keeps the one it was written "
                                 "with.")  # fmt: skip


class KindNote(_Model):
    """A Cilium kind the config creates objects of, whose CRD changes in the step."""

    kind: str
    storageFrom: str | None = Field(description="The old release's storage apiVersion.")
    storageTo: str | None = Field(description="The new release's (null: no CRD any more).")
    namespacedFrom: bool | None
    namespacedTo: bool | None
    messages: list[str]
    objects: list[ObjectRef]


class CrdChanges(_Model):
    added: list[str]
    removed: list[str]


class GatewayApiNote(_Model):
    """The gateway-api release the Cilium minor names, when it changes."""

    from_: str = Field(alias="from")
    to: str
    pinned: str | None = Field(description="The release the config pins (gatewayApiVersion).")
    kinds: list[str] = Field(description="The gateway.networking.k8s.io kinds the config "
                             "creates objects of.")  # fmt: skip
    deployedByModule: bool = Field(description="Whether the module deploys the gateway-api CRDs "
                                   "(hetzkube flavour).")  # fmt: skip


class Step(_Model):
    from_: str = Field(alias="from")
    to: str
    patch: bool = Field(description="Both releases are of one minor.")
    values: list[ValueNote]
    defaults: list[DefaultNote]
    rules: list[RuleNote]
    kinds: list[KindNote]
    crds: CrdChanges
    gatewayApi: GatewayApiNote | None


class Skipped(_Model):
    minor: str
    message: str


class ObjectKey(_Model):
    kind: str
    namespace: str | None
    name: str


class ChangedObject(ObjectKey):
    paths: list[str] = Field(description="Where the rendered objects differ (JSON paths).")


class ProfileDiff(_Model):
    profile: Profile
    added: list[ObjectKey]
    removed: list[ObjectKey]
    changed: list[ChangedObject]
    unchanged: int


class RenderDiff(_Model):
    """`helm template` of both releases' charts with the config's final values, compared
    object by object (generated certificates and keys, and checksum annotations, ignored)."""

    from_: str = Field(alias="from")
    to: str
    profiles: list[ProfileDiff]


class UpgradeNotes(_Model):
    """What changes for one config between two Cilium releases, step by step."""

    from_: str = Field(alias="from", description="The release upgraded from, as asked.")
    to: str = Field(description="The release upgraded to, as asked.")
    factsFrom: str = Field(description="The release whose facts stand for `from`.")
    factsTo: str = Field(description="The release whose facts stand for `to`.")
    flavor: str
    skipped: list[Skipped] = Field(description="The minors the upgrade skips: Cilium supports "
                                   "upgrading one minor at a time.")  # fmt: skip
    steps: list[Step]
    render: RenderDiff | None = None


def schema() -> dict[str, Any]:
    """The JSON Schema of `nixgen upgrade-notes --output json`."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            **UpgradeNotes.model_json_schema(by_alias=True)}  # fmt: skip


def schema_text() -> str:
    """The schema as nixgen/data/upgrade-notes.schema.json holds it (`python -m nixgen.notes`
    writes that file; a test holds it to the model)."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def as_json(notes: UpgradeNotes) -> str:
    return json.dumps(notes.model_dump(mode="json", by_alias=True), indent=2,
                      ensure_ascii=False) + "\n"  # fmt: skip


# ------------------------------------------------------------------ text


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _first_sentence(text: str) -> str:
    text = " ".join(text.split()).removeprefix("-- ")
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _profiles(profiles: list[str]) -> str:
    return "" if len(profiles) != 1 else f" (the {profiles[0]} profile)"


def text(notes: UpgradeNotes, config: str | None = None) -> str:
    """The notes for people: one block per step, only what changes."""
    head = f"Cilium {notes.from_} → {notes.to}, {notes.flavor} flavour"
    if config:
        head += f", config {config}"
    facts = [f"{a} stands for {b}" for a, b in ((notes.from_, notes.factsFrom),
                                                 (notes.to, notes.factsTo)) if a != b]  # fmt: skip
    if facts:
        head += f" (nixgen's facts: {'; '.join(facts)})"
    lines = [head]
    lines += [f"warning: {s.message}" for s in notes.skipped]
    if not notes.steps:
        lines.append("nothing changes that nixgen knows of: both have the same facts")
    for step in notes.steps:
        lines += [""] + _step(step)
    if notes.render is not None:
        lines += [""] + _render(notes.render)
    return "\n".join(lines) + "\n"


def _step(step: Step) -> list[str]:
    title = f"{step.from_} → {step.to}" + (" (patch release)" if step.patch else "")
    out = [title]
    removed = [v for v in step.values if v.change != "deprecated"]
    deprecated = [v for v in step.values if v.change == "deprecated"]
    if removed:
        out.append(f"  values the config sets that Cilium {step.to}'s chart removes or renames:")
        for v in removed:
            if v.renamedTo:
                line = f"{v.path} → {v.renamedTo} (renamed in {v.minor}; regen --migrate " \
                       "rewrites it)"
            else:
                line = f"{v.path}: removed in {v.minor}: {v.note}"
            if v.stillRead:
                line += f" [Cilium {step.to}'s chart still reads the old key as a fallback]"
            out.append(f"    {line}{_profiles(v.profiles)}")
    if deprecated:
        out.append(f"  values the config sets that Cilium {step.to} deprecates or ignores:")
        out += [f"    {v.path}: {v.note}{_profiles(v.profiles)}" for v in deprecated]
    shown = [d for d in step.defaults if not d.image]
    images = len(step.defaults) - len(shown)
    if shown:
        out.append("  chart defaults that change, for keys the config leaves to the chart:")
        for d in shown:
            old, new = _value(d.old), _value(d.new)
            if len(old) + len(new) <= 60:
                out.append(f"    {d.path}: {old} → {new}{_profiles(d.profiles)}")
            else:  # a list or table: both in full, one under the other
                out += [f"    {d.path}:{_profiles(d.profiles)}", f"      was {old}",
                        f"      now {new}"]  # fmt: skip
            if d.doc:
                out.append(f"      {_first_sentence(d.doc)}")
    if images:
        out.append(f"  {images} image tags and digests change with the release")
    for r in step.rules:
        when = f"from {r.since}" if r.change == "starts" else f"up to {r.until} only"
        verdict = (f"the config breaks it{_profiles(r.broken)}" if r.broken
                   else "the config meets it")  # fmt: skip
        verb = "starts" if r.change == "starts" else "stops"
        out.append(f"  rule {r.id} {verb} applying ({when}; {verdict}): {r.message}")
    for k in step.kinds:
        out += [f"  {k.kind}: {m}" for m in k.messages]
    if step.crds.added:
        out.append(f"  CRDs added: {', '.join(step.crds.added)}")
    if step.crds.removed:
        out.append(f"  CRDs removed: {', '.join(step.crds.removed)}")
    if step.gatewayApi is not None:
        g = step.gatewayApi
        line = f"  gateway-api: {g.from_} → {g.to}"
        line += " (the module deploys it)" if g.deployedByModule else " (install its CRDs)"
        if g.pinned:
            line += f"; the config pins {g.pinned} (gatewayApiVersion)"
        if g.kinds:
            line += f"; check the config's {', '.join(g.kinds)} objects against it"
        out.append(line)
    if len(out) == 1:
        out.append("  nothing that concerns this config changes")
    return out


def _key(o: ObjectKey) -> str:
    return f"{o.kind} {o.namespace}/{o.name}" if o.namespace else f"{o.kind} {o.name}"


def _render(render: RenderDiff) -> list[str]:
    out = [f"rendered chart, {render.from_} → {render.to} (helm template):"]
    for p in render.profiles:
        out.append(f"  {p.profile} profile: {len(p.added)} added, {len(p.removed)} removed, "
                   f"{len(p.changed)} changed, {p.unchanged} unchanged")  # fmt: skip
        out += [f"    + {_key(o)}" for o in p.added]
        out += [f"    - {_key(o)}" for o in p.removed]
        for o in p.changed:
            more = f" (and {len(o.paths) - 3} more)" if len(o.paths) > 3 else ""
            out.append(f"    ~ {_key(o)}: {', '.join(o.paths[:3])}{more}")
    return out


if __name__ == "__main__":
    with open(SCHEMA_FILE, "w", encoding="utf-8") as handle:
        handle.write(schema_text())
