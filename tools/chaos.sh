#!/usr/bin/env bash
# Chaos soak: PageViewCount (exactly-once file sink) on real coordinator and worker processes with
# checkpoints and output on the test bed's MinIO, under a seeded random schedule of faults (worker
# and coordinator SIGKILL, SIGSTOP/SIGCONT pauses beyond the heartbeat timeout, MinIO down for
# 10-30 s, stop-with-savepoint rescales), on heap and RocksDB state, aligned and unaligned
# checkpoints. Checks every run's committed output for exactly 1..N/K per key; prints a summary
# table; exits 1 on any lost or duplicated count or stuck run. Same seed, same schedules.
#   tools/chaos.sh --runs 200 --seed 7            # the soak
#   tools/chaos.sh --runs 200 --seed 7 --run 42   # replay run 42 of it alone
#   tools/chaos.sh --seed 7 --runs 8 --plans-only # print the schedules, run nothing
#   tools/chaos.sh --help                         # every option (--events, --keys, --rate, ...)
# Needs the test bed's MinIO (tools/testbed/setup.sh). Runs one job at a time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/worker/target/weir-worker.jar"
if [ ! -f "$jar" ] || [ ! -d "$root/worker/target/test-classes/dev/weir/chaos" ] \
    || [ ! -d "$root/tools/testbed/target/classes" ] || [ -n "${WEIR_CHAOS_BUILD:-}" ]; then
  mvn -B -q -o -f "$root/pom.xml" -pl worker -am package -DskipTests >&2
fi
# a copy of what the soak runs, so that a build during a long soak does not change it under it
stage="$(mktemp -d "${TMPDIR:-/tmp}/weir-chaos-classes-XXXXXX")"; trap 'rm -rf "$stage"' EXIT
cp "$jar" "$stage/weir-worker.jar"
cp -r "$root/worker/target/test-classes" "$stage/test-classes"
cp -r "$root/tools/testbed/target/classes" "$stage/testbed-classes"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
awaitility="$(sed -n 's:.*<awaitility.version>\(.*\)</awaitility.version>.*:\1:p' "$root/pom.xml")"
hamcrest="$(ls -d "$m2"/org/hamcrest/hamcrest/*/ | sort -V | tail -1)"
cp="$stage/weir-worker.jar:$stage/test-classes:$stage/testbed-classes"
cp="$cp:$m2/org/awaitility/awaitility/$awaitility/awaitility-$awaitility.jar"
cp="$cp:$(ls "$hamcrest"hamcrest-*.jar | grep -v sources | head -1)"
# MinIO's credentials, given to it and to the processes of the job through the environment
export WEIR_S3_ACCESS_KEY="${WEIR_S3_ACCESS_KEY:-weir-chaos}"
export WEIR_S3_SECRET_KEY="${WEIR_S3_SECRET_KEY:-weir-chaos-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}"
export WEIR_WORKER_JAVA_OPTS="${WEIR_WORKER_JAVA_OPTS:--Xmx512m}"
commit="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- worker tools/testbed || echo '+changes')"
java -Xmx512m -cp "$cp" dev.weir.chaos.ChaosSoak --commit "$commit" "$@"
