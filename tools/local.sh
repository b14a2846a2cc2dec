#!/usr/bin/env bash
# Runs a StreamingJob manifest on this machine, building the worker jar first when it is missing
# or older than the sources.
#   tools/local.sh manifests/page-view-count.yaml
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/worker/target/weir-worker.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/api/src" "$root/api/pom.xml" "$root/worker/src" "$root/worker/pom.xml" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "building $jar ..." >&2
  mvn -B -q -f "$root/pom.xml" -pl worker -am package -DskipTests >&2
fi
exec java ${WEIR_JAVA_OPTS:-} -jar "$jar" local "$@"
