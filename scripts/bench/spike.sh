#!/usr/bin/env bash
# Issue 14's overload, against a stack in its own process (so its RSS is the stack's alone): API calls at
# BASE/s with a 10 s spike to PEAK/s at 8 s, 200 connections, driven by `gauntlet run --endpoints`.
# Samples the stack's RSS every second, then prints from the run's per-request log:
#   - answers by status, and the refusals' (503/504/429) p99 latency (issue 14: under 100 ms);
#   - the per-second p99 before the spike, and how many seconds after it ends the per-second p99 is back
#     within 2x of that (issue 14: within 5 s);
#   - the stack's RSS before the spike and its largest after (issue 14: within 1.5x), and whether it lived.
#
# Needs: jq, python3. Usage: scripts/bench/spike.sh [BASE] [PEAK]   (defaults 200 3000, the issue's figures)
#   KEEP=1 keeps the work directory (stack log, run results, RSS samples).
#   GAUNTLET=path/to/gauntlet picks a build (default: a release build in .build).
set -euo pipefail
BASE=${1:-200}
PEAK=${2:-3000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${GAUNTLET:-}" ]; then
  (cd "$ROOT" && swift build -c release --product gauntlet >&2)
  GAUNTLET=$(cd "$ROOT" && swift build -c release --show-bin-path)/gauntlet
fi
for tool in jq python3; do
  command -v "$tool" >/dev/null || { echo "spike.sh: $tool is missing" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/gauntlet-spike.XXXXXX)
STACK_PID="" SAMPLER_PID=""
cleanup() {
  for pid in $SAMPLER_PID $STACK_PID; do { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true; done
  if [ -n "${KEEP:-}" ]; then echo "spike.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

printf 'identity:\n  demo_users: {managers: 2, analysts: 4}\n' > "$WORK/stack.yaml"
"$GAUNTLET" stack --config "$WORK/stack.yaml" --state-dir "$WORK/state" --endpoints "$WORK/endpoints.json" > "$WORK/stack.log" 2>&1 &
STACK_PID=$!
for _ in $(seq 1 300); do [ -s "$WORK/endpoints.json" ] && break; sleep 0.1; done
[ -s "$WORK/endpoints.json" ] || { echo "spike.sh: the stack did not start" >&2; cat "$WORK/stack.log" >&2; exit 3; }

cat > "$WORK/spike.yaml" <<YAML
version: 1
name: stack-spike
seed: 14
target: { endpoints: $WORK/endpoints.json }
users: { managers: 2, analysts: 4, login: browser }
warmup: 2s
duration: 35s
http: { connections: 200, timeout: 10s, request_log: true }
requests:
  api:
    schedule: { kind: spike, base: $BASE, peak: $PEAK, at: 8s, duration: 10s }
    calls:
      - { method: GET, path: "/analytics/api/search?q=error&limit=20", weight: 3 }
      - { method: GET, path: "/analytics/api/counts?interval=1m", weight: 2 }
      - { method: GET, path: /manager/api/users, as: managers }
YAML

# RSS in kB, one line a second: "<unix seconds> <kB>".
(while kill -0 "$STACK_PID" 2>/dev/null; do
   echo "$(date +%s.%N) $(awk '/^VmRSS:/ {print $2}' "/proc/$STACK_PID/status" 2>/dev/null || echo 0)"
   sleep 1
 done) > "$WORK/rss.txt" &
SAMPLER_PID=$!
STARTED=$(date +%s.%N)
"$GAUNTLET" run "$WORK/spike.yaml" --endpoints "$WORK/endpoints.json" --out "$WORK/run" --quiet > "$WORK/run.log" 2>&1 || true
ALIVE=no; kill -0 "$STACK_PID" 2>/dev/null && ALIVE=yes
[ -f "$WORK/run/requests.jsonl" ] || { echo "spike.sh: the run wrote no request log:" >&2; tail -20 "$WORK/run.log" >&2; exit 3; }

python3 - "$WORK/run/requests.jsonl" "$WORK/rss.txt" "$STARTED" "$ALIVE" <<'PY'
import collections, json, sys
log, rss_file, started, alive = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
rows = [json.loads(line) for line in open(log)]
def p99(values):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, -(-len(values) * 99 // 100) - 1))] if values else 0.0
# requests.jsonl (RequestLogRecord): `t` the intended send time since the run's start (warm-up included),
# `latency` from it (coordinated-omission corrected; null when no answer came: counted as the 10 s timeout).
TIMEOUT = 10.0
latency = lambda r: r["latency"] if r.get("latency") is not None else TIMEOUT
statuses = collections.Counter(str(r.get("status")) for r in rows)
refusals = [latency(r) for r in rows if r.get("status") in (429, 503, 504)]
print("answers by status:", dict(sorted(statuses.items())))
print(f"refusals (429/503/504): {len(refusals)}, p99 {p99(refusals) * 1000:.1f} ms")
by_second = collections.defaultdict(list)
for r in rows: by_second[int(r["t"])].append(latency(r))
spike_at, spike_end = 8 + 2, 18 + 2  # the schedule's times are after the 2 s warm-up
before = max(p99(by_second[s]) for s in range(3, spike_at) if by_second[s])
print(f"per-second p99 before the spike (max of seconds 3..{spike_at - 1}): {before * 1000:.1f} ms")
recovered = next((s for s in sorted(by_second) if s >= spike_end and all(p99(by_second[t]) <= 2 * before for t in by_second if t >= s)), None)
print("per-second p99 (ms):", " ".join(f"{s}:{p99(by_second[s]) * 1000:.0f}" for s in sorted(by_second)))
print(f"back within 2x of it {recovered - spike_end} s after the spike ended" if recovered is not None else "never back within 2x")
samples = [tuple(map(float, line.split())) for line in open(rss_file) if len(line.split()) == 2]
pre = [kb for t, kb in samples if started + 3 <= t < started + spike_at]
post = [kb for t, kb in samples if t >= started + spike_at]
if pre and post:
    print(f"stack RSS: {pre[-1] / 1024:.0f} MiB before the spike, at most {max(post) / 1024:.0f} MiB after ({max(post) / pre[-1]:.2f}x)")
print(f"stack alive at the end: {alive}")
PY
