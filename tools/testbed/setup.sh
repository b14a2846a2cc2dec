#!/usr/bin/env bash
# Installs Weir's test bed into a cache outside the repo: MinIO, helm, etcd, kube-apiserver, kubectl,
# headless Chromium, an Apache Kafka broker's class path, and what a one-node Kubernetes cluster needs (kubelet, kube-controller-manager,
# kube-scheduler, kube-proxy, CoreDNS, crictl, containerd, runc, CNI plugins, a pause image) plus
# Docker and a local JRE base image to build Weir's images from its own Dockerfiles
# (tools/cluster.sh runs the cluster; docs/testbed.md).
# Idempotent: each tool is rebuilt only when its pinned version changes. A warm run takes seconds.
#
#   tools/testbed/setup.sh            # install what is missing, print the bin directory's contents
#   WEIR_TESTBED_CACHE=/path ...      # cache location (default ~/.cache/weir/testbed)
set -euo pipefail

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"   # github.com/minio/minio (no semver tags on the proxy)
HELM_VERSION="v3.19.0"
KUBERNETES_VERSION="1.32.13"                         # all Kubernetes binaries; works with Debian's etcd 3.4
# Bumped when the build recipe of the Kubernetes binaries changes (which commands, ldflags).
KUBERNETES_RECIPE="2"
COREDNS_VERSION="v1.12.1"
CRICTL_VERSION="v1.34.0"                             # sigs.k8s.io/cri-tools (v1.32.x is refused by the proxy)
PAUSE_IMAGE="registry.k8s.io/pause:3.10"             # the name containerd's sandbox_image uses
DEBIAN_SUITE="bookworm"
KAFKA_VERSION="4.4.0"                                # org.apache.kafka:kafka_2.13 (KRaft); kafka-clients in pom.xml goes with it

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${WEIR_TESTBED_CACHE:-$HOME/.cache/weir/testbed}"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/stamps"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
export GOPATH="${GOPATH:-$HOME/go}"

log() { printf '[testbed] %s\n' "$*" >&2; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }

