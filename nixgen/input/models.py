"""What a config file may say: the pydantic models of the config file (`nixgen schema` prints
their JSON Schema), imported only when there is user input to validate.

The `settings` models are built from the table of nixgen.input.settings and use the Cilium
chart's own key names, so a settings model is a Helm values tree. Every setting takes a plain value
in any form its kind has (nixgen.input.settings.KIND_FORMS: `kubeProxyReplacement = "true"`,
`k8sServicePort = "6443"`), `{ local = ..., production = ... }` (a value per profile) or a Nix
expression, written explicitly, never guessed from a string: `{ "$nix" = "config.clusterHost" }`
as everywhere in a config, or `{ nix = ... }`, which a typed setting cannot mistake for a table.
Which forms the pinned release's chart takes is held on the final values (nixgen.checks.values).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_validator

from nixgen.input import settings
from nixgen.input.choices import DEFAULT_VERSION
from nixgen.input.fields import (
    ASN,
    IP,
    AbsPath,
    Advertised,
    ApiVersion,
    BoolString,
    Cidr,
    Cidr4,
    Cidr6,
    CidrString,
    DefaultsMode,
    EasyKubenix,
    Flavor,
    Host,
    K8sName,
    NarHash,
    NonEmpty,
    Port,
    PortString,
    Qps,
    Regex,
    Replicas,
    Rev,
    SemVer,
    ValuePath,
    nix_expression,
)

T = TypeVar("T")


class Strict(BaseModel):
    # defer_build: a model's validator is built on first use, so a config validation builds
    # one (Config's, with every section inside it) instead of one per class at import.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)
    # Fields written into the Helm values only when the user set them (the chart's defaults
    # stand otherwise).
    omit_unless_set: ClassVar[frozenset[str]] = frozenset()


class NixExpr(Strict):
    """A Nix expression (an attribute path), e.g. `config.clusterHost`: `{ nix = ... }`, only in
    `[settings]`."""

    nix: Annotated[str, AfterValidator(nix_expression)]


class DollarNix(Strict):
    """A Nix expression (an attribute path), e.g. `{ "$nix" = "config.clusterHost" }`."""

    model_config = ConfigDict(populate_by_name=False)
    expr: Annotated[str, AfterValidator(nix_expression)] = Field(alias="$nix")


class Profiles(Strict, Generic[T]):
    """A value per profile: `local` (e.g. Colima) and `production` (e.g. Hetzner)."""

    local: T
    production: T


def _default(value: Any) -> Any:
    """A field default given as plain data (a DEFAULT_SETTINGS entry, `{}` for a section),
    validated into the field's type when a config is: nothing is built at import."""
    return Field(default=value, validate_default=True)


_KINDS: dict[str, Any] = {"bool": Union[bool, BoolString], "port": Union[Port, PortString],
                          "count": Replicas, "host": Host, "cidr4": Cidr4, "cidr6": Cidr6,
                          "cidr4s": Union[list[Cidr4], CidrString],
                          "abspath": AbsPath}  # fmt: skip  # noqa: UP007


def _cap(key: str) -> str:
    return key[0].upper() + key[1:]


@cache
def _split(kind: str, choices: tuple[str, ...], base: Any) -> Any:
    """Profiles of one kind of value, under a name a reader of the JSON Schema can follow."""
    name = "".join(_cap(c.replace("-", "")) for c in choices) if choices else _cap(kind)
    return create_model(f"{name}Profiles",
                        __base__=Profiles[Union[base, NixExpr, DollarNix]])  # noqa: UP007


def _setting_type(s: settings.Setting) -> Any:
    """A plain value of the setting's kind (in each form the default release's chart takes),
    a Nix expression, or a profile split of either."""
    base = Literal[s.choices] if s.kind == "enum" else _KINDS[s.kind]  # type: ignore[valid-type]
    return Union[base, NixExpr, DollarNix, _split(s.kind, s.choices, base)]  # noqa: UP007


def _section(prefix: tuple[str, ...]) -> type[Strict]:
    """The model of the settings under `prefix`, from nixgen.input.settings.SETTINGS; a leaf's
    default is the table's, shown in the JSON Schema (what it puts into the values is
    settings.defaults_over')."""
    fields: dict[str, Any] = {}
    for s in settings.SETTINGS:
        if s.keys[: len(prefix)] != prefix:
            continue
        key = s.keys[len(prefix)]
        if len(s.keys) == len(prefix) + 1:
            default = None if s.default is settings.UNSET else s.default
            fields[key] = (_setting_type(s), Field(default=default, validate_default=False))
        elif key not in fields:
            fields[key] = (_section((*prefix, key)), _default({}))
    name = "".join(_cap(k) for k in prefix) or "Settings"
    return create_model(name, __base__=Strict, **fields)


