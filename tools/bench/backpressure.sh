#!/usr/bin/env bash
# Benchmark: checkpoint duration under backpressure, aligned vs unaligned. PageViewCount behind a
# deliberately slow sink (--sink-rate records/s per subtask), so every channel into the counting
# stage is full; the same job runs once with aligned and once with unaligned checkpoints.
# Prints the RESULT line of each run (checkpoint p50/p99/max, completed, failed).
#   tools/bench/backpressure.sh [--events 200000] [--sink-rate 5000] [--parallelism 2] [--backend heap]
#   WEIR_MODE=--in-process tools/bench/backpressure.sh   # tasks as threads instead of worker processes
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
events=200000; sink_rate=5000; parallelism=2; backend=heap
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --sink-rate) sink_rate="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
jar="$root/worker/target/weir-worker.jar"
[ -f "$jar" ] || mvn -B -q -f "$root/pom.xml" -pl worker -am package -DskipTests
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

run() { # name, extra checkpointing fields
  cat > "$tmp/$1.yaml" <<YAML
apiVersion: weir.dev/v1alpha1
kind: StreamingJob
metadata: {name: backpressure-$1}
spec:
  parallelism: $parallelism
  job:
    entryClass: dev.weir.jobs.PageViewCount
    args: [--events, "$events", --keys, "100", --sink-rate, "$sink_rate", --output, "$tmp/out-$1"]
  checkpointing: {interval: 1s, mode: EXACTLY_ONCE, timeout: 5m$2}
  stateBackend: $backend
  storage: {path: $tmp/checkpoints-$1}
  restartStrategy: {type: none}
YAML
  java -Xmx1g ${WEIR_JAVA_OPTS:-} -jar "$jar" local ${WEIR_MODE:-} --quiet "$tmp/$1.yaml" \
      >"$tmp/$1.out" 2>"$tmp/$1.log" || { tail -20 "$tmp/$1.log" >&2; }
  echo "$1: $(grep '^RESULT' "$tmp/$1.out" || echo 'no RESULT')"
}
echo "PageViewCount, $events events, sink $sink_rate records/s per subtask, parallelism $parallelism, $backend"
run aligned ""
run unaligned ", unaligned: true"
