#!/usr/bin/env bash
# Benchmark: Weir's WordCount against the Flink peer (../shared/peers/flink-wordcount), same job,
# same machine, same run. Prints records/s of each and the ratio Weir/Flink per state backend.
#   tools/bench/wordcount.sh [--records 20000000] [--keys 100000] [--parallelism 2] [--backends "heap rocksdb"]
#   WEIR_MODE=" " tools/bench/wordcount.sh   # Weir with worker processes instead of --in-process
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
records=20000000; keys=100000; parallelism=2; backends="heap rocksdb"
peer="${WEIR_FLINK_PEER:-$root/../shared/peers/flink-wordcount}"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --backends) backends="$2"; shift 2 ;;
    --peer) peer="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
jar="$root/worker/target/weir-worker.jar"
[ -f "$jar" ] || mvn -B -q -f "$root/pom.xml" -pl worker -am package -DskipTests
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

weir_run() { # backend
  cat > "$tmp/wc-$1.yaml" <<YAML
apiVersion: weir.dev/v1alpha1
kind: StreamingJob
metadata: {name: wordcount-bench}
spec:
  parallelism: $parallelism
  job: {entryClass: dev.weir.jobs.WordCount, args: [--records, "$records", --keys, "$keys"]}
  checkpointing: {interval: 1s, mode: EXACTLY_ONCE}
  stateBackend: $1
  storage: {path: $tmp/checkpoints-$1}
  restartStrategy: {type: none}
YAML
  java -Xms2g -Xmx4g ${WEIR_JAVA_OPTS:-} -jar "$jar" local ${WEIR_MODE:---in-process} --quiet "$tmp/wc-$1.yaml" \
      >"$tmp/weir-$1.out" 2>"$tmp/weir-$1.log" || { tail -20 "$tmp/weir-$1.log" >&2; }
  grep '^RESULT' "$tmp/weir-$1.out" || true
}
flink_run() { # backend
  "$peer/run.sh" --backend "$1" --records "$records" --keys "$keys" --parallelism "$parallelism" \
      >"$tmp/flink-$1.out" 2>"$tmp/flink-$1.log" || { tail -20 "$tmp/flink-$1.log" >&2; }
  grep -o 'RESULT.*' "$tmp/flink-$1.out" || true
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

printf '%-8s %14s %14s %8s  %s\n' backend weir_rec_s flink_rec_s ratio "weir checkpoints"
for b in $backends; do
  fb=$([ "$b" = heap ] && echo hashmap || echo "$b")
  w=$(weir_run "$b"); f=$(flink_run "$fb")
  wr=$(echo "$w" | field recordsPerSec); fr=$(echo "$f" | field recordsPerSec)
  ckpt=$(echo "$w" | sed -n 's/.*checkpoints\[\([^]]*\)\].*/\1/p')
  printf '%-8s %14.0f %14.0f %8.2f  %s\n' "$b" "$wr" "$fr" "$(awk -v a="$wr" -v b="$fr" 'BEGIN{print a/b}')" "$ckpt"
  echo "  weir:  $w"; echo "  flink: $f"
done
