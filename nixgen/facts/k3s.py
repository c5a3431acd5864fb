"""What k3s on the nodes and Cilium's chart must agree on, in one place.

CNI directories: k3s writes a CNI section into its containerd config only while its embedded
flannel runs (it sets the agent's CNI bin/conf dirs only then). With `--flannel-backend=none`,
which Cilium needs, containerd keeps its built-in defaults, /opt/cni/bin and /etc/cni/net.d.
Those are also the Cilium chart's defaults for `cni.binPath` and `cni.confPath`, and Cilium
installs `cilium-cni` (and `loopback`, when missing) there. Pointing the chart at k3s's own
directories (/var/lib/rancher/k3s/data/...) would put the plugin where containerd no longer
looks. The cluster module's default settings take the directories from here
(nixgen.input.settings), the node module reads the final values (or the chart's defaults, the
same directories: a test holds them to these) and asserts a containerd template when they are
not containerd's, so a `cni` value of the user's moves both.
"""

from __future__ import annotations

# containerd's built-in CNI directories, in force on k3s when its flannel is off.
CNI_BIN_DIR = "/opt/cni/bin"
CNI_CONF_DIR = "/etc/cni/net.d"

# Where k3s keeps its own plugins and config while its flannel runs: not read by containerd
# with `--flannel-backend=none`, named here so the README and the checks can say so.
K3S_CNI_BIN_DIRS = ("/var/lib/rancher/k3s/data/cni", "/var/lib/rancher/k3s/data/current/bin")
K3S_CNI_CONF_DIR = "/var/lib/rancher/k3s/agent/etc/cni/net.d"

# k3s server flags Cilium needs on every server; agents take these settings from the servers
# and refuse the flags themselves.
FLANNEL_NONE = "--flannel-backend=none"
DISABLE_NETWORK_POLICY = "--disable-network-policy"
DISABLE_KUBE_PROXY = "--disable-kube-proxy"
DISABLE_SERVICELB = "--disable=servicelb"
DISABLE_TRAEFIK = "--disable=traefik"

