#!/usr/bin/env bash
# End to end through the real driver: `gauntlet run` against a plain HTTP server that Gauntlet did not
# write (Python's http.server on 127.0.0.1, ephemeral port), then `gauntlet report` checked by
# scripts/verify/reports-render.sh (promtool, junitparser, hdrh, jsonschema, Chromium), then the run's
# own request log replayed as a plan at --speed 2 (half the recorded span, same count and mix) and
# compared with itself (every status matches).
#
# Needs: python3; the packages reports-render.sh lists.
# Usage: scripts/verify/reports-e2e.sh   (GAUNTLET=path/to/gauntlet to use a built binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gauntlet="${GAUNTLET:-}"
if [[ -z "$gauntlet" ]]; then
    (cd "$root" && swift build --product gauntlet >/dev/null)
    gauntlet="$root/.build/debug/gauntlet"
fi
work="$(mktemp -d /tmp/gauntlet-verify-e2e.XXXXXX)"
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
echo hello > "$work/index.html"
(cd "$work" && exec python3 -u -m http.server 0 --bind 127.0.0.1 > "$work/server.log" 2>&1) &
server=$!
for _ in $(seq 1 50); do grep -q "port" "$work/server.log" 2>/dev/null && break; sleep 0.1; done
port="$(grep -o 'port [0-9]*' "$work/server.log" | head -1 | awk '{print $2}')"
[[ -n "$port" ]] || { echo "FAIL the HTTP server did not start"; exit 1; }
cat > "$work/scenario.yaml" <<YAML
version: 1
name: reports-e2e
seed: 7
target:
  lb: http://127.0.0.1:$port
duration: 6s
warmup: 1s
http:
  request_log: true
requests:
  http:
    schedule: { kind: constant, rate: 40 }
    requests:
      - url: http://127.0.0.1:$port/index.html
      - url: http://127.0.0.1:$port/missing
        expect_status: 404
thresholds:
  - latency.http.p99 < 500ms
  - errors.rate < 1%
YAML
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

timeout 120 "$gauntlet" run "$work/scenario.yaml" --out "$work/run" --quiet > "$work/run.txt"
check "run wrote summary.json, intervals and the request log" '[[ -s $work/run/summary.json && -s $work/run/intervals.jsonl && -s $work/run/requests.jsonl ]]'
if GAUNTLET="$gauntlet" "$root/scripts/verify/reports-render.sh" "$work/run" > "$work/render.txt" 2>&1; then
    echo "ok   report outputs pass every outside check ($(tail -1 "$work/render.txt"))"
else
    cat "$work/render.txt"; failures=$((failures + 1))
fi

recorded=$(wc -l < "$work/run/requests.jsonl")
plan="$("$gauntlet" replay "$work/run/requests.jsonl" --plan-only --speed 2 --out "$work/plan" --replayed "$work/run/requests.jsonl")"
echo "$plan" | sed 's/^/     /'
check "the plan keeps every request ($recorded) and the mix" '[[ "$plan" == *"replay plan: $recorded of $recorded recorded requests (http $recorded)"* ]]'
span=$(python3 -c "
import json; rows=[json.loads(l) for l in open('$work/run/requests.jsonl')]; plan=[json.loads(l) for l in open('$work/plan/replay-plan.jsonl')]
ts=[r['t'] for r in rows]; print(abs((max(ts)-min(ts))/2 - plan[-1]['t']) < 0.01)")
check "at --speed 2 the plan spans half the recorded time" '[[ "$span" == "True" ]]'
check "replayed statuses match the recording" '[[ "$plan" == *"statuses: all $recorded replayed requests got the recorded status"* ]]'
echo "$failures failures"
exit $(( failures > 0 ))
