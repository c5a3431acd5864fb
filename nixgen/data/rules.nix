  # A switch, which the chart takes as true or "true".
  on = value: value == true || value == "true";
  # A value Go templates take as set: not null, false, 0, "", [ ] or { }.
  truthy =
    value:
    !(builtins.elem value [
      null
      false
      0
      ""
      [ ]
      { }
    ]);
  matches = regex: value: builtins.isString value && builtins.match regex value != null;
  within =
    low: high: value:
    builtins.isInt value && low <= value && value <= high;
  outside =
    low: high: value:
    builtins.isInt value && (value < low || value > high);
  hasLength = length: value: builtins.isList value && builtins.length value == length;
  # An image tag (v1.2.3, with an optional @digest) of a release older than `release`.
  olderTag =
    release: value:
    let
      tag = if builtins.isString value then builtins.match "v?([0-9]+(\\.[0-9]+)*)(@.*)?" value else null;
    in
    tag != null && builtins.compareVersions (builtins.head tag) release < 0;
  # Whether Cilium replaces kube-proxy (true or "true"; off unless set).
  kubeProxyReplacement = on (v.kubeProxyReplacement or "false");
  # Whether Hubble's TLS certificates are values to give (not generated).
  hubbleCertsByHand =
    on (v.hubble.enabled or true)
    && on (v.hubble.tls.enabled or true)
    && !on (v.hubble.tls.auto.enabled or true);
  # Whether the clustermesh-apiserver is deployed.
  clustermeshAPIServer = on (v.clustermesh.useAPIServer or false);
  # Whether kvstoremesh uses an external etcd.
  externalKvstore = (v.clustermesh.apiserver.kvstoremesh.kvstoreMode or "internal") == "external";
  # Whether the clustermesh-apiserver runs with its own etcd (kvstoreMode internal).
  clustermeshOwnKvstore =
    clustermeshAPIServer
    && (v.clustermesh.apiserver.kvstoremesh.kvstoreMode or "internal") == "internal";
  # Whether the clustermesh-apiserver's certificates are values to give (not generated).
  clustermeshCertsByHand =
    !on (v.clustermesh.apiserver.tls.auto.enabled or true)
    && on (v.clustermesh.apiserver.tls.enableSecrets or true);
  rules = [
    {
      assertion =
        (v.routingMode or "") == "native"
        && on (v.ipv4.enabled or true)
        && on (v.enableIPv4Masquerade or true)
        && !on (v.ipMasqAgent.enabled or false)
        && !builtins.elem (v.ipam.mode or "cluster-pool") [
          "eni"
          "alibabacloud"
        ]
        -> truthy (v.ipv4NativeRoutingCIDR or "");
      message = "routingMode = native with IPv4 masquerading (enableIPv4Masquerade, on by default) needs ipv4NativeRoutingCIDR: the agent refuses to start without it";
    }
    {
      assertion =
        (v.routingMode or "") == "native"
        && on (v.ipv6.enabled or false)
        && on (v.enableIPv6Masquerade or true)
        && !on (v.ipMasqAgent.enabled or false)
        -> truthy (v.ipv6NativeRoutingCIDR or "");
      message = "routingMode = native with IPv6 masquerading (enableIPv6Masquerade, on by default) needs ipv6NativeRoutingCIDR: the chart (from 1.18) and the agent refuse it otherwise";
    }
    {
      assertion =
        on (v.autoDirectNodeRoutes or false)
        -> !builtins.elem (v.routingMode or "") [
          "tunnel"
          ""
        ];
      message = "autoDirectNodeRoutes needs routingMode = native: with tunnel routing it is fatal for the agent";
    }
    {
      assertion = !kubeProxyReplacement -> !on (v.bpf.masquerade or false);
      message = "bpf.masquerade needs kubeProxyReplacement = true";
    }
    {
      assertion = !kubeProxyReplacement -> !on (v.gatewayAPI.enabled or false);
      message = "gatewayAPI.enabled needs kubeProxyReplacement = true";
    }
    {
      assertion = !kubeProxyReplacement -> !on (v.ingressController.enabled or false);
      message = "ingressController.enabled needs kubeProxyReplacement = true";
    }
    {
      assertion = !kubeProxyReplacement -> !on (v.l2announcements.enabled or false);
      message = "l2announcements.enabled needs kubeProxyReplacement = true";
    }
    {
      assertion = kubeProxyReplacement -> truthy (v.k8sServiceHost or "");
      message = "kubeProxyReplacement needs k8sServiceHost (in Nix: cilium.settings.k8sServiceHost): without kube-proxy the agents reach the API server only through it";
    }
    {
      assertion = kubeProxyReplacement -> truthy (v.k8sServicePort or "");
      message = "kubeProxyReplacement needs k8sServicePort (in Nix: cilium.settings.k8sServicePort): without kube-proxy the agents reach the API server only through it";
    }
    {
      assertion = builtins.elem (v.kubeProxyReplacement or "false") [
        true
        false
        "true"
        "false"
      ];
      message = "kubeProxyReplacement ${builtins.toJSON v.kubeProxyReplacement} must be true or false (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.ui.enabled or false) && !on (v.hubble.ui.standalone.enabled or false)
        -> on (v.hubble.relay.enabled or false);
      message = "hubble.ui.enabled needs hubble.relay.enabled (the chart refuses it otherwise)";
    }
    {
      assertion = on (v.hubble.relay.enabled or false) -> on (v.hubble.enabled or true);
      message = "hubble.relay.enabled needs hubble.enabled (the chart refuses it otherwise)";
    }
    {
      assertion =
        (v.ipam.mode or "cluster-pool") == "cluster-pool" && on (v.ipv4.enabled or true)
        -> truthy (v.ipam.operator.clusterPoolIPv4PodCIDRList or [ "10.0.0.0/8" ]);
      message = "ipam.mode = cluster-pool needs at least one pod CIDR in ipam.operator.clusterPoolIPv4PodCIDRList";
    }
    {
      assertion =
        on (v.encryption.enabled or false) && (v.encryption.type or "ipsec") == "ipsec"
        -> !on (v.hostFirewall.enabled or false);
      message = "encryption.type = ipsec cannot be combined with hostFirewall.enabled";
    }
    {
      assertion = !on (v.ipv4.enabled or true) -> on (v.ipv6.enabled or false);
      message = "ipv4.enabled and ipv6.enabled are both off: at least one must be on";
    }
    {
      assertion = matches "[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?" (v.cluster.name or "default");
      message = "cluster.name ${builtins.toJSON v.cluster.name} must be at most 32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";
    }
    {
      assertion = (v.cluster.name or "default") == "default" -> !truthy (v.cluster.id or 0);
      message = "cluster.id is set but cluster.name is still \"default\": name the cluster";
    }
    {
      assertion =
        (
          on (v.ingressController.enabled or false)
          || on (v.gatewayAPI.enabled or false)
          || (v.loadBalancer.l7.backend or "disabled") == "envoy"
        )
        -> on (v.l7Proxy or true);
      message = "the ingress controller, Gateway API and Envoy L7 load balancing need l7Proxy = true (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.ingressController.enabled or false)
        && builtins.elem (v.ingressController.service.type or "LoadBalancer") [
          "LoadBalancer"
          "NodePort"
        ]
        -> builtins.elem (v.ingressController.service.externalTrafficPolicy or "Cluster") [
          "Cluster"
          "Local"
        ];
      message = "ingressController.service.externalTrafficPolicy ${builtins.toJSON v.ingressController.service.externalTrafficPolicy} must be \"Cluster\" or \"Local\" (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.gatewayAPI.enabled or false)
        -> builtins.elem (v.gatewayAPI.externalTrafficPolicy or "Cluster") [
          "Cluster"
          "Local"
        ];
      message = "gatewayAPI.externalTrafficPolicy ${builtins.toJSON v.gatewayAPI.externalTrafficPolicy} must be \"Cluster\" or \"Local\" (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.18"
        && truthy (v.k8sServiceHostRef.name or "")
        && truthy (v.k8sServiceHostRef.key or "")
        -> !truthy (v.k8sServiceHost or "");
      message = "set k8sServiceHost or k8sServiceHostRef, not both (the chart refuses it otherwise)";
    }
    {
      assertion = lib.versionAtLeast minor "1.19" -> (v.k8sServiceHost or "") != "auto";
      message = "k8sServiceHost = \"auto\" makes the chart look the API server up in the cluster, which an offline render (as the frameworks do) cannot: give the address";
    }
    {
      assertion =
        (
          on (v.prometheus.enabled or false) && on (v.prometheus.serviceMonitor.enabled or false)
          ||
            on (v.operator.prometheus.enabled or true)
            && on (v.operator.prometheus.serviceMonitor.enabled or false)
          ||
            on (v.envoy.prometheus.enabled or true) && on (v.envoy.prometheus.serviceMonitor.enabled or false)
          ||
            on (v.hubble.relay.prometheus.enabled or false)
            && on (v.hubble.relay.prometheus.serviceMonitor.enabled or false)
        )
        -> on (v.prometheus.serviceMonitor.trustCRDsExist or false);
      message = "a ServiceMonitor (*.prometheus.serviceMonitor.enabled) needs the monitoring.coreos.com/v1 CRDs, which an offline render cannot see: set prometheus.serviceMonitor.trustCRDsExist = true once they are installed";
    }
    {
      assertion =
        hubbleCertsByHand && !truthy (v.hubble.tls.server.existingSecret or "")
        -> truthy (v.hubble.tls.server.cert or "");
      message = "hubble.tls.server.cert is required: hubble.tls.auto.enabled is off and no secret is given in hubble.tls.server.existingSecret (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && !truthy (v.hubble.tls.server.existingSecret or "")
        && truthy (v.hubble.tls.server.cert or "")
        -> truthy (v.hubble.tls.server.key or "");
      message = "hubble.tls.server.key is required beside hubble.tls.server.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && on (v.hubble.relay.enabled or false)
        && !truthy (v.hubble.relay.tls.client.existingSecret or "")
        -> truthy (v.hubble.relay.tls.client.cert or "");
      message = "hubble.relay.tls.client.cert is required: hubble.tls.auto.enabled is off and no secret is given in hubble.relay.tls.client.existingSecret (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && on (v.hubble.relay.enabled or false)
        && !truthy (v.hubble.relay.tls.client.existingSecret or "")
        && truthy (v.hubble.relay.tls.client.cert or "")
        -> truthy (v.hubble.relay.tls.client.key or "");
      message = "hubble.relay.tls.client.key is required beside hubble.relay.tls.client.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.enabled or true)
        && on (v.hubble.tls.enabled or true)
        && on (v.hubble.tls.auto.enabled or true)
        && (v.hubble.tls.auto.method or "helm") == "certmanager"
        -> truthy (v.hubble.tls.auto.certManagerIssuerRef or { });
      message = "hubble.tls.auto.method = certmanager needs hubble.tls.auto.certManagerIssuerRef (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.ui.enabled or false)
        && on (v.hubble.ui.standalone.enabled or false)
        && on (v.hubble.relay.tls.server.enabled or false)
        -> truthy (v.hubble.ui.standalone.tls.certsVolume or { });
      message = "hubble.ui.standalone with hubble.relay.tls.server.enabled needs hubble.ui.standalone.tls.certsVolume (the chart refuses it otherwise)";
    }
    {
      assertion =
        truthy (v.hubble.redact.http.headers.allow or [ ])
        -> !truthy (v.hubble.redact.http.headers.deny or [ ]);
      message = "hubble.redact.http.headers: give allow or deny, not both (the chart refuses it otherwise)";
    }
    {
      assertion = on (v.operator.setNodeTaints or false) -> on (v.operator.removeNodeTaints or true);
      message = "operator.setNodeTaints needs operator.removeNodeTaints = true (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.19" && on (v.authentication.mutual.spire.enabled or false)
        -> on (v.authentication.enabled or true);
      message = "authentication.mutual.spire.enabled needs authentication.enabled (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.19" && on (v.authentication.mutual.spire.enabled or false)
        -> on (v.authentication.enabled or false);
      message = "authentication.mutual.spire.enabled needs authentication.enabled (the chart refuses it otherwise)";
    }
    {
      assertion = on (v.ciliumEndpointSlice.enabled or false) -> !on (v.disableEndpointCRD or false);
      message = "ciliumEndpointSlice.enabled needs disableEndpointCRD = false (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.19" && on (v.bpf.tproxy or false)
        -> !builtins.elem (v.bpf.datapathMode or "veth") [
          "netkit"
          "netkit-l2"
        ];
      message = "bpf.tproxy cannot be combined with bpf.datapathMode = netkit or netkit-l2 (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.20" && (v.ipam.mode or "cluster-pool") == "eni"
        -> on (v.eni.enabled or false);
      message = "ipam.mode = eni needs eni.enabled (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.gke.enabled or false)
        -> builtins.elem (v.routingMode or "") [
          "native"
          ""
        ];
      message = "gke.enabled needs routingMode = native (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.aksbyocni.enabled or false) && !on (v.gke.enabled or false)
        -> builtins.elem (v.routingMode or "") [
          "tunnel"
          ""
        ];
      message = "aksbyocni.enabled needs routingMode = tunnel (the chart refuses it otherwise)";
    }
    {
      assertion = builtins.elem (v.clustermesh.maxConnectedClusters or 255) [
        255
        511
      ];
      message = "clustermesh.maxConnectedClusters ${builtins.toJSON v.clustermesh.maxConnectedClusters} must be 255 or 511 (the chart refuses it otherwise)";
    }
    {
      assertion = !outside 0 4294967295 (v.envoy.baseID or 0);
      message = "envoy.baseID ${builtins.toJSON v.envoy.baseID} must be within 0 and 4294967295 (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.19" && on (v.standaloneDnsProxy.enabled or false)
        -> truthy (v.dnsProxy.proxyPort or 0);
      message = "standaloneDnsProxy.enabled needs dnsProxy.proxyPort (such as 10094) (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.18"
        -> builtins.elem (v.clustermesh.apiserver.kvstoremesh.kvstoreMode or "internal") [
          "internal"
          "external"
        ];
      message = "clustermesh.apiserver.kvstoremesh.kvstoreMode ${builtins.toJSON v.clustermesh.apiserver.kvstoremesh.kvstoreMode} must be \"internal\" or \"external\" (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.clustermesh.useAPIServer or false)
        -> builtins.elem (v.clustermesh.apiserver.tls.authMode or "legacy") [
          "legacy"
          "migration"
          "cluster"
        ];
      message = "clustermesh.apiserver.tls.authMode ${builtins.toJSON v.clustermesh.apiserver.tls.authMode} must be legacy, migration or cluster (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.18"
        && clustermeshAPIServer
        && (v.identityAllocationMode or "crd") == "kvstore"
        -> on (v.clustermesh.apiserver.kvstoremesh.enabled or true);
      message = "identityAllocationMode = kvstore with the clustermesh-apiserver needs clustermesh.apiserver.kvstoremesh.enabled (the chart refuses it otherwise)";
    }
    {
      assertion = lib.versionAtLeast minor "1.18" && externalKvstore -> clustermeshAPIServer;
      message = "clustermesh.apiserver.kvstoremesh.kvstoreMode = external needs clustermesh.useAPIServer (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.18" && externalKvstore && clustermeshAPIServer
        -> on (v.clustermesh.apiserver.kvstoremesh.enabled or true);
      message = "clustermesh.apiserver.kvstoremesh.kvstoreMode = external needs clustermesh.apiserver.kvstoremesh.enabled (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.18"
        && externalKvstore
        && clustermeshAPIServer
        && on (v.clustermesh.apiserver.kvstoremesh.enabled or true)
        -> builtins.elem (v.clustermesh.apiserver.replicas or 1) [
          1
          "1"
        ];
      message = "clustermesh.apiserver.kvstoremesh.kvstoreMode = external allows a single clustermesh.apiserver.replicas (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.18"
        && externalKvstore
        && clustermeshAPIServer
        && on (v.clustermesh.apiserver.kvstoremesh.enabled or true)
        && builtins.elem (v.clustermesh.apiserver.replicas or 1) [
          1
          "1"
        ]
        -> builtins.elem (v.identityAllocationMode or "crd") [
          "kvstore"
          "doublewrite-readkvstore"
          "doublewrite-readcrd"
        ];
      message = "clustermesh.apiserver.kvstoremesh.kvstoreMode = external needs identityAllocationMode = kvstore (or doublewrite) (the chart refuses it otherwise)";
    }
    {
      assertion =
        clustermeshAPIServer
        && builtins.elem (v.identityAllocationMode or "crd") [
          "crd"
          "doublewrite-readkvstore"
          "doublewrite-readcrd"
        ]
        -> !on (v.disableEndpointCRD or false);
      message = "clustermesh.useAPIServer cannot be combined with disableEndpointCRD (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.16"
        && lib.versionOlder minor "1.17"
        && on (v.clustermesh.useAPIServer or false)
        -> (v.identityAllocationMode or "crd") == "crd";
      message = "clustermesh.useAPIServer needs identityAllocationMode = crd (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.17"
        && lib.versionOlder minor "1.18"
        && on (v.clustermesh.useAPIServer or false)
        -> builtins.elem (v.identityAllocationMode or "crd") [
          "crd"
          "doublewrite-readkvstore"
          "doublewrite-readcrd"
        ];
      message = "clustermesh.useAPIServer needs identityAllocationMode = crd (or doublewrite) (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.16"
        && lib.versionOlder minor "1.17"
        && on (v.externalWorkloads.enabled or false)
        -> (v.identityAllocationMode or "crd") == "crd";
      message = "externalWorkloads.enabled needs identityAllocationMode = crd (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.17"
        && lib.versionOlder minor "1.18"
        && on (v.externalWorkloads.enabled or false)
        -> builtins.elem (v.identityAllocationMode or "crd") [
          "crd"
          "doublewrite-readkvstore"
          "doublewrite-readcrd"
        ];
      message = "externalWorkloads.enabled needs identityAllocationMode = crd (or doublewrite) (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.18"
        && on (v.externalWorkloads.enabled or false)
        && (v.identityAllocationMode or "crd") == "crd"
        -> !on (v.disableEndpointCRD or false);
      message = "externalWorkloads.enabled cannot be combined with disableEndpointCRD (the chart refuses it otherwise)";
    }
    {
      assertion =
        (clustermeshAPIServer || on (v.externalWorkloads.enabled or false))
        && on (v.clustermesh.apiserver.tls.auto.enabled or true)
        && (v.clustermesh.apiserver.tls.auto.method or "helm") == "certmanager"
        -> truthy (v.clustermesh.apiserver.tls.auto.certManagerIssuerRef or { });
      message = "clustermesh.apiserver.tls.auto.method = certmanager needs clustermesh.apiserver.tls.auto.certManagerIssuerRef (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.20" && clustermeshOwnKvstore && clustermeshCertsByHand
        -> truthy (v.clustermesh.apiserver.tls.admin.cert or "");
      message = "clustermesh.apiserver.tls.admin.cert is required: clustermesh.apiserver.tls.auto.enabled is off (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.20"
        && clustermeshOwnKvstore
        && clustermeshCertsByHand
        && truthy (v.clustermesh.apiserver.tls.admin.cert or "")
        -> truthy (v.clustermesh.apiserver.tls.admin.key or "");
      message = "clustermesh.apiserver.tls.admin.key is required beside clustermesh.apiserver.tls.admin.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.20" && clustermeshOwnKvstore && clustermeshCertsByHand
        -> truthy (v.clustermesh.apiserver.tls.remote.cert or "");
      message = "clustermesh.apiserver.tls.remote.cert is required: clustermesh.apiserver.tls.auto.enabled is off (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.20"
        && clustermeshOwnKvstore
        && clustermeshCertsByHand
        && truthy (v.clustermesh.apiserver.tls.remote.cert or "")
        -> truthy (v.clustermesh.apiserver.tls.remote.key or "");
      message = "clustermesh.apiserver.tls.remote.key is required beside clustermesh.apiserver.tls.remote.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.20" && clustermeshOwnKvstore && clustermeshCertsByHand
        -> truthy (v.clustermesh.apiserver.tls.server.cert or "");
      message = "clustermesh.apiserver.tls.server.cert is required: clustermesh.apiserver.tls.auto.enabled is off (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.20"
        && clustermeshOwnKvstore
        && clustermeshCertsByHand
        && truthy (v.clustermesh.apiserver.tls.server.cert or "")
        -> truthy (v.clustermesh.apiserver.tls.server.key or "");
      message = "clustermesh.apiserver.tls.server.key is required beside clustermesh.apiserver.tls.server.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.18" && on (v.externalWorkloads.enabled or false) && clustermeshCertsByHand
        -> truthy (v.clustermesh.apiserver.tls.client.cert or "");
      message = "clustermesh.apiserver.tls.client.cert is required: clustermesh.apiserver.tls.auto.enabled is off (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.18"
        && on (v.externalWorkloads.enabled or false)
        && clustermeshCertsByHand
        && truthy (v.clustermesh.apiserver.tls.client.cert or "")
        -> truthy (v.clustermesh.apiserver.tls.client.key or "");
      message = "clustermesh.apiserver.tls.client.key is required beside clustermesh.apiserver.tls.client.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.20"
        && clustermeshAPIServer
        && !on (v.clustermesh.apiserver.tls.auto.enabled or true)
        -> !(
          truthy (v.clustermesh.apiserver.tls.server.cert or "")
          || truthy (v.clustermesh.apiserver.tls.admin.cert or "")
          || truthy (v.clustermesh.apiserver.tls.remote.cert or "")
        );
      message = "clustermesh-apiserver certificates can no longer be given as values: turn clustermesh.apiserver.tls.auto.enabled on or create their secrets (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.19"
        && (v.ipam.mode or "cluster-pool") == "cluster-pool"
        && on (v.ipv4.enabled or true)
        -> (v.ipam.operator.clusterPoolIPv4PodCIDR or null) == null;
      message = "ipam.operator.clusterPoolIPv4PodCIDR is gone: use ipam.operator.clusterPoolIPv4PodCIDRList (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.19"
        && (v.ipam.mode or "cluster-pool") == "cluster-pool"
        && on (v.ipv6.enabled or false)
        -> (v.ipam.operator.clusterPoolIPv6PodCIDR or null) == null;
      message = "ipam.operator.clusterPoolIPv6PodCIDR is gone: use ipam.operator.clusterPoolIPv6PodCIDRList (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.20"
        && (v.ipam.mode or "cluster-pool") == "cluster-pool"
        && on (v.ipv4.enabled or true)
        && on (v.nativeRoutingCIDRFromClusterPool or false)
        && !truthy (v.ipv4NativeRoutingCIDR or "")
        -> hasLength 1 (v.ipam.operator.clusterPoolIPv4PodCIDRList or [ "10.0.0.0/8" ]);
      message = "nativeRoutingCIDRFromClusterPool needs exactly one CIDR in ipam.operator.clusterPoolIPv4PodCIDRList; else set ipv4NativeRoutingCIDR (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionAtLeast minor "1.20"
        && (v.ipam.mode or "cluster-pool") == "cluster-pool"
        && on (v.ipv6.enabled or false)
        && on (v.nativeRoutingCIDRFromClusterPool or false)
        && !truthy (v.ipv6NativeRoutingCIDR or "")
        -> hasLength 1 (v.ipam.operator.clusterPoolIPv6PodCIDRList or [ "fd00::/104" ]);
      message = "nativeRoutingCIDRFromClusterPool needs exactly one CIDR in ipam.operator.clusterPoolIPv6PodCIDRList; else set ipv6NativeRoutingCIDR (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && on (v.hubble.relay.enabled or false)
        && on (v.hubble.relay.tls.server.enabled or false)
        && !truthy (v.hubble.relay.tls.server.existingSecret or "")
        -> truthy (v.hubble.relay.tls.server.cert or "");
      message = "hubble.relay.tls.server.cert is required: hubble.tls.auto.enabled is off and no secret is given in hubble.relay.tls.server.existingSecret (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && on (v.hubble.relay.enabled or false)
        && on (v.hubble.relay.tls.server.enabled or false)
        && !truthy (v.hubble.relay.tls.server.existingSecret or "")
        && truthy (v.hubble.relay.tls.server.cert or "")
        -> truthy (v.hubble.relay.tls.server.key or "");
      message = "hubble.relay.tls.server.key is required beside hubble.relay.tls.server.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && on (v.hubble.ui.enabled or false)
        && on (v.hubble.relay.enabled or false)
        && on (v.hubble.relay.tls.server.enabled or false)
        && !truthy (v.hubble.ui.tls.client.existingSecret or "")
        -> truthy (v.hubble.ui.tls.client.cert or "");
      message = "hubble.ui.tls.client.cert is required: hubble.tls.auto.enabled is off and no secret is given in hubble.ui.tls.client.existingSecret (the chart refuses it otherwise)";
    }
    {
      assertion =
        hubbleCertsByHand
        && on (v.hubble.ui.enabled or false)
        && on (v.hubble.relay.enabled or false)
        && on (v.hubble.relay.tls.server.enabled or false)
        && !truthy (v.hubble.ui.tls.client.existingSecret or "")
        && truthy (v.hubble.ui.tls.client.cert or "")
        -> truthy (v.hubble.ui.tls.client.key or "");
      message = "hubble.ui.tls.client.key is required beside hubble.ui.tls.client.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.enabled or true)
        && on (v.hubble.metrics.tls.enabled or false)
        && !on (v.hubble.tls.auto.enabled or true)
        && !truthy (v.hubble.metrics.tls.server.existingSecret or "")
        -> truthy (v.hubble.metrics.tls.server.cert or "");
      message = "hubble.metrics.tls.server.cert is required: hubble.tls.auto.enabled is off and no secret is given in hubble.metrics.tls.server.existingSecret (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.enabled or true)
        && on (v.hubble.metrics.tls.enabled or false)
        && !on (v.hubble.tls.auto.enabled or true)
        && !truthy (v.hubble.metrics.tls.server.existingSecret or "")
        && truthy (v.hubble.metrics.tls.server.cert or "")
        -> truthy (v.hubble.metrics.tls.server.key or "");
      message = "hubble.metrics.tls.server.key is required beside hubble.metrics.tls.server.cert (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.ui.enabled or false)
        && (v.hubble.ui.backend.image.tag or "v0.13.1") != "latest"
        && (v.hubble.ui.frontend.image.tag or "v0.13.1") != "latest"
        -> !olderTag "0.9.0" (v.hubble.ui.backend.image.tag or "v0.13.1");
      message = "hubble.ui.backend.image.tag ${builtins.toJSON v.hubble.ui.backend.image.tag} is older than v0.9.0, which Hubble UI needs (the chart refuses it otherwise)";
    }
    {
      assertion =
        on (v.hubble.ui.enabled or false)
        && (v.hubble.ui.backend.image.tag or "v0.13.1") != "latest"
        && (v.hubble.ui.frontend.image.tag or "v0.13.1") != "latest"
        -> !olderTag "0.9.0" (v.hubble.ui.frontend.image.tag or "v0.13.1");
      message = "hubble.ui.frontend.image.tag ${builtins.toJSON v.hubble.ui.frontend.image.tag} is older than v0.9.0, which Hubble UI needs (the chart refuses it otherwise)";
    }
    {
      assertion = on (v.keepDeprecatedLabels or false) -> !on (v.gke.enabled or false);
      message = "keepDeprecatedLabels cannot be combined with gke.enabled in kube-system: GKE's addon manager would remove Cilium's DaemonSet (the chart refuses it otherwise)";
    }
    {
      assertion =
        lib.versionOlder minor "1.17"
        && on (v.bgp.enabled or false)
        && !on (v.bgp.announce.loadbalancerIP or false)
        -> on (v.bgp.announce.podCIDR or false);
      message = "bgp.enabled needs bgp.announce.loadbalancerIP or bgp.announce.podCIDR (the chart refuses it otherwise)";
    }
    {
      assertion =
        (v.extraConfig.allow-unsafe-policy-skb-usage or "") != "true"
        && (within 128 255 (v.cluster.id or 0) || within 384 511 (v.cluster.id or 0))
        -> !(
          on (v.eni.enabled or false)
          || on (v.alibabacloud.enabled or false)
          || (v.cni.chainingMode or "none") == "aws-cni"
        );
      message = "cluster.id ${builtins.toJSON v.cluster.id} drops policy traffic with ENI or aws-cni chaining (a Cilium bug): pick an id outside 128-255 and 384-511, or set extraConfig.allow-unsafe-policy-skb-usage = \"true\" (the chart refuses it otherwise)";
    }
  ];
