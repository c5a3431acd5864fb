"""The spec: what the user asks for, validated, in the one shape the pipeline takes.

A config (file, flags, --set, values files, or a generated file's header) becomes a `Spec`
through `validate`, which checks it with the pydantic models of `nixgen.input.models`. A command
line without a config file (flavour, version, easykubenix generation, `--set`, `-f`) needs no
model: `plain` builds its Spec without importing pydantic, so such a run starts fast; its values
are judged on the final values (nixgen.checks.values) like every other.

The Spec keeps each layer of the user's Helm values apart (values files, `[settings]`, the
production features, `[values]`, `--set`), so the plan can say where every final value comes
from; nixgen's own defaults are the plan's (nixgen.plan.build), from the one settings table.

A Nix expression is `{ "$nix" = "config.clusterHost" }` wherever a config takes a value (and
`{ nix = ... }` in `[settings]` too, where a typed setting never takes a table); what a values
file holds is data. An expression is an attribute path from `config`, `lib`, `options` or
`pkgs` (nixgen.nixatoms.USER_ROOTS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from nixgen import nixatoms
from nixgen.errors import ConfigError
from nixgen.facts import catalog
from nixgen.facts.valuepath import split_dotted
from nixgen.facts.versions import UnknownVersion
from nixgen.input import settings as settings_
from nixgen.input.choices import DEFAULT_VERSION

if TYPE_CHECKING:
    from nixgen.input.valuesfile import ValuesFile

# The settings written when the config sets none (nixgen.input.settings is their one table).
DEFAULT_SETTINGS = settings_.DEFAULT_SETTINGS
# The key of the one-key table that is a Nix expression in a config.
NIX_KEY = "$nix"


@dataclass(frozen=True)
class Policy:
    """A network policy object of the user's."""

    kind: str
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    spec: Mapping[str, Any]


@dataclass(frozen=True)
class BgpPeer:
    name: str
    address: str
    asn: int


@dataclass(frozen=True)
class Bgp:
    """BGP peering: `advertise` lists PodCIDR and the Service address types to advertise;
    empty selectors select every node or Service."""

    localASN: int
    peers: tuple[BgpPeer, ...]
    advertise: tuple[str, ...]
    nodeSelector: Mapping[str, str]
    serviceSelector: Mapping[str, str]


@dataclass(frozen=True)
class L2Policy:
    interfaces: tuple[str, ...]
    loadBalancerIPs: bool
    externalIPs: bool
    serviceSelector: Mapping[str, str]
    nodeSelector: Mapping[str, str]
    qps: int
    burst: int


@dataclass(frozen=True)
class UserObject:
    """A Kubernetes object of the user's (`[[objects]]`), or a patch of one the chart renders
    (api_version None). `body` is everything but apiVersion, kind and metadata."""

    api_version: str | None
    kind: str
    name: str
    namespace: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    body: Mapping[str, Any]
    profile: str | None = None
    patch: bool = False


class SetItem(NamedTuple):
    """One `--set PATH=VALUE` (or `--set-nix PATH=EXPR`): `text` as the user wrote it, the
    path's keys, the value in the config's notation. (A named tuple: cheap to define at
    start-up.)"""

    text: str
    keys: tuple[str, ...]
    value: Any