# The Helm values nixgen models, in the order the seed module writes them.
Settings = _section(())


PolicyKind = Literal["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "NetworkPolicy"]
NAMESPACED_POLICY = {"CiliumNetworkPolicy": True, "CiliumClusterwideNetworkPolicy": False,
                     "NetworkPolicy": True}  # fmt: skip


class PolicyObject(Strict):
    """A network policy object of the user's, deployed with Cilium."""

    kind: PolicyKind
    # Names, namespaces and labels follow the API server's rules (nixgen.checks.k8s).
    name: NonEmpty
    namespace: NonEmpty | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    spec: dict[str, Any]

    @model_validator(mode="after")
    def _scope(self) -> PolicyObject:
        if NAMESPACED_POLICY[self.kind] and self.namespace is None:
            raise ValueError(f"{self.kind} {self.name!r} is namespaced: give it a namespace")
        if not NAMESPACED_POLICY[self.kind] and self.namespace is not None:
            raise ValueError(f"{self.kind} {self.name!r} is cluster-wide: it takes no namespace")
        return self


class Policies(Strict):
    # The cluster-wide catch-all `ep-default`: ingress from the cluster and ingress entities,
    # egress to all (hetzkube's pattern, with enforcement mode `default`).
    defaultPolicy: bool = True
    # Let hubble-relay reach hubble-server (4244/TCP on the nodes) whenever relay is on.
    hubbleRelayPolicy: bool = True
    extra: list[PolicyObject] = Field(default_factory=list)


class BgpPeer(Strict):
    name: K8sName
    address: IP
    asn: ASN


class Bgp(Strict):
    """The BGP control plane's peering (Cilium's BGPv2 API): one cluster config, one peer
    config, one advertisement."""

    localASN: ASN
    peers: Annotated[list[BgpPeer], Field(min_length=1)]
    advertise: Annotated[list[Advertised], Field(min_length=1)] = Field(
        default_factory=lambda: ["PodCIDR", "LoadBalancerIP"]
    )
    # Which nodes peer (matchLabels); empty: every node.
    nodeSelector: dict[str, str] = Field(default_factory=dict)
    # Which Services' addresses are advertised (matchLabels); empty: every Service.
    serviceSelector: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_peers(self) -> Bgp:
        names = [p.name for p in self.peers]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"peer {name!r} is given twice")
        # Addresses compare as written back by the IP type (2001:db8::1, not 2001:DB8:0::1).
        seen: dict[str, str] = {}
        for peer in self.peers:
            first = seen.setdefault(peer.address, peer.name)
            if first != peer.name:
                raise ValueError(f"peers {first!r} and {peer.name!r} both have the address "
                                 f"{peer.address}: a BGP instance peers with an address once")
        return self


class ClientRateLimit(Strict):
    qps: Qps = 20
    burst: Qps = 40


class L2Announcements(Strict):
    """One CiliumL2AnnouncementPolicy: which interfaces answer ARP/NDP for which addresses."""

    # Regular expressions of interface names; empty: every interface.
    interfaces: list[Regex] = Field(default_factory=list)
    loadBalancerIPs: bool = True
    externalIPs: bool = False
    serviceSelector: dict[str, str] = Field(default_factory=dict)
    nodeSelector: dict[str, str] = Field(default_factory=dict)
    # The agents' Kubernetes client limit: every announced Service holds a lease the agent
    # renews, so Cilium's docs ask for more than the chart's default (10 qps, burst 20).
    k8sClientRateLimit: ClientRateLimit = _default({})


