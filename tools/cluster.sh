#!/usr/bin/env bash
# A real one-node Kubernetes cluster on this machine, from the test bed's binaries
# (tools/testbed/setup.sh cluster): etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# containerd + runc + CNI bridge, kubelet, kube-proxy and CoreDNS, each a host process.
# RBAC is enforced; pods and Services live on private ranges that never leave the machine.
#
#   tools/cluster.sh up              # start (or keep) the cluster; prints the admin kubeconfig path
#   tools/cluster.sh status          # each component and the node
#   tools/cluster.sh load IMAGE...   # copy images from the test bed's Docker into the cluster
#   tools/cluster.sh kubeconfig      # prints the admin kubeconfig path
#   tools/cluster.sh down            # stop every component and pod; etcd data and images are kept
#   tools/cluster.sh reset           # down, then delete all state, the bridge, chains and guards
#
#   WEIR_CLUSTER_DIR=/path ...       # state directory (default ~/.cache/weir/cluster)
# Needs root (containers, iptables, routes). docs/testbed.md describes the cluster.
set -euo pipefail

TOOLS="$(cd "$(dirname "$0")" && pwd)"
CACHE="${WEIR_TESTBED_CACHE:-$HOME/.cache/weir/testbed}"
BIN="$CACHE/bin"
DIR="${WEIR_CLUSTER_DIR:-$HOME/.cache/weir/cluster}"
NODE_NAME="weir-node"
POD_CIDR="10.244.0.0/16"
NODE_POD_CIDR="10.244.0.0/24"
SERVICE_CIDR="10.96.0.0/16"
FIRST_SERVICE_IP="10.96.0.1"
API_PORT=16443
ETCD_PORT=23790
ETCD_PEER_PORT=23800
GUARD_PRIORITY=1000
CONTAINERD_SOCK="$DIR/containerd/containerd.sock"
KUBECONFIG_ADMIN="$DIR/kubeconfig"
export PATH="$BIN:$PATH"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

node_ip() {
  local dev
  dev=$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | head -1)
  [ -n "$dev" ] || die "no default route: cannot choose the node's IP"
  ip -4 -o addr show dev "$dev" | awk '{print $4}' | cut -d/ -f1 | head -1
}
uplink_mtu() {
  local dev
  dev=$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | head -1)
  cat "/sys/class/net/$dev/mtu"
}

# write_if_changed FILE: stdin to FILE only when the content differs (kube-proxy exits when its
# configuration file is rewritten, even with the same content).
write_if_changed() {
  local tmp
  tmp=$(mktemp)
  cat > "$tmp"
  if [ -f "$1" ] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

pidfile() { echo "$DIR/run/$1.pid"; }
running() { local p; p=$(cat "$(pidfile "$1")" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# start NAME COMMAND...: runs COMMAND in its own session, detached, logging to logs/NAME.log.
start() {
  local name=$1; shift
  if running "$name"; then return; fi
  setsid "$@" >> "$DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$name")"
}

stop() {
  local name=$1 p i
  p=$(cat "$(pidfile "$name")" 2>/dev/null) || return 0
  if kill -0 "$p" 2>/dev/null; then
    kill "$p" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$(pidfile "$name")"
}

# wait_for WHAT SECONDS COMMAND...
wait_for() {
  local what=$1 secs=$2 i; shift 2
  for i in $(seq $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what not ready after ${secs}s (logs: $DIR/logs)"
}

kubectl_admin() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# ---------------------------------------------------------------------------------------------
# configuration: certificates, tokens, kubeconfigs, component configs (written once, kept)

pki() {
  local ip=$1 p="$DIR/pki"
  mkdir -p "$p"; chmod 700 "$p"
  if [ ! -f "$p/ca.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$p/ca.key" -out "$p/ca.crt" -days 3650 \
      -subj "/CN=weir-test-bed-ca" 2>/dev/null
  fi
  if [ ! -f "$p/apiserver.crt" ] || ! openssl x509 -in "$p/apiserver.crt" -noout -text | grep -q "IP Address:$ip"; then
    cat > "$p/apiserver.ext" <<EOF
subjectAltName=DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$FIRST_SERVICE_IP,IP:$ip
extendedKeyUsage=serverAuth
EOF
    openssl req -newkey rsa:2048 -nodes -keyout "$p/apiserver.key" -out "$p/apiserver.csr" \
      -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in "$p/apiserver.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial \
      -out "$p/apiserver.crt" -days 3650 -extfile "$p/apiserver.ext" 2>/dev/null
  fi
  if [ ! -f "$p/sa.key" ]; then
    openssl genrsa -out "$p/sa.key" 2048 2>/dev/null
    openssl rsa -in "$p/sa.key" -pubout -out "$p/sa.pub" 2>/dev/null
  fi
  # One static token per identity: admin, the node, and each control-plane component.
  if [ ! -f "$p/tokens.csv" ]; then
    local t
    t() { openssl rand -hex 16; }
    {
      echo "$(t),admin,admin,system:masters"
      echo "$(t),system:node:$NODE_NAME,node,system:nodes"
      echo "$(t),system:kube-controller-manager,kube-controller-manager"
      echo "$(t),system:kube-scheduler,kube-scheduler"
      echo "$(t),system:kube-proxy,kube-proxy"
    } > "$p/tokens.csv"
    chmod 600 "$p/tokens.csv"
  fi
}

token_of() { awk -F, -v u="$1" '$2 == u {print $1}' "$DIR/pki/tokens.csv"; }

kubeconfig_for() {
  local user=$1 file=$2 server=$3
  write_if_changed "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: weir-test-bed
  cluster:
    server: $server
    certificate-authority: $DIR/pki/ca.crt
users:
- name: $user
  user:
    token: $(token_of "$user")
contexts:
- name: weir-test-bed
  context: {cluster: weir-test-bed, user: $user}
current-context: weir-test-bed
EOF
  chmod 600 "$file"
}

configure() {
  local ip=$1 mtu
  mtu=$(uplink_mtu)
  mkdir -p "$DIR"/{run,logs,etcd,containerd,cni/net.d,cni/ipam,kubelet,conf}
  pki "$ip"
  local server="https://127.0.0.1:$API_PORT"
  kubeconfig_for admin "$KUBECONFIG_ADMIN" "$server"
  kubeconfig_for "system:node:$NODE_NAME" "$DIR/conf/kubelet.kubeconfig" "$server"
  kubeconfig_for system:kube-controller-manager "$DIR/conf/controller-manager.kubeconfig" "$server"
  kubeconfig_for system:kube-scheduler "$DIR/conf/scheduler.kubeconfig" "$server"
  kubeconfig_for system:kube-proxy "$DIR/conf/proxy.kubeconfig" "$server"

  write_if_changed "$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$DIR/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # root here lacks CAP_SYS_RESOURCE: no negative oom_score_adj for sandboxes
  restrict_oom_score_adj = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
EOF

  # bridge + host-local IPAM, portmap, and firewall (accepts pod traffic when dockerd has set the
  # FORWARD policy to DROP); the bridge's MTU is the uplink's.
  write_if_changed "$DIR/cni/net.d/10-weir.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "weir",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "mtu": $mtu,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$NODE_POD_CIDR"}]],
              "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$DIR/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall"}
  ]
}
EOF

  write_if_changed "$DIR/conf/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
