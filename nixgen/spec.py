"""What the user asks for: the typed, validated description of one Cilium deployment.

This is also the config file's schema (`nixgen schema`). The `settings` models use the Cilium
chart's own key names, so a settings model is a Helm values tree. A setting that may differ
between the local and the production profile takes either a plain value or
`{ local = ..., production = ... }`; a Nix expression is written explicitly as
`{ nix = "config.clusterHost" }`, never guessed from a string.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from nixgen import catalog
from nixgen.choices import DEFAULT_VERSION, EASYKUBENIX, FLAVORS
from nixgen.emit import Raw, split

T = TypeVar("T")

Flavor = Literal[FLAVORS]  # type: ignore[valid-type]

_DNS_NAME = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)
_K8S_NAME = re.compile(r"(?=.{1,253}\Z)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_NIX_SELECT = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*\Z")


def _host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if not _DNS_NAME.match(value):
        raise ValueError(f"{value!r} is neither an IP address nor a DNS name")
    return value


def _network(parse: Callable[..., Any], what: str) -> Callable[[str], str]:
    """A validator that accepts a CIDR (with no host bits set) that `parse` reads."""

    def check(value: str) -> str:
        try:
            return str(parse(value, strict=True))
        except ValueError as err:
            raise ValueError(f"{value!r} is not {what} ({err})") from None

    return check


_cidr4 = _network(ipaddress.IPv4Network, "an IPv4 CIDR")
_cidr = _network(ipaddress.ip_network, "a CIDR")


def _k8s_name(value: str) -> str:
    if not _K8S_NAME.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes object name (lower-case DNS subdomain)")
    return value


def _nix_expression(value: str) -> str:
    """Only attribute paths (`config.clusterHost`, `cfg.k8sServiceHost`): anything larger
    belongs in the user's own module, through `cilium.helmValues`."""
    if not _NIX_SELECT.match(value):
        raise ValueError(f"{value!r} is not a Nix attribute path such as config.clusterHost")
    return value


