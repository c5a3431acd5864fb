"""What the Kubernetes API server refuses in any object's metadata, checked for every object
nixgen writes (the user's policies and `[[objects]]`, patches included; load-balancer pools;
the BGP and L2 objects' selectors), each problem one line naming the config key:

- names, by kind (NAME_RULES below);
- namespaces: DNS-1123 labels;
- label keys (an optional DNS-subdomain prefix of at most 253 characters and `/`, then a name
  of at most 63 of [A-Za-z0-9._-], starting and ending with a letter or digit) and values (at
  most 63 of the same, or empty), in metadata and in the label selectors nixgen writes;
- annotation keys (as label keys; the API server lower-cases a key before it checks it) and the
  annotations' total size, at most 256 KiB (keys and values, in bytes).

The rules are apimachinery's (k8s.io/apimachinery/pkg/util/validation: IsDNS1123Subdomain,
IsDNS1123Label, IsDNS1035Label, IsQualifiedName, IsValidLabelValue;
pkg/api/validation/path: IsValidPathSegmentName; pkg/api/validation/objectmeta.go:
TotalAnnotationSizeLimitB), as Kubernetes 1.33 applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from nixgen.errors import NixgenError
from nixgen.tree import shown

SUBDOMAIN = "subdomain"
LABEL = "label"
LABEL_1035 = "label-1035"
PATH_SEGMENT = "path-segment"

# How the API server validates a kind's metadata.name. Sources (Kubernetes 1.33):
# - pkg/apis/core/validation/validation.go: Namespace ValidateNamespaceName (DNS-1123 label);
#   Service ValidateServiceName = NameIsDNS1035Label (1.34 relaxes it behind the
#   RelaxedServiceNameValidation gate, off by default); ConfigMap, Secret, ServiceAccount, Pod,
#   Node, Endpoints, LimitRange, ResourceQuota, PersistentVolume(Claim),
#   ReplicationController: NameIsDNSSubdomain.
# - pkg/apis/rbac/validation/validation.go: Role, ClusterRole, RoleBinding,
#   ClusterRoleBinding: minimalNameRequirements = path.IsValidPathSegmentName.
# - pkg/apis/apps, batch, networking, policy, storage, scheduling, discovery, coordination,
#   autoscaling validation: NameIsDNSSubdomain (Deployment, DaemonSet, StatefulSet, ReplicaSet,
#   Job, CronJob, Ingress, IngressClass, NetworkPolicy, PodDisruptionBudget, StorageClass,
#   PriorityClass, EndpointSlice, Lease, HorizontalPodAutoscaler, ...).
# - a custom resource (every CRD kind: Cilium's, Gateway API's, any other):
#   apiextensions-apiserver validates its name with NameIsDNSSubdomain.
# Any kind not named here is held to a DNS subdomain, the rule of most kinds and of every CRD.
NAME_RULES: dict[str, str] = {
    "Namespace": LABEL,
    "Service": LABEL_1035,
    "Role": PATH_SEGMENT,
    "ClusterRole": PATH_SEGMENT,
    "RoleBinding": PATH_SEGMENT,
    "ClusterRoleBinding": PATH_SEGMENT,
}
# Kinds whose names the API server holds shorter than their rule: a CronJob's name, with the
# 11 characters its Jobs append, must stay a DNS label (batch validation: at most 52); a Job's
# name is also the value of its pods' job-name label (at most 63).
MAX_NAME: dict[str, int] = {"CronJob": 52, "Job": 63}

_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_LABEL_1035_RE = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?\Z")
_SUBDOMAIN_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_QUALIFIED_NAME_RE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_LABEL_VALUE_RE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")
TOTAL_ANNOTATIONS = 256 * 1024

_SAYS = {
    SUBDOMAIN: "a DNS subdomain: at most 253 characters of lower-case letters, digits, '-' and "
               "'.', starting and ending with a letter or digit",
    LABEL: "a DNS label: at most 63 characters of lower-case letters, digits and '-', starting "
           "and ending with a letter or digit",
    LABEL_1035: "a DNS label starting with a letter (RFC 1035): at most 63 characters of "
                "lower-case letters, digits and '-', ending with a letter or digit",
    PATH_SEGMENT: "a path segment: not '.' or '..', and without '/' or '%'",
}  # fmt: skip


class K8sError(NixgenError):
    """Object metadata the Kubernetes API server would refuse."""


def _fits(rule: str, text: str) -> bool:
    if rule == SUBDOMAIN:
        return len(text) <= 253 and bool(_SUBDOMAIN_RE.match(text))
    if rule == LABEL:
        return len(text) <= 63 and bool(_LABEL_RE.match(text))
    if rule == LABEL_1035:
        return len(text) <= 63 and bool(_LABEL_1035_RE.match(text))
    return text not in ("", ".", "..") and "/" not in text and "%" not in text


def name_problem(kind: str, name: str) -> str | None:
    """Why the API server refuses `name` for an object of `kind`, or None."""
    rule = NAME_RULES.get(kind, SUBDOMAIN)
    if not isinstance(name, str) or not _fits(rule, name):
        return f"{shown(name)} is not a valid {kind} name: {_SAYS[rule]}"
    limit = MAX_NAME.get(kind)
    if limit is not None and len(name) > limit:
        return (f"{shown(name)} is not a valid {kind} name: at most {limit} characters "
                f"(it has {len(name)})")  # fmt: skip
    return None


def namespace_problem(namespace: str) -> str | None:
    if not isinstance(namespace, str) or not _fits(LABEL, namespace):
        return f"{shown(namespace)} is not a valid namespace: {_SAYS[LABEL]}"
    return None


def _key_problem(key: str, what: str, lower: bool = False) -> str | None:
    """A label or annotation key: [prefix/]name (IsQualifiedName), judged lower-cased when
    `lower` (as the API server judges annotation keys)."""
    if not isinstance(key, str):
        return f"{shown(key)} is not a valid {what} key"
    prefix, slash, name = (key.lower() if lower else key).rpartition("/")
    if slash and not prefix:
        return f"{shown(key)} is not a valid {what} key: the prefix before '/' is empty"
    if slash and not (len(prefix) <= 253 and _SUBDOMAIN_RE.match(prefix)):
        return (f"{shown(key)} is not a valid {what} key: the prefix before '/' must be "
                f"{_SAYS[SUBDOMAIN]}")  # fmt: skip
    if not (0 < len(name) <= 63 and _QUALIFIED_NAME_RE.match(name)):
        return (f"{shown(key)} is not a valid {what} key: the name{' after the prefix' if slash else ''}"
                " must be at most 63 characters of letters, digits, '-', '_' and '.', starting "
                "and ending with a letter or digit")  # fmt: skip
    return None


def label_key_problem(key: str) -> str | None:
    return _key_problem(key, "label")


def label_value_problem(value: str) -> str | None:
    if not isinstance(value, str) or not (len(value) <= 63 and _LABEL_VALUE_RE.match(value)):
        return (f"{shown(value)} is not a valid label value: at most 63 characters of letters, "
                "digits, '-', '_' and '.', starting and ending with a letter or digit (or empty)")
    return None


def labels_problem(labels: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key, why) for the first label the API server refuses, or None."""
    for key, value in labels.items():
        why = label_key_problem(key) or label_value_problem(value)
        if why:
            return key, why
    return None


