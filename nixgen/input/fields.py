"""The values a config's fields take, as the pydantic models of nixgen.input.models use them:
constrained strings and numbers (hosts, CIDRs, names, ports, ASNs, regular expressions,
apiVersions, a Cilium tree's pin), each with the validator that says what is wrong with a value.
Imported with the models, only when there is user input to validate.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from nixgen import nixatoms
from nixgen.facts.prefetch import NAR_HASH_PATTERN, REV_PATTERN
from nixgen.facts.valuepath import split_dotted
from nixgen.input import settings
from nixgen.input.choices import EASYKUBENIX, FLAVORS

Flavor = Literal[FLAVORS]  # type: ignore[valid-type]
EasyKubenix = Literal[EASYKUBENIX]  # type: ignore[valid-type]

_DNS_NAME = re.compile(
    r"(?=.{1,253}\Z)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)
_K8S_NAME = re.compile(r"(?=.{1,253}\Z)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")


def _host(value: str) -> str:
    problem = settings.host_problem(value)
    if problem is not None:
        raise settings.ValueProblem(problem)
    return value


def _network(parse: Callable[..., Any], what: str) -> Callable[[str], str]:
    """A validator that accepts a CIDR (with no host bits set) that `parse` reads."""

    def check(value: str) -> str:
        try:
            return str(parse(value, strict=True))
        except ValueError as err:
            raise settings.ValueProblem(f"not {what} ({err})") from None

    return check


def _k8s_name(value: str) -> str:
    if not _K8S_NAME.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes object name (lower-case DNS subdomain)")
    return value


def _value_path(value: str) -> str:
    try:
        split_dotted(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a dotted Helm value path such as "
                         'nodeSelector."kubernetes.io/os"') from None  # fmt: skip
    return value


def nix_expression(value: str) -> str:
    """Only attribute paths from the module's arguments (`config.clusterHost`,
    `pkgs.hello.version`): anything larger belongs in the user's own module, through
    `cilium.helmValues`."""
    problem = nixatoms.user_expression_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _port_string(value: str) -> str:
    problem = settings.check_value(settings.BY_PATH[("k8sServicePort",)], value)
    if problem is not None:
        raise settings.ValueProblem(problem)
    return value


def _cidr_string(value: str) -> str:
    problem = settings.check_value(settings.BY_PATH[("ipam", "operator",
                                                     "clusterPoolIPv4PodCIDRList")], value)
    if problem is not None:
        raise settings.ValueProblem(problem)
    return value


Host = Annotated[str, AfterValidator(_host)]
Cidr4 = Annotated[str, AfterValidator(_network(ipaddress.IPv4Network, "an IPv4 CIDR"))]
Cidr6 = Annotated[str, AfterValidator(_network(ipaddress.IPv6Network, "an IPv6 CIDR"))]
Cidr = Annotated[str, AfterValidator(_network(ipaddress.ip_network, "a CIDR"))]
K8sName = Annotated[str, AfterValidator(_k8s_name)]
ValuePath = Annotated[str, AfterValidator(_value_path)]
NonEmpty = Annotated[str, Field(min_length=1)]
Port = Annotated[int, Field(ge=1, le=65535)]
Replicas = Annotated[int, Field(ge=0)]


AbsPath = Annotated[str, Field(pattern="^/")]
BoolString = Literal["true", "false"]
PortString = Annotated[str, AfterValidator(_port_string)]
CidrString = Annotated[str, AfterValidator(_cidr_string)]


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address") from None


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"{value!r} is not a regular expression ({err})") from None
    return value


IP = Annotated[str, AfterValidator(_ip)]
Regex = Annotated[str, AfterValidator(_regex)]
ASN = Annotated[int, Field(ge=1, le=4294967295)]
Qps = Annotated[int, Field(ge=1)]
# What a BGP advertisement may carry: the nodes' pod CIDRs, or addresses of Services.
Advertised = Literal["PodCIDR", "LoadBalancerIP", "ExternalIP", "ClusterIP"]


_API_VERSION = re.compile(r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+((alpha|beta)[0-9]+)?\Z")


def _api_version(value: str) -> str:
    if not _API_VERSION.match(value):
        raise ValueError(f"{value!r} is not an apiVersion such as v1 or cilium.io/v2")
    return value


ApiVersion = Annotated[str, AfterValidator(_api_version)]


Rev = Annotated[str, Field(pattern=f"^{REV_PATTERN}$")]
NarHash = Annotated[str, Field(pattern=f"^{NAR_HASH_PATTERN}$")]
SemVer = Annotated[str, Field(pattern=r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")]
DefaultsMode = Literal["nixgen", "chart"]
