#!/usr/bin/env bash
# Runs one Apache Kafka node in KRaft mode (broker and controller in one process) in the
# foreground: writes DIR/server.properties, formats DIR/data on the first start only (a fresh
# random cluster id), then execs the JVM, so the caller's process id is the broker's (SIGKILL
# reaches the JVM itself). Used by the KafkaBroker test fixture, tools/kafka.sh and the
# weir/kafka image's entrypoint; the settings they share are broker.properties beside this file.
#
#   kafka-broker.sh --dir DIR [--port 9092] [--controller-port PORT+1] [--host 127.0.0.1]
#                   [--advertised-host HOST] [--cluster-id ID] [--heap 512m] [--set key=value]...
#
# --host is the address the listeners bind (127.0.0.1: nothing outside the machine reaches it;
# 0.0.0.0 in a pod, where the controller still binds 127.0.0.1); --advertised-host what clients are
# told to connect to (default: --host). --set overrides any
# setting, later ones win. KAFKA_LIBS is the class path directory (default: the test bed's install,
# ~/.cache/weir/testbed/kafka/libs, made by `tools/testbed/setup.sh kafka`); JAVA the java binary.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
LIBS="${KAFKA_LIBS:-${WEIR_TESTBED_CACHE:-$HOME/.cache/weir/testbed}/kafka/libs}"
JAVA="${JAVA:-java}"

dir="" port=9092 controller_port="" host=127.0.0.1 advertised="" cluster_id="" heap=512m
overrides=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --controller-port) controller_port="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --advertised-host) advertised="$2"; shift 2 ;;
    --cluster-id) cluster_id="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --set) overrides+=("$2"); shift 2 ;;
    *) echo "kafka-broker.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "kafka-broker.sh: --dir is required" >&2; exit 2; }
[ -d "$LIBS" ] || { echo "kafka-broker.sh: no Kafka class path at $LIBS (tools/testbed/setup.sh kafka)" >&2; exit 1; }
controller_port="${controller_port:-$((port + 1))}"
advertised="${advertised:-$host}"
# Only this node talks to its controller: with a wildcard --host (a pod) it listens on loopback.
controller_host="$host"
[ "$host" = "0.0.0.0" ] && controller_host=127.0.0.1

mkdir -p "$dir/data"
{
  cat "$HERE/broker.properties"
  cat <<PROPERTIES

# This node (kafka-broker.sh)
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$controller_host:$controller_port
listeners=PLAINTEXT://$host:$port,CONTROLLER://$controller_host:$controller_port
advertised.listeners=PLAINTEXT://$advertised:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$dir/data
PROPERTIES
  if [ ${#overrides[@]} -gt 0 ]; then
    printf '\n# Overrides (--set)\n'
    printf '%s\n' "${overrides[@]}"
  fi
} > "$dir/server.properties.tmp"
mv "$dir/server.properties.tmp" "$dir/server.properties"

jvm=(-cp "$LIBS/*" "-Dlog4j2.configurationFile=$HERE/log4j2.properties" -Djava.awt.headless=true)

if [ ! -f "$dir/data/meta.properties" ]; then
  if [ -z "$cluster_id" ]; then
    # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
    cluster_id=-
    while [ "${cluster_id#-}" != "$cluster_id" ]; do
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
  fi
  echo "kafka-broker.sh: formatting $dir/data for cluster $cluster_id" >&2
  "$JAVA" -Xmx256m "${jvm[@]}" kafka.tools.StorageTool format \
    --cluster-id "$cluster_id" --config "$dir/server.properties"
fi

exec "$JAVA" "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:+ExitOnOutOfMemoryError "${jvm[@]}" kafka.Kafka "$dir/server.properties"
