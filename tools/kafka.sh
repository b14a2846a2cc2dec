#!/usr/bin/env bash
# A Kafka broker to try Weir's Kafka examples by hand: the test bed's Apache Kafka (one KRaft node,
# installed by `tools/testbed/setup.sh kafka` on first use), in the background, on 127.0.0.1 only.
#
#   tools/kafka.sh start [--port 9092] [--dir D]   # prints the bootstrap address, e.g. 127.0.0.1:9092
#   tools/kafka.sh status [--dir D]                # prints it when running (exit 0), else exit 3
#   tools/kafka.sh stop [--dir D]                  # SIGTERM (clean shutdown), SIGKILL after 60 s
#
# D (default ~/.cache/weir/kafka) keeps the broker's data across stop/start, its log (D/kafka.log)
# and pid; delete it for a fresh broker. The controller listens on port+1. `start` on a running
# broker only prints its address; on a port another program holds it fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

command="${1:-}"; shift || true
port=9092 dir="$HOME/.cache/weir/kafka"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "tools/kafka.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
pidfile="$dir/kafka.pid"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
bootstrap() { cat "$dir/bootstrap"; }
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if running; then bootstrap; return; fi
  local p
  for p in "$port" "$((port + 1))"; do
    if port_taken "$p"; then echo "tools/kafka.sh: port $p is taken by another program" >&2; exit 1; fi
  done
  local out
  out=$(bash "$ROOT/tools/testbed/setup.sh" kafka 2>&1) || { echo "$out" >&2; exit 1; }
  mkdir -p "$dir"
  local mark=0
  [ -f "$dir/kafka.log" ] && mark=$(wc -l < "$dir/kafka.log")
  setsid bash "$ROOT/tools/testbed/kafka/kafka-broker.sh" --dir "$dir" --port "$port" \
    >> "$dir/kafka.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  echo "127.0.0.1:$port" > "$dir/bootstrap"
  local i
  for i in $(seq 1800); do
    if tail -n +"$((mark + 1))" "$dir/kafka.log" | grep -q 'Kafka Server started'; then
      bootstrap; return
    fi
    running || break
    sleep 0.1
  done
  tail -n 30 "$dir/kafka.log" >&2
  echo "tools/kafka.sh: the broker did not start (log: $dir/kafka.log)" >&2
  stop >/dev/null; exit 1
}

stop() {
  if ! running; then rm -f "$pidfile"; echo "stopped"; return; fi
  local pid i
  pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for i in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$pidfile"; echo "stopped"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) if running; then bootstrap; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: tools/kafka.sh start|stop|status [--port 9092] [--dir D]" >&2; exit 2 ;;
esac