address: $ip
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
clusterDNS: [$ip]
clusterDomain: cluster.local
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
# images cannot be pulled again here: never collect them
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
podPidsLimit: -1
EOF

  write_if_changed "$DIR/conf/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
clientConnection: {kubeconfig: $DIR/conf/proxy.kubeconfig}
conntrack: {maxPerCore: 0}
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
EOF

  write_if_changed "$DIR/conf/Corefile" <<EOF
.:53 {
  bind $ip
  errors
  health 127.0.0.1:18180
  ready 127.0.0.1:18181
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $KUBECONFIG_ADMIN
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
    ttl 5
  }
  forward . /etc/resolv.conf
  cache 5
  loop
  loadbalance
}
EOF
}

# ---------------------------------------------------------------------------------------------
# the guard: traffic to the Service and pod ranges that kube-proxy did not redirect fails here
# instead of following the default route (which, on this machine, answers any TCP connection).

guard_on() {
  ip rule show priority "$GUARD_PRIORITY" | grep -q "from $POD_CIDR to $SERVICE_CIDR" ||
    ip rule add from "$POD_CIDR" to "$SERVICE_CIDR" unreachable priority "$GUARD_PRIORITY"
  iptables -C OUTPUT -d "$SERVICE_CIDR" -j REJECT 2>/dev/null ||
    iptables -I OUTPUT -d "$SERVICE_CIDR" -j REJECT
  ip route show type unreachable | grep -q "^unreachable $POD_CIDR" ||
    ip route add unreachable "$POD_CIDR"
}

