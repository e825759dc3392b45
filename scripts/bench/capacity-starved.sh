#!/usr/bin/env bash
# A capacity search whose generator is the limit must say "generator-bound", never report a knee. The search
# runs against nginx `return 204` (which serves tens of thousands of requests per second from its own core),
# with Gauntlet pinned to one core shared with busy loops, so that its one worker cannot offer the rates.
# Expected: exit 3, "generator-bound: capacity ≥ X req/s", the steps' run-queue figures in the step lines.
# Needs: nginx, taskset (util-linux). Usage: scripts/bench/capacity-starved.sh [HOGS]   (GAUNTLET=binary to
# skip the build; PRIORITY="nice -n -10" keeps other work on a shared machine out of the figures)
set -uo pipefail
HOGS=${1:-3}
PRIORITY=${PRIORITY:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "${GAUNTLET:-}" ]]; then
  (cd "$ROOT" && swift build -c release --product gauntlet >&2) || exit 3
  GAUNTLET="$(cd "$ROOT" && swift build -c release --show-bin-path)/gauntlet"
fi
WORK=$(mktemp -d /tmp/gauntlet-starved.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  nginx -c "$WORK/nginx.conf" -p "$WORK" -s stop 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$PORT; location / { return 204; } } }
CONF
taskset -c 1 nginx -c "$WORK/nginx.conf" -p "$WORK"
cat > "$WORK/s.yaml" <<YAML
version: 1
name: starved
seed: 1
target: { lb: "http://127.0.0.1:$PORT/" }
duration: 4s
http: { connections: 50, workers: 1, timeout: 5s }
requests:
  http:
    schedule: { kind: constant, rate: 100 }
    requests: [ { url: "http://127.0.0.1:$PORT/", expect_status: 204 } ]
thresholds: [ "latency.http.p99 < 50ms" ]
capacity: { start_rate: 500, max_rate: 200000, step: 3s, warmup: 1s }
YAML
for _ in $(seq "$HOGS"); do $PRIORITY taskset -c 0 sh -c 'while :; do :; done' & PIDS+=($!); done
$PRIORITY taskset -c 0 "$GAUNTLET" capacity "$WORK/s.yaml" --out "$WORK/out"
code=$?
echo "capacity-starved: gauntlet capacity exited $code (3 and generator-bound expected)"