# installed NAME VERSION -> 0 when BIN/NAME exists and was built from VERSION
installed() { [ -x "$BIN/$1" ] && [ "$(cat "$CACHE/stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$CACHE/stamps/$1"; }

# apt_install PKG... -> installs Debian packages; the index is refreshed once per run, and only when
# something is missing, so a warm run stays offline.
APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need_go() {
  command -v go >/dev/null || { log "the Go toolchain is required to build the test bed (apt-get install golang or /usr/local/go)"; exit 1; }
}

install_minio() {
  installed minio "$MINIO_VERSION" && return
  need_go; local t=$(date +%s)
  log "building minio@$MINIO_VERSION (a few minutes on 2 cores)"
  GOBIN="$BIN" go install "github.com/minio/minio@$MINIO_VERSION"
  stamp minio "$MINIO_VERSION"; log "minio built in $(elapsed "$t")"
}

install_helm() {
  installed helm "$HELM_VERSION" && return
  need_go; local t=$(date +%s)
  log "building helm@$HELM_VERSION"
  GOBIN="$BIN" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  stamp helm "$HELM_VERSION"; log "helm built in $(elapsed "$t")"
}

install_etcd() {
  local want="debian-etcd-server"
  installed etcd "$want" && return
  if ! command -v etcd >/dev/null; then
    log "installing etcd-server from Debian"
    apt_install etcd-server
    # The package starts a system etcd on :2379; the test bed runs its own on free ports.
    $SUDO systemctl disable --now etcd >/dev/null 2>&1 || $SUDO service etcd stop >/dev/null 2>&1 || true
    pkill -x etcd 2>/dev/null || true
  fi
  ln -sf "$(command -v etcd)" "$BIN/etcd"
  stamp etcd "$want"
}

# Headless Chromium renders the coordinator's web page in tests. Debian's package, like etcd: the
# apt index is refreshed only when chromium is not installed yet, so a warm run stays offline.
install_chromium() {
  local want="debian-chromium"
  installed chromium "$want" && return
  if ! command -v chromium >/dev/null; then
    local t=$(date +%s)
    log "installing chromium from Debian"
    apt_install chromium
    log "chromium installed in $(elapsed "$t")"
  fi
  ln -sf "$(command -v chromium)" "$BIN/chromium"
  stamp chromium "$want"
}

# The Kubernetes binaries come from k8s.io/kubernetes, which is meant to be built from its own
# repo: depending on it as a module needs every k8s.io/<staging> module replaced by its v0.Y.Z tag.
# The proxy refuses k8s.io/endpointslice at the release's own tag (kube-controller-manager imports
# it): the previous patch release is used for that one module. Version ldflags make every binary
# (and so `kubectl version` and the node) report the real version.
KUBE_COMMANDS="kube-apiserver kubectl kubelet kube-controller-manager kube-scheduler kube-proxy"
install_kubernetes() {
  local want="$KUBERNETES_VERSION recipe $KUBERNETES_RECIPE" all=1 c
  for c in $KUBE_COMMANDS; do installed "$c" "$KUBERNETES_VERSION" || all=""; done
  [ -n "$all" ] && [ "$(cat "$CACHE/stamps/kubernetes-recipe" 2>/dev/null)" = "$want" ] && return
  need_go; local t=$(date +%s)
  local minor="0.${KUBERNETES_VERSION#*.}"
  local patch="${KUBERNETES_VERSION##*.}"
  local mod="$CACHE/src/k8s-$KUBERNETES_VERSION"
  log "building $KUBE_COMMANDS v$KUBERNETES_VERSION (about 6 minutes cold on 2 cores)"
  rm -rf "$mod"; mkdir -p "$mod"
  local gomod
  gomod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  cat > "$mod/go.mod" <<GOMOD
module weir.dev/testbed/k8s

go 1.23
GOMOD
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for c in $KUBE_COMMANDS; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$c"; done
    printf ')\n'
  } > "$mod/tools.go"
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=${KUBERNETES_VERSION%%.*}"
    ldflags="$ldflags -X $pkg.gitMinor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2) -X $pkg.gitTreeState=clean"
  done
  (
    cd "$mod"
    for m in $(grep -E '=> \./staging/' "$gomod" | awk '{print $1}'); do
      if [ "$m" = "k8s.io/endpointslice" ] && [ "$patch" -gt 0 ]; then
        go mod edit "-replace=$m=$m@v${minor%.*}.$((patch - 1))"
      else
        go mod edit "-replace=$m=$m@v$minor"
      fi
    done
    go get "k8s.io/kubernetes@v$KUBERNETES_VERSION"
    go mod tidy -e >/dev/null 2>&1 || true
    local cmds=""
    for c in $KUBE_COMMANDS; do cmds="$cmds k8s.io/kubernetes/cmd/$c"; done
    # shellcheck disable=SC2086
    GOBIN="$BIN" go install -ldflags "$ldflags" $cmds
  )
  for c in $KUBE_COMMANDS; do stamp "$c" "$KUBERNETES_VERSION"; done
  stamp kubernetes-recipe "$want"
  log "Kubernetes binaries built in $(elapsed "$t")"
}

# CoreDNS without every cloud SDK: a small main package with the plugins a cluster DNS needs.
install_coredns() {
  installed coredns "$COREDNS_VERSION" && return
  need_go; local t=$(date +%s)
  local mod="$CACHE/src/coredns-$COREDNS_VERSION"
  log "building coredns@$COREDNS_VERSION (about 4 minutes cold)"
  rm -rf "$mod"; mkdir -p "$mod"
  cat > "$mod/go.mod" <<GOMOD
module weir.dev/testbed/coredns

go 1.23
GOMOD
  {
    printf 'package main\n\nimport (\n\t"github.com/coredns/coredns/coremain"\n'
    for p in bind cache errors forward health hosts kubernetes loadbalance log loop ready reload; do
      printf '\t_ "github.com/coredns/coredns/plugin/%s"\n' "$p"
    done
    printf ')\n\nfunc main() { coremain.Run() }\n'
  } > "$mod/main.go"
  (
    cd "$mod"
    go get "github.com/coredns/coredns@$COREDNS_VERSION"
    go mod tidy >/dev/null
    go build -ldflags "-s -w" -o "$BIN/coredns" .
  )
  stamp coredns "$COREDNS_VERSION"; log "coredns built in $(elapsed "$t")"
}

install_crictl() {
  installed crictl "$CRICTL_VERSION" && return
  need_go; local t=$(date +%s)
  log "building crictl@$CRICTL_VERSION"
  GOBIN="$BIN" go install -ldflags "-s -w" "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  stamp crictl "$CRICTL_VERSION"; log "crictl built in $(elapsed "$t")"
}

# Apache Kafka from its Maven Central artifacts: kafka_2.13 and its runtime dependencies, copied by
# Maven into kafka-VERSION/libs (the class path of kafka.Kafka and kafka.tools.StorageTool); `kafka`
# beside it points at the pinned version. tools/testbed/kafka/kafka-broker.sh runs a node from it.
install_kafka() {
  local home="$CACHE/kafka-$KAFKA_VERSION" pom="$ROOT/tools/testbed/kafka/pom.xml" want
  want="$KAFKA_VERSION $(sha256sum "$pom" | cut -c1-16)"
  if [ -d "$home/libs" ] && [ "$(cat "$CACHE/stamps/kafka" 2>/dev/null)" = "$want" ]; then
    ln -sfn "kafka-$KAFKA_VERSION" "$CACHE/kafka"; return
  fi
  command -v mvn >/dev/null || { log "Maven is required to fetch Kafka's jars"; exit 1; }
  local t=$(date +%s)
  log "fetching Kafka $KAFKA_VERSION's jars with Maven"
  rm -rf "$home.tmp"; mkdir -p "$CACHE/logs"
  if ! mvn -B -f "$pom" "-Dkafka.version=$KAFKA_VERSION" dependency:copy-dependencies \
      -DincludeScope=runtime "-DoutputDirectory=$home.tmp/libs" > "$CACHE/logs/kafka-install.log" 2>&1; then
    tail -40 "$CACHE/logs/kafka-install.log" >&2
    log "fetching Kafka's jars failed (log: $CACHE/logs/kafka-install.log)"; exit 1
  fi
  rm -rf "$home"; mv "$home.tmp" "$home"
  ln -sfn "kafka-$KAFKA_VERSION" "$CACHE/kafka"
  stamp kafka "$want"
  log "Kafka $KAFKA_VERSION: $(ls "$home/libs" | wc -l) jars, $(du -sh "$home/libs" | cut -f1), in $(elapsed "$t")"
}

# containerd, runc, the CNI plugins, iptables and conntrack run the node; docker.io and debootstrap
# build images (there is no image registry to pull from).
CLUSTER_PACKAGES="containerd runc containernetworking-plugins iptables conntrack docker.io debootstrap"
install_cluster_packages() {
  local want="debian: $CLUSTER_PACKAGES" missing="" p
  for p in $CLUSTER_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && installed containerd "$want" && return
  if [ -n "$missing" ]; then
    local t=$(date +%s)
    log "installing$missing from Debian"
    # shellcheck disable=SC2086
    apt_install $missing
    log "installed in $(elapsed "$t")"
  fi
  # Debian's packages may start their services; the test bed runs its own instances.
  $SUDO service containerd stop >/dev/null 2>&1 || true
  $SUDO service docker stop >/dev/null 2>&1 || true
  for p in containerd ctr runc dockerd; do ln -sf "$(command -v "$p")" "$BIN/$p"; done
  ln -sf /usr/bin/docker "$BIN/docker"   # the client of Debian's daemon, whatever else is on PATH
  stamp containerd "$want"
}

# The pause image (every pod's sandbox): Kubernetes' own pause.c from the module we build from,
# linked statically, packed by hand as a docker-archive tar that `ctr images import` reads.
install_pause_image() {
  local out="$CACHE/images/pause.tar" want="$KUBERNETES_VERSION $PAUSE_IMAGE"
  [ -f "$out" ] && [ "$(cat "$CACHE/stamps/pause-image" 2>/dev/null)" = "$want" ] && return
  need_go
  command -v gcc >/dev/null || apt_install gcc libc6-dev
  local dir src
  dir=$(mktemp -d)
  src=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')
  mkdir -p "$dir/layer" "$CACHE/images"
  gcc -Os -static -o "$dir/layer/pause" "$src/build/pause/linux/pause.c"
  strip "$dir/layer/pause" 2>/dev/null || true
  tar -C "$dir/layer" --owner=0 --group=0 -cf "$dir/layer.tar" pause
  local diff config_sha
  diff=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  cat > "$dir/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]}}
JSON
  config_sha=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/$config_sha.json"
  cat > "$dir/manifest.json" <<JSON
[{"Config":"$config_sha.json","RepoTags":["$PAUSE_IMAGE"],"Layers":["layer.tar"]}]
JSON
  tar -C "$dir" -cf "$out.tmp" manifest.json "$config_sha.json" layer.tar
  mv "$out.tmp" "$out"
  rm -rf "$dir"
  stamp pause-image "$want"
  log "pause image packed into $out"
}

# A minimal Debian root file system, debootstrapped once and kept as a tar: the base of the local
# JRE image that Weir's Dockerfiles build FROM here (tools/testbed/images.sh imports it).
install_debian_rootfs() {
  local out="$CACHE/images/debian-$DEBIAN_SUITE.tar" want="debootstrap minbase $DEBIAN_SUITE"
  [ -f "$out" ] && [ "$(cat "$CACHE/stamps/debian-rootfs" 2>/dev/null)" = "$want" ] && return
  local t=$(date +%s) dir mirror
  mirror=$(sed -n 's/^URIs: *\(.*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror="${mirror:-$(sed -n 's/^deb \([^ ]*\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)}"
  log "debootstrap $DEBIAN_SUITE from ${mirror:-the default mirror} (about 2 minutes)"
  dir=$(mktemp -d)
  $SUDO debootstrap --variant=minbase "$DEBIAN_SUITE" "$dir" ${mirror:+"$mirror"} >/dev/null
  $SUDO rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  mkdir -p "$CACHE/images"
  $SUDO tar -C "$dir" -cf "$out.tmp" .
  $SUDO rm -rf "$dir"
  mv "$out.tmp" "$out"
  stamp debian-rootfs "$want"
  log "Debian root file system in $(elapsed "$t")"
}

# fabric8's kube-api-test finds etcd, kube-apiserver and kubectl in <dir>/k8s/<version>-<os>-<arch>/
# and, in offline mode, never downloads anything.
layout_kube_api_test() {
  local dir="$CACHE/kubeapitest/k8s/$KUBERNETES_VERSION-linux-amd64"
  mkdir -p "$dir"
  for b in etcd kube-apiserver kubectl; do ln -sf "$BIN/$b" "$dir/$b"; done
}

# Everything tools/cluster.sh and tools/testbed/images.sh need.
install_cluster() {
  install_cluster_packages; install_coredns; install_crictl; install_pause_image; install_debian_rootfs
}

start=$(date +%s)
only="${1:-all}"
case "$only" in
  all) install_etcd; install_minio; install_helm; install_kubernetes; layout_kube_api_test
       install_chromium; install_kafka; install_cluster ;;
  kafka) install_kafka ;;
  minio) install_minio ;; helm) install_helm ;; etcd) install_etcd ;; chromium) install_chromium ;;
  kubernetes) install_kubernetes; layout_kube_api_test ;;
  cluster) install_etcd; install_kubernetes; layout_kube_api_test; install_cluster ;;
  packages) install_cluster_packages ;; coredns) install_coredns ;; crictl) install_crictl ;;
  pause) install_pause_image ;; rootfs) install_debian_rootfs ;;
  *) log "unknown component '$only' (all|minio|helm|etcd|kubernetes|chromium|kafka|cluster|packages|coredns|crictl|pause|rootfs)"; exit 2 ;;
esac
log "test bed ready in $BIN ($(elapsed "$start")):"
for b in etcd minio helm $KUBE_COMMANDS chromium coredns crictl containerd; do
  [ -x "$BIN/$b" ] && log "  $b $(cat "$CACHE/stamps/$b" 2>/dev/null)"
done
[ -d "$CACHE/kafka/libs" ] && log "  kafka $(cat "$CACHE/stamps/kafka" 2>/dev/null) in $CACHE/kafka/libs"
echo "$BIN"