guard_off() {
  while ip rule del from "$POD_CIDR" to "$SERVICE_CIDR" unreachable priority "$GUARD_PRIORITY" 2>/dev/null; do :; done
  while iptables -D OUTPUT -d "$SERVICE_CIDR" -j REJECT 2>/dev/null; do :; done
  ip route del unreachable "$POD_CIDR" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------

up() {
  [ "$(id -u)" = 0 ] || die "the cluster needs root (containers, iptables, routes)"
  local c
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy coredns crictl containerd; do
    [ -x "$BIN/$c" ] || bash "$TOOLS/testbed/setup.sh" cluster >/dev/null
  done
  local ip t0=$(date +%s%N)
  ip=$(node_ip)
  configure "$ip"
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    fs.inotify.max_user_instances=8192 fs.inotify.max_user_watches=524288
  guard_on
  mkdir -p /var/lib/kubelet/device-plugins /var/log/containers /var/run/netns

  start etcd etcd --name weir-test-bed --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "weir-test-bed=http://127.0.0.1:$ETCD_PEER_PORT"
  wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  local p="$DIR/pki"
  start kube-apiserver kube-apiserver --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --secure-port "$API_PORT" --advertise-address "$ip" \
    --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
    --client-ca-file "$p/ca.crt" --requestheader-client-ca-file "$p/ca.crt" \
    --token-auth-file "$p/tokens.csv" --authorization-mode Node,RBAC \
    --enable-admission-plugins NodeRestriction \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --kubelet-preferred-address-types InternalIP,Hostname --allow-privileged
  wait_for kube-apiserver 60 kubectl_admin get --raw /readyz

  start kube-controller-manager kube-controller-manager \
    --kubeconfig "$DIR/conf/controller-manager.kubeconfig" --bind-address 127.0.0.1 \
    --use-service-account-credentials --service-account-private-key-file "$p/sa.key" \
    --root-ca-file "$p/ca.crt" --cluster-cidr "$POD_CIDR" --leader-elect=false
  start kube-scheduler kube-scheduler --kubeconfig "$DIR/conf/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false

  start containerd containerd --config "$DIR/containerd/config.toml"
  wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version
  ctr --address "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -qx "registry.k8s.io/pause:3.10" ||
    ctr --address "$CONTAINERD_SOCK" -n k8s.io images import "$CACHE/images/pause.tar" >/dev/null

  start kubelet kubelet --config "$DIR/conf/kubelet.yaml" --kubeconfig "$DIR/conf/kubelet.kubeconfig" \
    --hostname-override "$NODE_NAME" --node-ip "$ip" --root-dir "$DIR/kubelet" \
    --cert-dir "$DIR/kubelet/pki"
  start kube-proxy kube-proxy --config "$DIR/conf/kube-proxy.yaml"
  start coredns coredns -conf "$DIR/conf/Corefile"

  wait_for "node $NODE_NAME" 90 kubectl_admin wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
  wait_for "the default ServiceAccount" 60 kubectl_admin get serviceaccount default -n default
  wait_for CoreDNS 60 curl -sf http://127.0.0.1:18181/ready
  log "up in $(( ($(date +%s%N) - t0) / 1000000 )) ms: node $NODE_NAME ($ip), API https://127.0.0.1:$API_PORT"
  echo "$KUBECONFIG_ADMIN"
}

remove_pods() {
  running containerd || return 0
  local ids
  ids=$(crictl --runtime-endpoint "unix://$CONTAINERD_SOCK" pods -q 2>/dev/null || true)
  for id in $ids; do
    crictl --runtime-endpoint "unix://$CONTAINERD_SOCK" stopp "$id" >/dev/null 2>&1 || true
    crictl --runtime-endpoint "unix://$CONTAINERD_SOCK" rmp -f "$id" >/dev/null 2>&1 || true
  done
}

down() {
  stop kubelet
  remove_pods
  local c
  for c in coredns kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do stop "$c"; done
  # shims of containers that outlived their pod, then what they left mounted
  pkill -9 -f "containerd-shim-runc-v2 -namespace k8s.io" 2>/dev/null || true
  grep -o " $DIR/[^ ]*\| /run/containerd/[^ ]*\| /var/run/netns/[^ ]*" /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  log "down"
}

reset() {
  down
  ip link del cni0 2>/dev/null || true
  local t chain
  for t in filter nat mangle; do
    for chain in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-)/ {print $2}'); do
      iptables -t "$t" -S | grep -E "^-A [A-Z_-]+ .*-j $chain( |$)" | sed 's/^-A/-D/' |
        while read -r rule; do eval iptables -t "$t" "$rule" 2>/dev/null || true; done
    done
    for chain in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-)/ {print $2}'); do
      iptables -t "$t" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N (KUBE-|CNI-)/ {print $2}'); do
      iptables -t "$t" -X "$chain" 2>/dev/null || true
    done
  done
  guard_off
  rm -rf "$DIR" /var/lib/cni/results/weir-* 2>/dev/null || true
  log "reset: $DIR deleted"
}

status() {
  local c rc=0
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns; do
    if running "$c"; then printf '%-24s running (pid %s)\n' "$c" "$(cat "$(pidfile "$c")")"
    else printf '%-24s stopped\n' "$c"; rc=1; fi
  done
  if running kube-apiserver; then kubectl_admin get nodes -o wide || rc=1; fi
  printf 'kubeconfig: %s\n' "$KUBECONFIG_ADMIN"
  return $rc
}

load() {
  [ $# -gt 0 ] || die "load: name at least one image (as Docker knows it)"
  running containerd || die "the cluster is not up (tools/cluster.sh up)"
  local img
  for img in "$@"; do
    bash "$TOOLS/testbed/images.sh" docker >/dev/null
    DOCKER_HOST="unix://$CACHE/run/docker.sock" "$BIN/docker" save "$img" |
      ctr --address "$CONTAINERD_SOCK" -n k8s.io images import - >/dev/null
    log "loaded $img"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  reset) reset ;;
  status) status ;;
  load) shift; load "$@" ;;
  kubeconfig) echo "$KUBECONFIG_ADMIN" ;;
  *) echo "usage: tools/cluster.sh up|down|reset|status|kubeconfig|load IMAGE..." >&2; exit 2 ;;
esac
