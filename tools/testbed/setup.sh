#!/usr/bin/env bash
# Installs Weir's test bed into a cache outside the repo: MinIO, helm, etcd, kube-apiserver, kubectl,
# headless Chromium.
# Idempotent: each tool is rebuilt only when its pinned version changes. A warm run takes seconds.
#
#   tools/testbed/setup.sh            # install what is missing, print the bin directory's contents
#   WEIR_TESTBED_CACHE=/path ...      # cache location (default ~/.cache/weir/testbed)
set -euo pipefail

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"   # github.com/minio/minio (no semver tags on the proxy)
HELM_VERSION="v3.19.0"
KUBERNETES_VERSION="1.32.13"                         # kube-apiserver + kubectl; works with Debian's etcd 3.4

CACHE="${WEIR_TESTBED_CACHE:-$HOME/.cache/weir/testbed}"
BIN="$CACHE/bin"
mkdir -p "$BIN" "$CACHE/stamps"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOPATH="${GOPATH:-$HOME/go}"

log() { printf '[testbed] %s\n' "$*" >&2; }
elapsed() { echo $(( $(date +%s) - $1 ))s; }

# installed NAME VERSION -> 0 when BIN/NAME exists and was built from VERSION
installed() { [ -x "$BIN/$1" ] && [ "$(cat "$CACHE/stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$CACHE/stamps/$1"; }

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
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server >/dev/null
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
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    log "chromium installed in $(elapsed "$t")"
  fi
  ln -sf "$(command -v chromium)" "$BIN/chromium"
  stamp chromium "$want"
}

# kube-apiserver and kubectl come from k8s.io/kubernetes, which is meant to be built from its own
# repo: depending on it as a module needs every k8s.io/<staging> module replaced by its v0.Y.Z tag.
install_kubernetes() {
  installed kube-apiserver "$KUBERNETES_VERSION" && installed kubectl "$KUBERNETES_VERSION" && return
  need_go; local t=$(date +%s)
  local minor="0.${KUBERNETES_VERSION#*.}"
  local mod="$CACHE/src/k8s-$KUBERNETES_VERSION"
  log "building kube-apiserver and kubectl v$KUBERNETES_VERSION (several minutes on 2 cores)"
  rm -rf "$mod"; mkdir -p "$mod"
  local gomod
  gomod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  cat > "$mod/go.mod" <<GOMOD
module weir.dev/testbed/k8s

go 1.23
GOMOD
  cat > "$mod/tools.go" <<'GOSRC'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GOSRC
  (
    cd "$mod"
    for m in $(grep -E '=> \./staging/' "$gomod" | awk '{print $1}'); do
      go mod edit "-replace=$m=$m@v$minor"
    done
    go get "k8s.io/kubernetes@v$KUBERNETES_VERSION"
    go mod tidy -e >/dev/null 2>&1 || true
    GOBIN="$BIN" go install k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
  )
  stamp kube-apiserver "$KUBERNETES_VERSION"; stamp kubectl "$KUBERNETES_VERSION"
  log "kube-apiserver and kubectl built in $(elapsed "$t")"
}

# fabric8's kube-api-test finds etcd, kube-apiserver and kubectl in <dir>/k8s/<version>-<os>-<arch>/
# and, in offline mode, never downloads anything.
layout_kube_api_test() {
  local dir="$CACHE/kubeapitest/k8s/$KUBERNETES_VERSION-linux-amd64"
  mkdir -p "$dir"
  for b in etcd kube-apiserver kubectl; do ln -sf "$BIN/$b" "$dir/$b"; done
}

start=$(date +%s)
only="${1:-all}"
case "$only" in
  all) install_etcd; install_minio; install_helm; install_kubernetes; layout_kube_api_test; install_chromium ;;
  minio) install_minio ;; helm) install_helm ;; etcd) install_etcd ;; chromium) install_chromium ;;
  kubernetes) install_kubernetes; layout_kube_api_test ;;
  *) log "unknown component '$only' (all|minio|helm|etcd|kubernetes|chromium)"; exit 2 ;;
esac
log "test bed ready in $BIN ($(elapsed "$start")):"
for b in etcd minio helm kube-apiserver kubectl chromium; do
  [ -x "$BIN/$b" ] && log "  $b $(cat "$CACHE/stamps/$b" 2>/dev/null)"
done
echo "$BIN"
