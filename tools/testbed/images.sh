#!/usr/bin/env bash
# Container images for the test bed's cluster, built here without any registry:
#
#   tools/testbed/images.sh docker            # start the test bed's own dockerd (idempotent)
#   tools/testbed/images.sh base              # weir-testbed/debian:bookworm and weir-testbed/jre:17
#   tools/testbed/images.sh minio             # weir/minio:dev from the test bed's MinIO binary
#   tools/testbed/images.sh kafka             # weir/kafka:VERSION (one KRaft node) from the test bed's
#                                             # Kafka jars, on the local JRE base
#   tools/testbed/images.sh weir TAG          # weir/worker:TAG and weir/operator:TAG from the project's
#                                             # own Dockerfiles (after `mvn package`), on the local JRE base
#   tools/testbed/images.sh all TAG           # all of the above
#
# Prints the names of the images it made. The dockerd is the test bed's own (data in the cache,
# socket $CACHE/run/docker.sock, no iptables or bridge of its own: builds use the host network).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${WEIR_TESTBED_CACHE:-$HOME/.cache/weir/testbed}"
BIN="$CACHE/bin"
export DOCKER_HOST="unix://$CACHE/run/docker.sock"
export DOCKER_BUILDKIT=0
DEBIAN_IMAGE="weir-testbed/debian:bookworm"
JRE_IMAGE="weir-testbed/jre:17"

log() { printf '[images] %s\n' "$*" >&2; }
docker() { "$BIN/docker" "$@"; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

start_docker() {
  [ -x "$BIN/dockerd" ] || bash "$ROOT/tools/testbed/setup.sh" cluster >/dev/null
  if docker version >/dev/null 2>&1; then return; fi
  mkdir -p "$CACHE/run" "$CACHE/docker" "$CACHE/logs"
  setsid "$BIN/dockerd" --host "$DOCKER_HOST" --data-root "$CACHE/docker" \
    --exec-root "$CACHE/run/docker-exec" --pidfile "$CACHE/run/dockerd.pid" \
    --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
    --containerd-namespace weir-testbed-docker --containerd-plugins-namespace weir-testbed-docker-plugins \
    >> "$CACHE/logs/dockerd.log" 2>&1 < /dev/null &
  local i
  for i in $(seq 300); do docker version >/dev/null 2>&1 && return; sleep 0.1; done
  log "dockerd did not start (log: $CACHE/logs/dockerd.log)"; exit 1
}

# The stamp of an image: the inputs it was built from. Rebuilt when they change.
stamp_ok() { [ "$(cat "$CACHE/stamps/image-$2" 2>/dev/null)" = "$3" ] && have_image "$1"; }
stamp() { echo "$2" > "$CACHE/stamps/image-$1"; }

base() {
  start_docker
  local rootfs="$CACHE/images/debian-bookworm.tar"
  [ -f "$rootfs" ] || bash "$ROOT/tools/testbed/setup.sh" cluster >/dev/null
  local want
  want=$(stat -c '%s %Y' "$rootfs")
  if ! stamp_ok "$DEBIAN_IMAGE" debian "$want"; then
    docker import "$rootfs" "$DEBIAN_IMAGE" >/dev/null
    stamp debian "$want"; log "imported $DEBIAN_IMAGE"
  fi
  want="$want $(sha256sum "$ROOT/tools/testbed/images/jre/Dockerfile" | cut -c1-16)"
  if ! stamp_ok "$JRE_IMAGE" jre "$want"; then
    local t=$(date +%s)
    docker build -q --network host --build-arg "BASE=$DEBIAN_IMAGE" -t "$JRE_IMAGE" \
      "$ROOT/tools/testbed/images/jre" >/dev/null
    stamp jre "$want"; log "built $JRE_IMAGE in $(( $(date +%s) - t ))s"
  fi
  echo "$DEBIAN_IMAGE"; echo "$JRE_IMAGE"
}

minio() {
  base >/dev/null
  [ -x "$BIN/minio" ] || bash "$ROOT/tools/testbed/setup.sh" minio >/dev/null
  local version image
  version=$(cat "$CACHE/stamps/minio")
  image="weir/minio:dev"   # the name manifests/minio.yaml uses
  local want="$version $(sha256sum "$ROOT/tools/testbed/images/minio/Dockerfile" | cut -c1-16)"
  if ! stamp_ok "$image" minio "$want"; then
    local ctx
    ctx=$(mktemp -d)
    cp "$ROOT/tools/testbed/images/minio/Dockerfile" "$ctx/"
    cp "$(readlink -f "$BIN/minio")" "$ctx/minio"
    docker build -q --network host --build-arg "BASE=$DEBIAN_IMAGE" -t "$image" "$ctx" >/dev/null
    rm -rf "$ctx"
    stamp minio "$want"; log "built $image"
  fi
  echo "$image"
}

kafka() {
  base >/dev/null
  [ -d "$CACHE/kafka/libs" ] || bash "$ROOT/tools/testbed/setup.sh" kafka >/dev/null
  local dir="$ROOT/tools/testbed/kafka" version image want
  local files=("$ROOT/tools/testbed/images/kafka/Dockerfile" "$dir/kafka-broker.sh" "$dir/broker.properties"
    "$dir/log4j2.properties")
  version=$(cut -d' ' -f1 "$CACHE/stamps/kafka")
  image="weir/kafka:$version"   # the name manifests/kafka.yaml uses
  want="$(cat "$CACHE/stamps/kafka") $(cat "${files[@]}" | sha256sum | cut -c1-16)"
  if ! stamp_ok "$image" kafka "$want"; then
    local ctx t=$(date +%s)
    ctx=$(mktemp -d)
    cp "${files[@]}" "$ctx/"
    cp -r "$(readlink -f "$CACHE/kafka")/libs" "$ctx/libs"
    docker build -q --network host --build-arg "BASE=$JRE_IMAGE" -t "$image" "$ctx" >/dev/null
    rm -rf "$ctx"
    stamp kafka "$want"; log "built $image in $(( $(date +%s) - t ))s"
  fi
  echo "$image"
}

weir() {
  local tag=${1:?weir TAG}
  base >/dev/null
  local module
  for module in worker operator; do
    local jar="$ROOT/$module/target/weir-$module.jar"
    [ -f "$jar" ] || { log "$jar is missing: build it first (mvn -pl $module -am package)"; exit 1; }
    docker build -q --network host --build-arg "BASE=$JRE_IMAGE" -f "$ROOT/$module/Dockerfile" \
      -t "weir/$module:$tag" "$ROOT" >/dev/null
    log "built weir/$module:$tag from $module/Dockerfile"
    echo "weir/$module:$tag"
  done
}

case "${1:-}" in
  docker) start_docker; echo "$DOCKER_HOST" ;;
  base) base ;;
  minio) minio ;;
  kafka) kafka ;;
  weir) shift; weir "$@" ;;
  all) shift; base; minio; kafka; weir "$@" ;;
  *) echo "usage: tools/testbed/images.sh docker|base|minio|kafka|weir TAG|all TAG" >&2; exit 2 ;;
esac