@dataclass(frozen=True)
class Spec:
    """One module to generate. `settings` (the config's `[settings]`), `values` (its
    `[values]`) and `sets` are in the config's notation, each the user's own; `files` are the
    values files' data. `given` is what the user set (the spec a generated file's header
    records: `--set` merged into `values`, the values files by path)."""

    flavor: str = "hetzkube"
    ciliumVersion: str = DEFAULT_VERSION
    easykubenix: str = "hetzkube-pin"
    gatewayApiVersion: str | None = None
    rev: str | None = None
    narHash: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    # "nixgen": nixgen's defaults fill what the user leaves open; "chart": the chart's alone.
    defaults: str = "nixgen"
    files: tuple[ValuesFile, ...] = ()
    sets: tuple[SetItem, ...] = ()
    defaultPolicy: bool = True
    hubbleRelayPolicy: bool = True
    policies: tuple[Policy, ...] = ()
    ipv6: bool = False
    bgpControlPlane: bool = False
    hostFirewall: bool = False
    l2announcements: bool = False
    loadBalancerIPPools: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bgp: Bgp | None = None
    l2Policy: L2Policy | None = None
    objects: tuple[UserObject, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    # Dotted Helm value paths the chart check lets through (config `uncheckedValues`).
    unchecked: tuple[str, ...] = ()
    given: Mapping[str, Any] = field(default_factory=dict)

    def header_data(self) -> dict[str, Any]:
        """What the user set, flavour and version always."""
        return {"flavor": self.flavor, "ciliumVersion": self.ciliumVersion, **self.given}


def plain(flavor: str | None = None, version: str | None = None,
          easykubenix: str | None = None, sets: tuple[SetItem, ...] = (),
          unchecked: tuple[str, ...] = (), files: tuple[ValuesFile, ...] = (),
          defaults: str | None = None) -> Spec:  # fmt: skip
    """The spec of a command line that names at most these three (each already one of its
    choices, the version already known), `--set` values, unchecked value paths, values files
    (already read) and the defaults mode: no `[settings]`. The values are checked here as
    `validate` checks them; the typed settings they set are judged on the final values
    (nixgen.checks.values)."""
    chosen = {"flavor": flavor, "ciliumVersion": version, "easykubenix": easykubenix}
    given = {k: v for k, v in chosen.items() if v is not None}
    recorded: dict[str, Any] = {k: v for k, v in given.items() if k == "easykubenix"}
    if defaults is not None:
        recorded["defaults"] = defaults
    if files:
        recorded["valuesFiles"] = [f.recorded for f in files]
    values = set_values({}, sets)
    if values:
        _check_depth({"values": values}, "")
        check_values(values)
        recorded["values"] = values
    if unchecked:
        for path in unchecked:
            try:
                split_dotted(path)
            except ValueError:
                raise ConfigError(f"--unchecked {path!r}: not a dotted Helm value path such "
                                  'as nodeSelector."kubernetes.io/os"') from None  # fmt: skip
        recorded["uncheckedValues"] = list(unchecked)
    chart_only = defaults == "chart"  # then no policy of nixgen's either
    return Spec(**given, unchecked=tuple(unchecked), given=recorded, files=files, sets=sets,
                defaults=defaults or "nixgen", defaultPolicy=not chart_only,
                hubbleRelayPolicy=not chart_only)  # fmt: skip


def set_values(values: Mapping[str, Any], sets: tuple[SetItem, ...]) -> dict[str, Any]:
    """`values` with the `--set` items merged over them, in order."""
    from nixgen.tree import deep_merge, nest

    out = dict(values)
    for item in sets:
        out = deep_merge(out, nest(item.keys, item.value))
    return out


def validate(data: Mapping[str, Any], where: str = "", sets: tuple[SetItem, ...] = (),
             files: tuple[ValuesFile, ...] | None = None, base: Any = None) -> Spec:
    """The Spec a config describes, with `--set` items over its values; ConfigError naming the
    place (prefixed by `where`) when it describes none. The values files are `files` when
    given (already read), else those `valuesFiles` names, relative to the folder `base` (the
    current one by default)."""
    # pydantic and the models load only when there is a config to validate: a plain command
    # line does without them (`plain`).
    from pydantic import ValidationError

    from nixgen.input import models
    from nixgen.input.errorline import first_error

    prefix = f"{where}: " if where else ""
    _check_depth(data, prefix)
    try:
        config = models.Config.model_validate(dict(data))
    except ValidationError as err:
        raise ConfigError(prefix + first_error(err, models.MODEL_NAMES)) from None
    try:
        catalog.load().release_for(config.ciliumVersion)
    except UnknownVersion as err:
        raise ConfigError(f"{prefix}ciliumVersion: {err}") from None
    policies = tuple(
        Policy(p.kind, p.name, p.namespace, p.labels, p.spec) for p in config.policies.extra
    )
    objects = tuple(_user_object(o) for o in config.objects)
    if files is None:
        from nixgen.input import valuesfile

        files = valuesfile.read_all(config.valuesFiles, base)
    try:
        check_values(config.values)
        for item in sets:
            check_data(item.value, f"--set {'.'.join(item.keys)}")
        for i, p in enumerate(policies):
            check_data(p.labels, f"policies.extra[{i}].labels")
            check_data(p.spec, f"policies.extra[{i}].spec")
        for i, o in enumerate(objects):
            check_data(o.body, f"objects[{i}]")
            _check_strings(o.labels, f"objects[{i}].metadata.labels")
            _check_strings(o.annotations, f"objects[{i}].metadata.annotations")
    except ConfigError as err:
        raise ConfigError(prefix + str(err)) from None
    given = config.model_dump(mode="json", exclude_unset=True, by_alias=True)
    for key in ("flavor", "ciliumVersion"):
        given.pop(key, None)
    if sets:
        given["values"] = set_values(given.get("values", {}), sets)
    for key in ("values", "uncheckedValues", "valuesFiles"):
        if not given.get(key):
            given.pop(key, None)
    production = config.production
    bgp = production.bgp
    l2 = production.l2announcements
    return Spec(
        flavor=config.flavor,
        ciliumVersion=config.ciliumVersion,
        easykubenix=config.easykubenix,
        gatewayApiVersion=config.gatewayApiVersion,
        rev=config.source.rev,
        narHash=config.source.narHash,
        settings=config.settings.model_dump(mode="json", exclude_unset=True, by_alias=True),
        defaults=config.defaults,
        files=files,
        sets=sets,
        # With the chart's defaults alone, no policy of nixgen's unless the config asks for it.
        **{key: getattr(config.policies, key)
           if config.defaults == "nixgen" or key in config.policies.model_fields_set else False
           for key in ("defaultPolicy", "hubbleRelayPolicy")},
        policies=policies,
        ipv6=production.ipv6,
        bgpControlPlane=production.bgpControlPlane or bgp is not None,
        hostFirewall=production.hostFirewall,
        l2announcements=l2 is not False,
        loadBalancerIPPools={k: tuple(v) for k, v in production.loadBalancerIPPools.items()},
        bgp=None if bgp is None else Bgp(
            bgp.localASN, tuple(BgpPeer(p.name, p.address, p.asn) for p in bgp.peers),
            tuple(bgp.advertise), bgp.nodeSelector, bgp.serviceSelector),
        l2Policy=None if isinstance(l2, bool) else L2Policy(
            tuple(l2.interfaces), l2.loadBalancerIPs, l2.externalIPs, l2.serviceSelector,
            l2.nodeSelector, l2.k8sClientRateLimit.qps, l2.k8sClientRateLimit.burst),
        objects=objects,
        values=config.values,
        unchecked=tuple(config.uncheckedValues),
        given=given,
    )


def _check_depth(data: Any, prefix: str) -> None:
    """ConfigError where a config nests deeper than nixgen follows (nixgen.input.limits)."""
    from nixgen.input.limits import InputLimit, check_depth

    try:
        check_depth(data)
    except InputLimit as err:
        raise ConfigError(prefix + str(err)) from None


def _user_object(model: Any) -> UserObject:
    meta = model.metadata
    return UserObject(model.apiVersion, model.kind, meta.name, meta.namespace, meta.labels,
                      meta.annotations, dict(model.model_extra or {}), model.profile,
                      model.patch)  # fmt: skip


def check_values(values: Mapping[str, Any]) -> None:
    """The config's `[values]` (with `--set` over them): free-form data, not one expression."""
    if isinstance(values, Mapping) and NIX_KEY in values:
        raise ConfigError('values: the Helm values as a whole cannot be a Nix expression: give '
                          'each value its own, as cluster.name = { "$nix" = "config.clusterName" '
                          "}; whole values from Nix go in cilium.helmValues")  # fmt: skip
    check_data(values, "values")


def check_data(data: Any, path: str) -> None:
    """Free-form data (Helm values, an object's spec) that Nix can hold, where
    `{"$nix" = "..."}` is a Nix expression and must be an attribute path from one of the
    module's arguments (a table whose only key is `nix` is plain data here)."""
    if isinstance(data, Mapping):
        if NIX_KEY in data:
            if len(data) != 1:
                raise ConfigError(f'{path}: a table with "$nix" is a Nix expression and holds '
                                  'nothing else: { "$nix" = "config.clusterName" }')  # fmt: skip
            problem = nixatoms.user_expression_problem(data[NIX_KEY])
            if problem is not None:
                raise ConfigError(f'{path}."$nix": {problem}')
            return
        for key, value in data.items():
            try:
                nixatoms.attr_name(key, path)
            except nixatoms.NixError as err:
                from nixgen.tree import shown

                raise ConfigError(f"{path}: the key {shown(key)}: {err.reason}") from None
            check_data(value, f"{path}.{key}" if _plain_key(key) else f'{path}."{key}"')
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            check_data(value, f"{path}[{i}]")
    else:
        try:
            nixatoms.check(data, path)
        except nixatoms.NixError as err:
            raise ConfigError(str(err)) from None


def _check_strings(data: Mapping[str, str], path: str) -> None:
    """A table of strings (labels, annotations: never an expression) that Nix can hold."""
    from nixgen import nixatoms
    from nixgen.tree import shown

    for key, value in data.items():
        try:
            nixatoms.attr_name(key, path)
        except nixatoms.NixError as err:
            raise ConfigError(f"{path}: the key {shown(key)}: {err.reason}") from None
        try:
            nixatoms.check(value, f"{path}.{key}" if _plain_key(key) else f'{path}."{key}"')
        except nixatoms.NixError as err:
            raise ConfigError(str(err)) from None


def _plain_key(key: Any) -> bool:
    return isinstance(key, str) and key.replace("-", "").replace("_", "").isalnum()
