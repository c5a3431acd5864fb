"""Cross-field rules: combinations the Cilium chart refuses to render, or renders and the agent
then refuses at run time (or silently ignores). They judge the final Helm values of each
profile, whichever way a setting arrived: typed setting, `values` table, `--set`, or (in the
generated module) `cilium.settings` and `cilium.helmValues`.

The rules are data, `RULES`: the same table is judged in Python before anything is
written (nixgen.checks.verdicts), and becomes Nix code in every module (nixgen.nix.rules),
judged there on the values Nix computes. A rule that reads a Nix expression is undecided in
Python (nixgen.checks.lang): it is no error, and the module judges it. A rule's condition is
written in the language of nixgen.checks.lang; its defaults are the chart's own in every release
nixgen knows (a test holds them to the chart data), or the agent's where the chart leaves a
value null. A message may show one value, `{value}`, as JSON. `since`/`until` name the Cilium
minors a rule applies to.

A few checks need more than this language (CIDR arithmetic): they are Python only
(nixgen.checks.extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from nixgen.checks.lang import (
    all_,
    any_,
    is_,
    match,
    named,
    needs,
    not_,
    older,
    on,
    outside,
    size,
    truthy,
    within,
)


@dataclass(frozen=True)
class Rule:
    id: str
    when: list[Any]
    message: str
    show: str | None = None  # the path whose value `{value}` in the message shows
    since: str | None = None  # first Cilium minor the rule applies to
    until: str | None = None  # last Cilium minor the rule applies to


KPR = named("kubeProxyReplacement", "Whether Cilium replaces kube-proxy (true or \"true\"; off unless set).",
            on("kubeProxyReplacement", "false"))
REFUSES = "(the chart refuses it otherwise)"


def _needs_kpr(path: str) -> Rule:
    return Rule(f"{path}-needs-kpr", all_(not_(KPR), on(path, False)),
                f"{path} needs kubeProxyReplacement = true")  # fmt: skip


HUBBLE_CERTS_BY_HAND = named(
    "hubbleCertsByHand", "Whether Hubble's TLS certificates are values to give (not generated).",
    all_(on("hubble.enabled", True), on("hubble.tls.enabled", True),
         not_(on("hubble.tls.auto.enabled", True))))


def _hubble_cert(part: str, gate: list[list[Any]], prefix: str,
                 tls: list[Any] | None = None) -> list[Rule]:
    """`required` cert and key of a Hubble TLS component whose certificates are not generated
    (`tls`: what turns its TLS on, hubble.tls.enabled unless said)."""
    on_by_hand = (HUBBLE_CERTS_BY_HAND if tls is None else
                  all_(on("hubble.enabled", True), tls, not_(on("hubble.tls.auto.enabled", True))))
    base = all_(on_by_hand, *gate, not_(truthy(f"{prefix}.existingSecret", "")))  # fmt: skip
    return [
        Rule(f"hubble-{part}-cert", all_(base, not_(truthy(f"{prefix}.cert", ""))),
             f"{prefix}.cert is required: hubble.tls.auto.enabled is off and no secret is "
             f"given in {prefix}.existingSecret {REFUSES}"),
        Rule(f"hubble-{part}-key",
             all_(base, truthy(f"{prefix}.cert", ""), not_(truthy(f"{prefix}.key", ""))),
             f"{prefix}.key is required beside {prefix}.cert {REFUSES}"),
    ]  # fmt: skip


CM = "clustermesh.apiserver"
USE_APISERVER = named("clustermeshAPIServer", "Whether the clustermesh-apiserver is deployed.",
                      on("clustermesh.useAPIServer", False))
KVSTORE_EXTERNAL = named("externalKvstore", "Whether kvstoremesh uses an external etcd.",
                         is_(f"{CM}.kvstoremesh.kvstoreMode", ["external"], "internal"))
OWN_KVSTORE = named("clustermeshOwnKvstore",
                    "Whether the clustermesh-apiserver runs with its own etcd (kvstoreMode internal).",
                    all_(USE_APISERVER, is_(f"{CM}.kvstoremesh.kvstoreMode", ["internal"], "internal")))
CLUSTERMESH_CERTS_BY_HAND = named(
    "clustermeshCertsByHand",
    "Whether the clustermesh-apiserver's certificates are values to give (not generated).",
    all_(not_(on(f"{CM}.tls.auto.enabled", True)), on(f"{CM}.tls.enableSecrets", True)))
CRD_IDENTITIES = ["crd", "doublewrite-readkvstore", "doublewrite-readcrd"]


def _clustermesh_cert(part: str, gate: list[Any], since: str | None = None,
                      until: str | None = None) -> list[Rule]:
    """`required` cert and key of a clustermesh-apiserver certificate given as values."""
    prefix = f"{CM}.tls.{part}"
    base = all_(gate, CLUSTERMESH_CERTS_BY_HAND)
    return [
        Rule(f"clustermesh-tls-{part}-cert", all_(base, not_(truthy(f"{prefix}.cert", ""))),
             f"{prefix}.cert is required: {CM}.tls.auto.enabled is off {REFUSES}",
             since=since, until=until),
        Rule(f"clustermesh-tls-{part}-key",
             all_(base, truthy(f"{prefix}.cert", ""), not_(truthy(f"{prefix}.key", ""))),
             f"{prefix}.key is required beside {prefix}.cert {REFUSES}", since=since, until=until),
    ]  # fmt: skip


def _native_cidr_from_pool(family: str) -> Rule:
    pool = f"ipam.operator.clusterPoolIPv{family}PodCIDRList"
    return Rule(
        f"native-cidr-from-pool-v{family}",
        all_(is_("ipam.mode", ["cluster-pool"], "cluster-pool"),
             on(f"ipv{family}.enabled", family == "4"),
             on("nativeRoutingCIDRFromClusterPool", False),
             not_(truthy(f"ipv{family}NativeRoutingCIDR", "")),
             not_(size(pool, 1, ["10.0.0.0/8"] if family == "4" else ["fd00::/104"]))),
        f"nativeRoutingCIDRFromClusterPool needs exactly one CIDR in {pool}; else set "
        f"ipv{family}NativeRoutingCIDR {REFUSES}", since="1.20")  # fmt: skip


def _native_cidr(family: str) -> Rule:
    v4 = family == "4"
    conditions = [is_("routingMode", ["native"], ""), on(f"ipv{family}.enabled", v4),
                  on(f"enableIPv{family}Masquerade", True), not_(on("ipMasqAgent.enabled", False))]
    if v4:  # the agent routes these IPAM modes' pod addresses itself
        conditions.append(not_(is_("ipam.mode", ["eni", "alibabacloud"], "cluster-pool")))
    conditions.append(not_(truthy(f"ipv{family}NativeRoutingCIDR", "")))  # what it needs, last
    return Rule(
        f"ipv{family}-native-routing-cidr",
        all_(*conditions),
        f"routingMode = native with IPv{family} masquerading (enableIPv{family}Masquerade, on "
        f"by default) needs ipv{family}NativeRoutingCIDR: the "
        + ("agent refuses to start without it" if v4 else "chart (from 1.18) and the agent "
           "refuse it otherwise"),
    )  # fmt: skip


# Where the chart makes a ServiceMonitor, and whether its metrics are on by default.
SERVICE_MONITORS = (("prometheus", False), ("operator.prometheus", True),
                    ("envoy.prometheus", True), ("hubble.relay.prometheus", False))  # fmt: skip

RULES: tuple[Rule, ...] = (
    _native_cidr("4"),
    _native_cidr("6"),
    Rule("auto-direct-routes-need-native",
         all_(on("autoDirectNodeRoutes", False), is_("routingMode", ["tunnel", ""], "")),
         "autoDirectNodeRoutes needs routingMode = native: with tunnel routing it is fatal for "
         "the agent"),
    *(_needs_kpr(p) for p in ("bpf.masquerade", "gatewayAPI.enabled", "ingressController.enabled",
                              "l2announcements.enabled")),
    *(Rule(f"kpr-needs-{p}", all_(KPR, not_(truthy(p, ""))),
           f"kubeProxyReplacement needs {p} (in Nix: cilium.settings.{p}): without kube-proxy "
           "the agents reach the API server only through it") for p in ("k8sServiceHost",
                                                                         "k8sServicePort")),
    Rule("kpr-invalid",
         not_(is_("kubeProxyReplacement", [True, False, "true", "false"], "false")),
         f"kubeProxyReplacement {{value}} must be true or false {REFUSES}",
         show="kubeProxyReplacement"),
    Rule("hubble-ui-needs-relay",
         all_(on("hubble.ui.enabled", False), not_(on("hubble.ui.standalone.enabled", False)),
              not_(on("hubble.relay.enabled", False))),
         f"hubble.ui.enabled needs hubble.relay.enabled {REFUSES}"),
    Rule("hubble-relay-needs-hubble",
         all_(on("hubble.relay.enabled", False), not_(on("hubble.enabled", True))),
         f"hubble.relay.enabled needs hubble.enabled {REFUSES}"),
    Rule("cluster-pool-needs-a-cidr",
         all_(is_("ipam.mode", ["cluster-pool"], "cluster-pool"), on("ipv4.enabled", True),
              not_(truthy("ipam.operator.clusterPoolIPv4PodCIDRList", ["10.0.0.0/8"]))),
         "ipam.mode = cluster-pool needs at least one pod CIDR in "
         "ipam.operator.clusterPoolIPv4PodCIDRList"),
    Rule("ipsec-with-host-firewall",
         all_(on("encryption.enabled", False), is_("encryption.type", ["ipsec"], "ipsec"),
              on("hostFirewall.enabled", False)),
         "encryption.type = ipsec cannot be combined with hostFirewall.enabled"),
    Rule("no-ip-family", all_(not_(on("ipv4.enabled", True)), not_(on("ipv6.enabled", False))),
         "ipv4.enabled and ipv6.enabled are both off: at least one must be on"),
    Rule("cluster-name",
         not_(match("cluster.name", "[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?", "default")),
         "cluster.name {value} must be at most 32 characters of a-z, 0-9 and '-', starting and "
         "ending with a letter or digit", show="cluster.name"),
    Rule("cluster-name-default-with-id",
         all_(is_("cluster.name", ["default"], "default"), truthy("cluster.id", 0)),
         "cluster.id is set but cluster.name is still \"default\": name the cluster"),
    Rule("l7proxy-for-ingress-gateway",
         all_(any_(on("ingressController.enabled", False), on("gatewayAPI.enabled", False),
                   is_("loadBalancer.l7.backend", ["envoy"], "disabled")),
              not_(on("l7Proxy", True))),
         f"the ingress controller, Gateway API and Envoy L7 load balancing need l7Proxy = true "
         f"{REFUSES}"),
    Rule("ingress-external-traffic-policy",
         all_(on("ingressController.enabled", False),
              is_("ingressController.service.type", ["LoadBalancer", "NodePort"], "LoadBalancer"),
              not_(is_("ingressController.service.externalTrafficPolicy", ["Cluster", "Local"],
                       "Cluster"))),
         "ingressController.service.externalTrafficPolicy {value} must be \"Cluster\" or "
         f"\"Local\" {REFUSES}", show="ingressController.service.externalTrafficPolicy"),
    Rule("gateway-external-traffic-policy",
         all_(on("gatewayAPI.enabled", False),
              not_(is_("gatewayAPI.externalTrafficPolicy", ["Cluster", "Local"], "Cluster"))),
         f"gatewayAPI.externalTrafficPolicy {{value}} must be \"Cluster\" or \"Local\" {REFUSES}",
         show="gatewayAPI.externalTrafficPolicy"),
    Rule("k8s-service-host-and-ref",
         all_(truthy("k8sServiceHostRef.name", ""), truthy("k8sServiceHostRef.key", ""),
              truthy("k8sServiceHost", "")),
         f"set k8sServiceHost or k8sServiceHostRef, not both {REFUSES}", since="1.18"),
    Rule("k8s-service-host-auto", is_("k8sServiceHost", ["auto"], ""),
         "k8sServiceHost = \"auto\" makes the chart look the API server up in the cluster, which "
         "an offline render (as the frameworks do) cannot: give the address", since="1.19"),
    Rule("service-monitor-crds",
         all_(any_(*(all_(on(f"{p}.enabled", enabled), on(f"{p}.serviceMonitor.enabled", False))
                     for p, enabled in SERVICE_MONITORS)),
              not_(on("prometheus.serviceMonitor.trustCRDsExist", False))),
         "a ServiceMonitor (*.prometheus.serviceMonitor.enabled) needs the monitoring.coreos.com/v1 "
         "CRDs, which an offline render cannot see: set "
         "prometheus.serviceMonitor.trustCRDsExist = true once they are installed"),
    *_hubble_cert("tls-server", [], "hubble.tls.server"),
    *_hubble_cert("relay-client", [on("hubble.relay.enabled", False)], "hubble.relay.tls.client"),
    Rule("hubble-certmanager-issuer",
         all_(on("hubble.enabled", True), on("hubble.tls.enabled", True),
              on("hubble.tls.auto.enabled", True),
              is_("hubble.tls.auto.method", ["certmanager"], "helm"),
              not_(truthy("hubble.tls.auto.certManagerIssuerRef", {}))),
         "hubble.tls.auto.method = certmanager needs hubble.tls.auto.certManagerIssuerRef "
         f"{REFUSES}"),
    Rule("hubble-ui-standalone-tls",
         all_(on("hubble.ui.enabled", False), on("hubble.ui.standalone.enabled", False),
              on("hubble.relay.tls.server.enabled", False),
              not_(truthy("hubble.ui.standalone.tls.certsVolume", {}))),
         "hubble.ui.standalone with hubble.relay.tls.server.enabled needs "
         f"hubble.ui.standalone.tls.certsVolume {REFUSES}"),
    Rule("hubble-redact-headers",
         all_(truthy("hubble.redact.http.headers.allow", []),
              truthy("hubble.redact.http.headers.deny", [])),
         "hubble.redact.http.headers: give allow or deny, not both " + REFUSES),
    Rule("node-taints",
         all_(on("operator.setNodeTaints", False), not_(on("operator.removeNodeTaints", True))),
         f"operator.setNodeTaints needs operator.removeNodeTaints = true {REFUSES}"),
    # authentication.enabled is on by default up to 1.18, off from 1.19.
    *(Rule("spire-needs-auth",
           all_(on("authentication.mutual.spire.enabled", False),
                not_(on("authentication.enabled", default))),
           f"authentication.mutual.spire.enabled needs authentication.enabled {REFUSES}",
           since=since, until=until)
      for default, since, until in ((True, None, "1.18"), (False, "1.19", None))),
    Rule("ces-needs-endpoint-crd",
         all_(on("ciliumEndpointSlice.enabled", False), on("disableEndpointCRD", False)),
         f"ciliumEndpointSlice.enabled needs disableEndpointCRD = false {REFUSES}"),
    Rule("tproxy-netkit",
         all_(on("bpf.tproxy", False), is_("bpf.datapathMode", ["netkit", "netkit-l2"], "veth")),
         f"bpf.tproxy cannot be combined with bpf.datapathMode = netkit or netkit-l2 {REFUSES}",
         since="1.19"),
    Rule("ipam-eni-needs-eni",
         all_(is_("ipam.mode", ["eni"], "cluster-pool"), not_(on("eni.enabled", False))),
         f"ipam.mode = eni needs eni.enabled {REFUSES}", since="1.20"),
    Rule("gke-routing-native",
         all_(on("gke.enabled", False), not_(is_("routingMode", ["native", ""], ""))),
         f"gke.enabled needs routingMode = native {REFUSES}"),
    Rule("aks-routing-tunnel",
         all_(on("aksbyocni.enabled", False), not_(on("gke.enabled", False)),
              not_(is_("routingMode", ["tunnel", ""], ""))),
         f"aksbyocni.enabled needs routingMode = tunnel {REFUSES}"),
    Rule("max-connected-clusters",
         not_(is_("clustermesh.maxConnectedClusters", [255, 511], 255)),
         f"clustermesh.maxConnectedClusters {{value}} must be 255 or 511 {REFUSES}",
         show="clustermesh.maxConnectedClusters"),
    Rule("envoy-base-id", outside("envoy.baseID", 0, 4294967295, 0),
         f"envoy.baseID {{value}} must be within 0 and 4294967295 {REFUSES}", show="envoy.baseID"),
    Rule("standalone-dns-proxy-port",
         all_(on("standaloneDnsProxy.enabled", False), not_(truthy("dnsProxy.proxyPort", 0))),
         f"standaloneDnsProxy.enabled needs dnsProxy.proxyPort (such as 10094) {REFUSES}",
         since="1.19"),
    Rule("kvstore-mode-enum",
         not_(is_("clustermesh.apiserver.kvstoremesh.kvstoreMode", ["internal", "external"],
                  "internal")),
         "clustermesh.apiserver.kvstoremesh.kvstoreMode {value} must be \"internal\" or "
         f"\"external\" {REFUSES}", show="clustermesh.apiserver.kvstoremesh.kvstoreMode",
         since="1.18"),
    Rule("clustermesh-auth-mode",
         all_(on("clustermesh.useAPIServer", False),
              not_(is_("clustermesh.apiserver.tls.authMode", ["legacy", "migration", "cluster"],
                       "legacy"))),
         "clustermesh.apiserver.tls.authMode {value} must be legacy, migration or cluster "
         f"{REFUSES}", show="clustermesh.apiserver.tls.authMode"),
    Rule("kvstoremesh-disabled-kvstore",
         all_(USE_APISERVER, is_("identityAllocationMode", ["kvstore"], "crd"),
              not_(on(f"{CM}.kvstoremesh.enabled", True))),
         f"identityAllocationMode = kvstore with the clustermesh-apiserver needs "
         f"{CM}.kvstoremesh.enabled {REFUSES}", since="1.18"),
    Rule("kvstore-external-needs-apiserver", all_(KVSTORE_EXTERNAL, not_(USE_APISERVER)),
         f"{CM}.kvstoremesh.kvstoreMode = external needs clustermesh.useAPIServer {REFUSES}",
         since="1.18"),
    Rule("kvstore-external-needs-kvstoremesh",
         all_(KVSTORE_EXTERNAL, USE_APISERVER, not_(on(f"{CM}.kvstoremesh.enabled", True))),
         f"{CM}.kvstoremesh.kvstoreMode = external needs {CM}.kvstoremesh.enabled {REFUSES}",
         since="1.18"),
    Rule("kvstore-external-single-replica",
         all_(KVSTORE_EXTERNAL, USE_APISERVER, on(f"{CM}.kvstoremesh.enabled", True),
              not_(is_(f"{CM}.replicas", [1, "1"], 1))),
         f"{CM}.kvstoremesh.kvstoreMode = external allows a single {CM}.replicas {REFUSES}",
         since="1.18"),
    Rule("kvstore-external-identity-mode",
         all_(KVSTORE_EXTERNAL, USE_APISERVER, on(f"{CM}.kvstoremesh.enabled", True),
              is_(f"{CM}.replicas", [1, "1"], 1),
              not_(is_("identityAllocationMode",
                       ["kvstore", "doublewrite-readkvstore", "doublewrite-readcrd"], "crd"))),
         f"{CM}.kvstoremesh.kvstoreMode = external needs identityAllocationMode = kvstore (or "
         f"doublewrite) {REFUSES}", since="1.18"),
    Rule("clustermesh-disable-endpoint-crd",
         all_(USE_APISERVER, is_("identityAllocationMode", CRD_IDENTITIES, "crd"),
              on("disableEndpointCRD", False)),
         f"clustermesh.useAPIServer cannot be combined with disableEndpointCRD {REFUSES}"),
    *(Rule("clustermesh-identity-mode",
           all_(on(key, False), not_(is_("identityAllocationMode", modes, "crd"))),
           f"{key} needs identityAllocationMode = crd{' (or doublewrite)' if len(modes) > 1 else ''}"
           f" {REFUSES}", since=minor, until=minor)
      for key in ("clustermesh.useAPIServer", "externalWorkloads.enabled")
      for minor, modes in (("1.16", ["crd"]), ("1.17", CRD_IDENTITIES))),
    Rule("external-workloads-endpoint-crd",
         all_(on("externalWorkloads.enabled", False), is_("identityAllocationMode", ["crd"], "crd"),
              on("disableEndpointCRD", False)),
         f"externalWorkloads.enabled cannot be combined with disableEndpointCRD {REFUSES}",
         until="1.17"),
    Rule("clustermesh-certmanager-issuer",
         all_(any_(USE_APISERVER, on("externalWorkloads.enabled", False)),
              on(f"{CM}.tls.auto.enabled", True),
              is_(f"{CM}.tls.auto.method", ["certmanager"], "helm"),
              not_(truthy(f"{CM}.tls.auto.certManagerIssuerRef", {}))),
         f"{CM}.tls.auto.method = certmanager needs {CM}.tls.auto.certManagerIssuerRef {REFUSES}"),
    *(rule for part in ("admin", "remote", "server")
      for rule in _clustermesh_cert(part, OWN_KVSTORE, until="1.19")),
    *_clustermesh_cert("client", on("externalWorkloads.enabled", False), until="1.17"),
    Rule("clustermesh-certs-as-values",
         all_(USE_APISERVER, not_(on(f"{CM}.tls.auto.enabled", True)),
              any_(*(truthy(f"{CM}.tls.{part}.cert", "") for part in ("server", "admin",
                                                                       "remote")))),
         f"clustermesh-apiserver certificates can no longer be given as values: turn "
         f"{CM}.tls.auto.enabled on or create their secrets {REFUSES}", since="1.20"),
    *(Rule(f"removed-cluster-pool-v{f}-cidr",
           all_(is_("ipam.mode", ["cluster-pool"], "cluster-pool"),
                on(f"ipv{f}.enabled", f == "4"),
                not_(is_(f"ipam.operator.clusterPoolIPv{f}PodCIDR", [None], None))),
           f"ipam.operator.clusterPoolIPv{f}PodCIDR is gone: use "
           f"ipam.operator.clusterPoolIPv{f}PodCIDRList {REFUSES}", until="1.18")
      for f in ("4", "6")),
    _native_cidr_from_pool("4"),
    _native_cidr_from_pool("6"),
    *_hubble_cert("relay-server", [on("hubble.relay.enabled", False),
                                   on("hubble.relay.tls.server.enabled", False)],
                  "hubble.relay.tls.server"),
    *_hubble_cert("ui-client", [on("hubble.ui.enabled", False), on("hubble.relay.enabled", False),
                                on("hubble.relay.tls.server.enabled", False)],
                  "hubble.ui.tls.client"),
    *_hubble_cert("metrics-server", [], "hubble.metrics.tls.server",
                  tls=on("hubble.metrics.tls.enabled", False)),
    *(Rule(f"hubble-ui-{part}-tag",
           all_(on("hubble.ui.enabled", False),
                not_(is_("hubble.ui.backend.image.tag", ["latest"], "v0.13.1")),
                not_(is_("hubble.ui.frontend.image.tag", ["latest"], "v0.13.1")),
                older(f"hubble.ui.{part}.image.tag", "0.9.0", "v0.13.1")),
           f"hubble.ui.{part}.image.tag {{value}} is older than v0.9.0, which Hubble UI needs "
           f"{REFUSES}", show=f"hubble.ui.{part}.image.tag")
      for part in ("backend", "frontend")),
    Rule("gke-deprecated-labels",
         all_(on("keepDeprecatedLabels", False), on("gke.enabled", False)),
         "keepDeprecatedLabels cannot be combined with gke.enabled in kube-system: GKE's addon "
         f"manager would remove Cilium's DaemonSet {REFUSES}"),
    Rule("bgp-no-announcements",
         all_(on("bgp.enabled", False), not_(on("bgp.announce.loadbalancerIP", False)),
              not_(on("bgp.announce.podCIDR", False))),
         f"bgp.enabled needs bgp.announce.loadbalancerIP or bgp.announce.podCIDR {REFUSES}",
         until="1.16"),
    Rule("eni-cluster-id-bug",
         all_(not_(is_("extraConfig.allow-unsafe-policy-skb-usage", ["true"], "")),
              any_(within("cluster.id", 128, 255, 0), within("cluster.id", 384, 511, 0)),
              any_(on("eni.enabled", False), on("alibabacloud.enabled", False),
                   is_("cni.chainingMode", ["aws-cni"], "none"))),
         "cluster.id {value} drops policy traffic with ENI or aws-cni chaining (a Cilium bug): "
         "pick an id outside 128-255 and 384-511, or set "
         f"extraConfig.allow-unsafe-policy-skb-usage = \"true\" {REFUSES}", show="cluster.id"),
)  # fmt: skip


@cache
def table() -> list[dict[str, Any]]:
    """The rules as data: what nixgen.checks.verdicts judges (and the upgrade notes read)."""
    out = []
    for rule in RULES:
        entry: dict[str, Any] = {"id": rule.id, "needs": needs(rule.when), "when": rule.when,
                                 "message": rule.message}  # fmt: skip
        if rule.show is not None:
            entry["show"] = rule.show.split(".")
        for key in ("since", "until"):
            if getattr(rule, key) is not None:
                entry[key] = getattr(rule, key)
        out.append(entry)
    return out
