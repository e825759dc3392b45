#!/usr/bin/env bash
# `gauntlet capacity` end to end, checked from outside: exit codes (0, 1, 2, 3), capacity.json against its
# JSON Schema (python jsonschema), report.html as headless Chromium renders it, `compare` of two capacity
# results, and the bottleneck attribution naming the component a fault stalls (the embedded stack's
# `faults: {stall: …}`, which holds the load balancer's targets).
#
# Needs: python3 (jsonschema), chromium. Every server binds 127.0.0.1; every search is a few short steps.
# Usage: GAUNTLET=path/to/gauntlet scripts/verify/capacity.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gauntlet="${GAUNTLET:-$root/.build/debug/gauntlet}"
work="$(mktemp -d /tmp/gauntlet-verify-capacity.XXXXXX)"
server_pid=""
trap '[[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
expect_exit() { # NAME WANT GOT
    if [[ "$3" == "$2" ]]; then echo "ok   $1: exit $3"; else fail "$1: exit $3, expected $2"; fi
}

# 1. A stall in the stack's UI backends, an SLO it cannot meet: exit 1 at the start rate, the stall named.
cat > "$work/stalled.yaml" <<'YAML'
name: capacity-stalled
target:
  embedded:
    faults: { stall: { every: 1s, for: 400ms } }
users: { managers: 1, analysts: 2 }
duration: 10s
requests:
  api:
    schedule: { kind: constant, rate: 10 }
    calls: [ { path: "/analytics/api/counts?interval=1m" } ]
thresholds: [ "latency.api.p99 < 150ms" ]
capacity: { start_rate: 20, max_rate: 200, step: 3s, warmup: 2s }
YAML
"$gauntlet" capacity "$work/stalled.yaml" --out "$work/stalled" > "$work/stalled.out" 2>&1
expect_exit "SLO failing at the start rate" 1 $?
grep -q "the SLO already fails at the start rate" "$work/stalled.out" && echo "ok   it says so" || { cat "$work/stalled.out"; fail "no clear message"; }
hop=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])).get("bottleneck") or {}; print(b.get("hop"), "|", b.get("component"))' "$work/stalled/capacity.json")
[[ "$hop" == target* ]] && echo "ok   the stalled component is named: $hop" || fail "attribution named '$hop', expected the target (UI backends)"

# 2. A loose SLO and a low upper bound: capacity ≥ max, exit 0; with --expected above it, exit 1.
sed -e 's/name: capacity-stalled/name: capacity-loose/' -e '/faults/d' -e 's/embedded:$/embedded: {}/' \
    -e 's/latency.api.p99 < 150ms/latency.api.p99 < 2s/' -e 's/max_rate: 200/max_rate: 30/' "$work/stalled.yaml" > "$work/loose.yaml"
"$gauntlet" capacity "$work/loose.yaml" --out "$work/loose" > "$work/loose.out" 2>&1
expect_exit "capacity found (at least the upper bound)" 0 $?
"$gauntlet" capacity "$work/loose.yaml" --out "$work/loose-expected" --expected 1000 > "$work/loose-expected.out" 2>&1
expect_exit "headroom below 1 at --expected" 1 $?
grep -q "headroom at 1,000 req/s: 0.03×" "$work/loose-expected.out" && echo "ok   headroom printed" || { tail -3 "$work/loose-expected.out"; fail "no headroom line"; }

# 3. Bad usage and a bad capacity section: exit 2.
"$gauntlet" capacity "$work/loose.yaml" --expected -5 > /dev/null 2>&1
expect_exit "bad --expected" 2 $?
sed 's/repeats: 3/repeat: 3/; s/capacity: {/capacity: { repeat: 3,/' "$work/loose.yaml" > "$work/bad.yaml"
"$gauntlet" capacity "$work/bad.yaml" > "$work/bad.out" 2>&1
expect_exit "invalid capacity section" 2 $?
grep -q 'capacity.repeat: unknown key "repeat"; did you mean "repeats"?' "$work/bad.out" && echo "ok   located error" || { cat "$work/bad.out"; fail "error not located"; }

# 4. A target that dies mid-search: exit 3, the steps so far written.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$work" && exec timeout 6 python3 -m http.server "$port" --bind 127.0.0.1 > /dev/null 2>&1) &
server_pid=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
cat > "$work/dying.yaml" <<YAML
name: capacity-dying
target: { lb: "http://127.0.0.1:$port" }
users: { managers: 0, analysts: 0 }
duration: 10s
requests:
  http:
    schedule: { kind: constant, rate: 10 }
    requests: [ { url: "http://127.0.0.1:$port/", expect_status: 200 } ]
thresholds: [ "latency.http.p99 < 1s" ]
capacity: { start_rate: 10, max_rate: 100000, step: 1s, warmup: 200ms }
YAML
"$gauntlet" capacity "$work/dying.yaml" --out "$work/dying" > "$work/dying.out" 2>&1
expect_exit "the target died mid-search" 3 $?
steps=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["steps"]))' "$work/dying/capacity.json" 2>/dev/null || echo 0)
[[ "$steps" -ge 2 ]] && echo "ok   $steps steps written before it died" || { cat "$work/dying.out"; fail "expected the steps so far in capacity.json, found $steps"; }

# 5. capacity.json against its schema (jsonschema), for every outcome above.
python3 "$root/scripts/verify/capacity-schema.py" "$work/stalled" "$work/loose" "$work/loose-expected" "$work/dying" || fail "capacity.json does not match its schema"

# 6. compare: the same result is no regression; a candidate whose SLO fails at start is one.
"$gauntlet" compare "$work/loose" "$work/loose-expected" > /dev/null 2>&1
expect_exit "compare, same capacity" 0 $?
"$gauntlet" compare "$work/loose" "$work/stalled" > "$work/compare.out" 2>&1
expect_exit "compare, knee dropped" 1 $?

# 7. report.html as a browser shows it.
html="$work/loose/report.html"
if grep -Eq '(src|href)="(https?:)?//' "$html"; then fail "report.html references the network"; else echo "ok   report.html is self-contained"; fi
chromium="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$chromium" ]]; then
    fail "chromium not installed"
else
    shot="${SCREENSHOT:-$work/capacity.png}"
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --window-size=1100,3000 --screenshot="$shot" "file://$html" 2> "$work/chromium.log" > /dev/null || true
    if [[ -s "$shot" ]]; then echo "ok   headless Chromium rendered report.html ($shot)"; else fail "no screenshot"; fi
    if grep -E "CONSOLE|Uncaught|Failed to load" "$work/chromium.log"; then fail "console errors in report.html"; else echo "ok   no console errors"; fi
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom "file://$html" 2> /dev/null > "$work/dom.html" || true
    svgs=$(grep -o '<svg ' "$work/dom.html" | wc -l)
    [[ "$svgs" -ge 3 ]] && echo "ok   the browser's DOM has $svgs charts" || fail "expected at least 3 charts in the rendered DOM, found $svgs"
    grep -q "Latency (from intended send time) against achieved throughput" "$work/dom.html" && grep -q "capacity ≥ 30 req/s" "$work/dom.html" \
        && echo "ok   the rendered page shows the chart and the answer" || fail "the rendered page lacks the latency chart or the answer"
fi

echo "$failures failures"
exit $(( failures > 0 ))