def annotations_problem(annotations: Mapping[str, Any]) -> tuple[str | None, str] | None:
    """(key, why) for the first annotation key the API server refuses, (None, why) when all
    of them are too large together, or None."""
    total = 0
    for key, value in annotations.items():
        why = _key_problem(key, "annotation", lower=True)
        if why:
            return key, why
        total += len(key.encode("utf-8", "surrogatepass")) + len(
            str(value).encode("utf-8", "surrogatepass"))
    if total > TOTAL_ANNOTATIONS:
        return None, (f"the annotations take {total} bytes; Kubernetes allows at most "
                      f"{TOTAL_ANNOTATIONS} (256 KiB) in all")  # fmt: skip
    return None


def _at(path: str, key: str) -> str:
    """`path.key`, with a key that is not a plain word quoted."""
    plain = key.replace("-", "").replace("_", "").isalnum()
    return f"{path}.{key}" if plain else f'{path}."{key}"'


def check(spec: Any) -> None:
    """K8sError for the first object metadata of `spec` (a nixgen.input.spec.Spec) the API
    server would refuse, naming its config key."""
    for where, problem in problems(spec):
        raise K8sError(f"{where}: {problem}")


def problems(spec: Any) -> Iterable[tuple[str, str]]:
    for i, p in enumerate(spec.policies):
        at = f"policies.extra[{i}]"
        yield from _named(f"{at}.name", p.kind, p.name)
        if p.namespace is not None:
            yield from _namespace(f"{at}.namespace", p.namespace)
        yield from _labels(f"{at}.labels", p.labels)
    for i, o in enumerate(spec.objects):
        at = f"objects[{i}].metadata"
        yield from _named(f"{at}.name", o.kind, o.name)
        if o.namespace is not None:
            yield from _namespace(f"{at}.namespace", o.namespace)
        yield from _labels(f"{at}.labels", o.labels)
        found = annotations_problem(o.annotations)
        if found is not None:
            key, why = found
            yield (f"{at}.annotations" if key is None else _at(f"{at}.annotations", key)), why
    for name in spec.loadBalancerIPPools:
        yield from _named(_at("production.loadBalancerIPPools", name), "CiliumLoadBalancerIPPool",
                          name)  # fmt: skip
    if spec.bgp is not None:
        yield from _labels("production.bgp.nodeSelector", spec.bgp.nodeSelector)
        yield from _labels("production.bgp.serviceSelector", spec.bgp.serviceSelector)
    if spec.l2Policy is not None:
        yield from _labels("production.l2announcements.nodeSelector", spec.l2Policy.nodeSelector)
        yield from _labels("production.l2announcements.serviceSelector",
                           spec.l2Policy.serviceSelector)  # fmt: skip


def _named(where: str, kind: str, name: str) -> Iterable[tuple[str, str]]:
    why = name_problem(kind, name)
    if why:
        yield where, why


def _namespace(where: str, namespace: str) -> Iterable[tuple[str, str]]:
    why = namespace_problem(namespace)
    if why:
        yield where, why


def _labels(where: str, labels: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    found = labels_problem(labels)
    if found:
        key, why = found
        yield _at(where, key), why