Host = Annotated[str, AfterValidator(_host)]
Cidr4 = Annotated[str, AfterValidator(_cidr4)]
Cidr = Annotated[str, AfterValidator(_cidr)]
K8sName = Annotated[str, AfterValidator(_k8s_name)]
Port = Annotated[int, Field(ge=1, le=65535)]
Replicas = Annotated[int, Field(ge=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    # Fields written into the Helm values only when the user set them (the chart's defaults
    # stand otherwise).
    omit_unless_set: ClassVar[frozenset[str]] = frozenset()


class NixExpr(Strict):
    """A Nix expression (an attribute path), e.g. `config.clusterHost`."""

    nix: Annotated[str, AfterValidator(_nix_expression)]


class Profiles(Strict, Generic[T]):
    """A value per profile: `local` (e.g. Colima) and `production` (e.g. Hetzner)."""

    local: T
    production: T


class IpamOperator(Strict):
    clusterPoolIPv4PodCIDRList: list[Cidr4] = Field(default_factory=lambda: ["10.42.0.0/16"])


class Ipam(Strict):
    omit_unless_set = frozenset({"operator"})
    mode: Literal["kubernetes", "cluster-pool"] = "kubernetes"
    operator: IpamOperator = IpamOperator()


class Bpf(Strict):
    masquerade: bool = True


class Toggle(Strict):
    enabled: bool = True


class ProfiledToggle(Strict):
    enabled: bool | Profiles[bool] = Profiles[bool](local=False, production=True)


class Hubble(Strict):
    enabled: bool | Profiles[bool] = True
    relay: ProfiledToggle = ProfiledToggle()
    ui: ProfiledToggle = ProfiledToggle()


class Operator(Strict):
    replicas: Replicas | Profiles[Replicas] = Profiles[Replicas](local=1, production=2)


class IngressController(Strict):
    enabled: bool | Profiles[bool] = False
    default: bool = False
    loadbalancerMode: Literal["shared", "dedicated"] = "dedicated"


class Encryption(Strict):
    enabled: bool = False
    type: Literal["wireguard", "ipsec"] = "wireguard"


class Settings(Strict):
    """The Helm values nixgen models, in the order the seed module writes them."""

    omit_unless_set = frozenset(
        {"ipv4NativeRoutingCIDR", "autoDirectNodeRoutes", "policyAuditMode",
         "ingressController", "encryption"}
    )  # fmt: skip

    kubeProxyReplacement: bool = True
    routingMode: Literal["tunnel", "native"] = "tunnel"
    # Written only with tunnel routing, unless set explicitly (then a warning with native).
    tunnelProtocol: Literal["geneve", "vxlan"] = "geneve"
    ipv4NativeRoutingCIDR: Cidr4 | None = None
    autoDirectNodeRoutes: bool = False
    ipam: Ipam = Ipam()
    bpf: Bpf = Bpf()
    k8sServiceHost: Host | NixExpr | Profiles[Host | NixExpr] = Profiles[Host | NixExpr](
        local="127.0.0.1", production=NixExpr(nix="cfg.k8sServiceHost")
    )
    k8sServicePort: Port = 6443
    policyEnforcementMode: Literal["default", "always", "never"] = "default"
    # Takes effect only after the Cilium pods restart.
    policyAuditMode: bool | Profiles[bool] = False
    gatewayAPI: Toggle = Toggle()
    ingressController: IngressController = IngressController()
    hubble: Hubble = Hubble()
    operator: Operator = Operator()
    encryption: Encryption = Encryption()
    rollOutCiliumPods: bool = True


PolicyKind = Literal["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "NetworkPolicy"]
NAMESPACED_POLICY = {"CiliumNetworkPolicy": True, "CiliumClusterwideNetworkPolicy": False,
                     "NetworkPolicy": True}  # fmt: skip


class PolicyObject(Strict):
    """A network policy object of the user's, deployed with Cilium."""

    kind: PolicyKind
    name: K8sName
    namespace: K8sName | None = None
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

    @field_validator("extra")
    @classmethod
    def _unique(cls, objects: list[PolicyObject]) -> list[PolicyObject]:
        seen: set[tuple[str, str | None, str]] = set()
        for obj in objects:
            key = (obj.kind, obj.namespace, obj.name)
            if key in seen:
                raise ValueError(f"{obj.kind} {obj.name!r} is given twice")
            seen.add(key)
        return objects


class Production(Strict):
    """Features that stay off locally and are opted into for production."""

    ipv6: bool = False
    bgpControlPlane: bool = False
    hostFirewall: bool = False
    l2announcements: bool = False
    # CiliumLoadBalancerIPPool objects: pool name → CIDRs.
    loadBalancerIPPools: dict[K8sName, Annotated[list[Cidr], Field(min_length=1)]] = Field(
        default_factory=dict
    )


Rev = Annotated[str, Field(pattern=r"^[0-9a-f]{40}$")]
NarHash = Annotated[str, Field(pattern=r"^sha256-[A-Za-z0-9+/]{43}=$")]
SemVer = Annotated[str, Field(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")]

# Which easykubenix the hetzkube flavour targets: the one hetzkube pins (f6ac33b8e09f, with
# `kubernetes.namespacedMappings`), the current one (that option removed on 2026-01-31), or the
# current one without hetzkube's own modules (no `gateway-api.*`, no `clusterHost`).
EasyKubenix = Literal[EASYKUBENIX]  # type: ignore[valid-type]


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


class Spec(Strict):
    """One module to generate: the config file's shape."""

    flavor: Flavor = "hetzkube"
    ciliumVersion: str = DEFAULT_VERSION
    easykubenix: EasyKubenix = "hetzkube-pin"
    # The gateway-api release to deploy, instead of the one Cilium's docs name for the minor.
    gatewayApiVersion: SemVer | None = None
    source: Source = Source()
    settings: Settings = Settings()
    policies: Policies = Policies()
    production: Production = Production()
    # Free-form Helm values deep-merged over the generated ones (`values` table, `--set`).
    values: dict[str, Any] = Field(default_factory=dict)

    @field_validator("ciliumVersion")
    @classmethod
    def _known_version(cls, v: str) -> str:
        catalog.load().release_for(v)  # raises UnknownVersion with the reason
        return v

    def settings_values(self) -> dict[str, Any]:
        """The Helm values the typed settings give (before production features and `values`)."""
        s = self.settings
        tree = settings_tree(s)
        if s.routingMode == "native" and "tunnelProtocol" not in s.model_fields_set:
            del tree["tunnelProtocol"]  # meaningless without tunnels
        if s.ipam.mode == "cluster-pool" and "operator" not in tree["ipam"]:
            tree["ipam"]["operator"] = settings_tree(s.ipam.operator)
        return tree

    def header_data(self) -> dict[str, Any]:
        """What the user set, flavour and version always: the spec a header records."""
        data = self.model_dump(mode="json", exclude_unset=True)
        data = {"flavor": self.flavor, "ciliumVersion": self.ciliumVersion, **data}
        if not data.get("values"):
            data.pop("values", None)
        return data


def settings_tree(model: Any) -> Any:
    """A settings model as a values tree: Profiles → Split, NixExpr → Raw; None and the
    fields a model writes only when set are left out unless the user set them."""
    if isinstance(model, Profiles):
        return split(settings_tree(model.local), settings_tree(model.production))
    if isinstance(model, NixExpr):
        return Raw(model.nix)
    if isinstance(model, BaseModel):
        out = {}
        for name in type(model).model_fields:
            value = getattr(model, name)
            if value is None:
                continue
            if name in model.omit_unless_set and name not in model.model_fields_set:
                continue
            out[name] = settings_tree(value)
        return out
    return model
