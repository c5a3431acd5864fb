"""What the user asks for: the typed, validated description of one Cilium deployment.

The settings models use the Cilium chart's own key names, so a dumped settings model is a Helm
values tree. A setting that may differ between the local and the production profile takes either
a plain value or `{ local = ...; production = ... }`; a Nix expression is written explicitly as
`{ nix = "config.clusterHost" }`, never guessed from a string.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nixgen import catalog
from nixgen.choices import DEFAULT_VERSION, FLAVORS

T = TypeVar("T")

Flavor = Literal[FLAVORS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class NixExpr(Strict):
    """A raw Nix expression, e.g. `config.clusterHost`."""

    nix: Annotated[str, Field(min_length=1)]


class Profiles(Strict, Generic[T]):
    """A value per profile: `local` (e.g. Colima) and `production` (e.g. Hetzner)."""

    local: T
    production: T


class Ipam(Strict):
    mode: Literal["kubernetes", "cluster-pool"] = "kubernetes"


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


Replicas = Annotated[int, Field(ge=0)]


class Operator(Strict):
    replicas: Replicas | Profiles[Replicas] = Profiles[Replicas](local=1, production=2)


Host = Annotated[str, Field(min_length=1)] | NixExpr


class Settings(Strict):
    """The Helm values nixgen models, in the order the seed module writes them."""

    kubeProxyReplacement: bool = True
    routingMode: Literal["tunnel", "native"] = "tunnel"
    tunnelProtocol: Literal["geneve", "vxlan"] = "geneve"
    ipam: Ipam = Ipam()
    bpf: Bpf = Bpf()
    k8sServiceHost: Host | Profiles[Host] = Profiles[Host](
        local="127.0.0.1", production=NixExpr(nix="cfg.k8sServiceHost")
    )
    k8sServicePort: Annotated[int, Field(ge=1, le=65535)] = 6443
    gatewayAPI: Toggle = Toggle()
    hubble: Hubble = Hubble()
    operator: Operator = Operator()
    rollOutCiliumPods: bool = True


class Spec(Strict):
    """One module to generate."""

    flavor: Flavor = "hetzkube"
    ciliumVersion: str = DEFAULT_VERSION
    settings: Settings = Settings()
    # Free-form Helm values deep-merged over the generated ones (`--set`).
    values: dict[str, Any] = Field(default_factory=dict)

    @field_validator("ciliumVersion")
    @classmethod
    def _known_version(cls, v: str) -> str:
        catalog.load().release_for(v)  # raises UnknownVersion with the reason
        return v