class Production(Strict):
    """Features that stay off locally and are opted into for production."""

    ipv6: bool = False
    # The bare switch; a [production.bgp] table turns it on and adds the peering objects.
    bgpControlPlane: bool = False
    bgp: Bgp | None = None
    hostFirewall: bool = False
    # `true` is the bare switch; a table adds the announcement policy.
    l2announcements: bool | L2Announcements = False
    # CiliumLoadBalancerIPPool objects: pool name → CIDRs.
    loadBalancerIPPools: dict[NonEmpty, Annotated[list[Cidr], Field(min_length=1)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _bgp_needs_the_switch(self) -> Production:
        if self.bgp is not None and "bgpControlPlane" in self.model_fields_set \
                and not self.bgpControlPlane:
            raise ValueError("bgp peers need the BGP control plane: drop bgpControlPlane = false")
        return self


class ObjectMeta(Strict):
    # Names (by kind), namespaces, labels and annotations follow the API server's rules
    # (nixgen.checks.k8s).
    name: NonEmpty
    namespace: NonEmpty | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class KubeObject(BaseModel):
    """Any Kubernetes object deployed with Cilium: apiVersion, kind, metadata, and the rest of
    its body (spec, data, ...) as given. A patch (`patch = true`) changes an object the chart
    renders: it carries no apiVersion, only what it changes."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    apiVersion: ApiVersion | None = None
    kind: Annotated[str, Field(pattern=r"^[A-Z][A-Za-z0-9]*$")]
    metadata: ObjectMeta
    profile: Literal["local", "production"] | None = None
    patch: bool = False

    @model_validator(mode="after")
    def _shape(self) -> KubeObject:
        if self.patch and self.apiVersion is not None:
            raise ValueError("a patch carries no apiVersion: it merges with the object the "
                             "chart renders, and changes only what it names")  # fmt: skip
        if not self.patch and self.apiVersion is None:
            raise ValueError(f"{self.kind} {self.metadata.name!r} needs an apiVersion "
                             "(or patch = true to change an object the chart renders)")  # fmt: skip
        return self


class Source(Strict):
    """Pins the Cilium tree for pure evaluation (flakes refuse an unlocked fetchTree);
    `nixgen lock` computes both."""

    rev: Rev | None = None
    narHash: NarHash | None = None

    @model_validator(mode="after")
    def _rev_with_hash(self) -> Source:
        if self.narHash is not None and self.rev is None:
            raise ValueError("narHash needs rev: it pins the tree of one commit")
        return self


class Config(Strict):
    """One module to generate: the config file's shape."""

    # nixgen's defaults where the user leaves a value open ("nixgen"), or only the chart's
    # ("chart": the module deploys what `helm install -f FILE` deploys).
    defaults: DefaultsMode = "nixgen"
    # Helm values files (YAML or JSON; a Flux HelmRelease or an Argo CD Application too),
    # relative to the config file, merged in order as Helm merges them, under everything else.
    valuesFiles: list[str] = Field(default_factory=list)

    flavor: Flavor = "hetzkube"
    ciliumVersion: SemVer = DEFAULT_VERSION
    # Which easykubenix the hetzkube flavour targets: the one hetzkube pins (f6ac33b8e09f, with
    # `kubernetes.namespacedMappings`), the current one (that option removed on 2026-01-31), or
    # the current one without hetzkube's own modules (no `gateway-api.*`, no `clusterHost`).
    easykubenix: EasyKubenix = "hetzkube-pin"
    # The gateway-api release to deploy, instead of the one Cilium's docs name for the minor.
    gatewayApiVersion: SemVer | None = None
    source: Source = _default({})
    settings: Settings = _default({})
    policies: Policies = _default({})
    production: Production = _default({})
    # Kubernetes objects of any kind deployed with Cilium, or patches of the chart's objects.
    objects: list[KubeObject] = Field(default_factory=list)
    # Free-form Helm values deep-merged over the generated ones (`values` table, `--set`).
    values: dict[str, Any] = Field(default_factory=dict)
    # Helm value paths the chart check lets through (with everything below them): for a key
    # the pinned chart reads in a way nixgen's chart facts miss. `--unchecked PATH` adds one.
    uncheckedValues: list[ValuePath] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    """The config file's JSON Schema, each setting described as the module's option is."""
    out = Config.model_json_schema()
    for s in settings.SETTINGS:
        section = "".join(_cap(k) for k in s.keys[:-1]) or "Settings"
        out["$defs"][section]["properties"][s.keys[-1]]["description"] = settings.describe(s)
    return out


# The names pydantic gives the branches of a union in an error's location: they are not keys
# of the user's config, so an error message leaves them out.
def _model_names(annotation: Any, seen: set[Any] | None = None) -> set[str]:
    """The names of the models in `annotation`, through unions, lists, dicts and Annotated,
    and of the models their fields hold."""
    from typing import get_args

    seen = set() if seen is None else seen
    if annotation in seen:
        return set()
    seen.add(annotation)
    names: set[str] = set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        names.add(annotation.__name__)
        for info in annotation.model_fields.values():
            names |= _model_names(info.annotation, seen)
    for arg in get_args(annotation):
        names |= _model_names(arg, seen)
    return names


MODEL_NAMES = frozenset(
    {name for name, value in dict(globals()).items()
     if isinstance(value, type) and issubclass(value, BaseModel)} | _model_names(Config)
)  # fmt: skip
