#!/usr/bin/env bash
# Who is to blame for a late request. Two runs of Gauntlet's release driver against a loopback target:
#  1. the target stalls 0.5 s every 5 s (1,000 req/s constant, 50 connections): requests wait for
#     connections the target holds. Expected: connection wait reported as the target's, no generator warning,
#     latency percentiles from intended times within a few % of the true ones.
#  2. the same target without stalls, but the generator pinned (taskset) to one core shared with busy
#     loops: the generator itself is late. Expected: GENERATOR FELL BEHIND, with the worker's run-queue wait
#     (the kernel's schedstat) as the reason even where the late reads look like connection wait.
# Needs: python3, taskset (util-linux), cc. Usage: scripts/bench/stall.sh [SECONDS] [HOGS]
#   (DRIVER_BENCH=path to reuse a driver-bench binary built by build-driver-bench.sh; PRIORITY="nice -n -10"
#   runs the generator, and the busy loops that starve it, above other work on a shared machine, so that
#   the first run measures the target's stalls and not the machine's other load)
set -euo pipefail
SECONDS_PER_RUN=${1:-20}
HOGS=${2:-3}
PRIORITY=${PRIORITY:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=${DRIVER_BENCH:-$("$ROOT/scripts/bench/build-driver-bench.sh")}
WORK=$(mktemp -d /tmp/gauntlet-stall.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

start_target() {   # STALL_EVERY STALL_FOR CPU; sets PORT (not in a subshell, so PIDS keeps the pid)
  rm -f "$WORK/port"
  taskset -c "$3" python3 "$ROOT/scripts/bench/stall-target.py" "$1" "$2" > "$WORK/port" &
  PIDS+=($!)
  for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
  PORT=$(cat "$WORK/port")
}

scenario() {   # PORT RATE → scenario file
  cat > "$WORK/s.yaml" <<YAML
version: 1
name: stall
seed: 1
target: { lb: "http://127.0.0.1:$1/" }
duration: ${SECONDS_PER_RUN}s
http: { connections: 50, workers: 1, timeout: 5s }
requests:
  http:
    schedule: { kind: constant, rate: $2 }
    requests: [ { url: "http://127.0.0.1:$1/", expect_status: 204 } ]
YAML
  echo "$WORK/s.yaml"
}

report() {   # OUT_DIR LABEL [EVERY STALL RATE]
  python3 - "$@" <<'PY'
import json, sys
out, label = sys.argv[1], sys.argv[2]
s = json.load(open(out + "/summary.json"))
lag = s["schedule_lag"]
def ms(p, k): return f"{p[k]*1000:.1f}ms" if p else "-"
total = s["all"]
print(f"{label}: {total['count']} requests, failed {total['failed']}, latency p99 {ms(total.get('latency'), 'p99')} p99.9 {ms(total.get('latency'), 'p99_9')}")
print(f"  schedule lag p99 {ms(lag.get('lag'), 'p99')}; generator lag p99 {ms(lag.get('generator_lag'), 'p99')}; "
      f"connection wait p99 {ms(lag.get('connection_wait'), 'p99')} over {(lag.get('connection_wait') or {}).get('count', 0)} requests")
cpu = lag.get("generator_cpu")
if cpu:
    print(f"  generator CPU: busiest worker {cpu['busiest']*100:.0f}% of a core, waited for a CPU {cpu['run_queue_wait']*100:.1f}% of the run ({cpu['mean_wait']*1000:.2f}ms each time it ran)")
print(f"  fell_behind={lag['fell_behind']}")
for w in s["warnings"]: print("  WARNING:", w)
if len(sys.argv) > 3:
    every, stall, rate = map(float, sys.argv[3:6])
    n = int(rate * s["scenario"]["duration"])
    base = total["latency"]["p50"]
    lat = sorted(((i / rate) % every < stall) * (stall - (i / rate) % every) + base for i in range(n))
    at = lambda p: lat[min(n - 1, int(-(-p / 100 * n // 1)) - 1)]
    for key, p in (("p99", 99), ("p99_9", 99.9)):
        print(f"  true {key} {at(p)*1000:.1f}ms, measured {total['latency'][key]*1000:.1f}ms, off by {abs(total['latency'][key]/at(p)-1)*100:.1f}%")
PY
}

# 1. the target's stalls; generator and target on separate cores.
start_target 5 0.5 1
$PRIORITY "$BENCH" "$(scenario "$PORT" 1000)" "$WORK/stall" > /dev/null
report "$WORK/stall" "stalling target (1000/s, 50 connections, 0.5 s every 5 s)" 5 0.5 1000
kill "${PIDS[-1]}"

# 2. a starved generator: pinned to core 0 with HOGS busy loops (at the generator's priority); the target on core 1.
start_target 0 0 1
for _ in $(seq "$HOGS"); do $PRIORITY taskset -c 0 sh -c 'while :; do :; done' & PIDS+=($!); done
$PRIORITY taskset -c 0 "$BENCH" "$(scenario "$PORT" 1000)" "$WORK/starved" > /dev/null
report "$WORK/starved" "starved generator (1000/s, one core shared with $HOGS busy loops)"
