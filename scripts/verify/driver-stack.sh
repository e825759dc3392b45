#!/usr/bin/env bash
# End to end against the reference stack: starts `gauntlet stack --endpoints`, runs a scenario with all
# three request types (browser logins through the LB, API calls, uploads with freshness sampling) and
# checks that every type ran at its rate (±2%), with zero misroutes, logins timed step by step, auth
# latency split by hop, uploads acknowledged and found by search. Exits non-zero on any failure.
#
# Written before the stack landed on main (issues 3–5): run it once the stack is merged.
# Needs: python3, a built gauntlet (swift build --product gauntlet).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GAUNTLET=${GAUNTLET:-$ROOT/.build/debug/gauntlet}
[ -x "$GAUNTLET" ] || { echo "driver-stack.sh: build gauntlet first (swift build --product gauntlet)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/gauntlet-stack.XXXXXX)
"$GAUNTLET" stack --state-dir "$WORK/state" --endpoints "$WORK/endpoints.json" > "$WORK/stack.log" 2>&1 &
STACK=$!
trap 'kill $STACK 2>/dev/null || true; wait $STACK 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do [ -s "$WORK/endpoints.json" ] && break; sleep 0.5; done
[ -s "$WORK/endpoints.json" ] || { echo "FAIL: the stack wrote no endpoints file; its log:" >&2; tail -20 "$WORK/stack.log" >&2; exit 1; }

cat > "$WORK/e2e.yaml" <<YAML
version: 1
name: driver-e2e
seed: 7
target:
  endpoints: $WORK/endpoints.json
users:
  managers: 2
  analysts: 4
phases:
  - name: warmup
    duration: 2s
    warmup: true
  - name: steady
    duration: 8s
requests:
  upload:
    schedule: {kind: constant, rate: 20}
    batches: [{events: 50, event_bytes: 200}]
    encoding: gzip
    freshness_sample: 0.1
  ui:
    schedule: {kind: constant, rate: 10}
    pages:
      - {path: /, weight: 2}
      - {path: /manager/users, as: managers}
      - {path: /manager/users, as: analysts}
      - {path: /analytics/search}
      - {path: /, as: anonymous}
  api:
    schedule: {kind: constant, rate: 20}
    calls:
      - {path: /analytics/api/counts}
      - {path: /manager/api/users, as: managers}
      - {path: /manager/api/users, as: analysts}
      - {path: /manager/api/users, as: anonymous}
thresholds:
  - routing.misroutes == 0
YAML
set +e
"$GAUNTLET" run "$WORK/e2e.yaml" --out "$WORK/out" --quiet > "$WORK/run.txt" 2>&1
code=$?
set -e
cat "$WORK/run.txt"
python3 - "$WORK/out/summary.json" "$code" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); code = int(sys.argv[2]); problems = []
if code != 0: problems.append(f"exit code {code}")
for t in s["request_types"]:
    total = t["total"]; want = total.get("intended_count") or 0
    if want and abs(total["count"] - want) > 0.02 * want: problems.append(f"{t['type']}: {total['count']} of {want:.0f} requests")
    if total["failed"]: problems.append(f"{t['type']}: {total['failed']} failed {total['errors']}")
if len(s["request_types"]) != 3: problems.append("not all three request types ran")
if s["misroutes"]["total"]: problems.append(f"misroutes {s['misroutes']}")
steps = {x["step"] for x in s["auth"]["steps"] + s["auth"]["hops"] if x.get("latency")}
for needed in ["login", "authorize", "login_form", "login_submit", "idpresponse", "lb", "ttfb", "dns"]:
    if needed not in steps: problems.append(f"no auth latency for {needed}")
up = s.get("upload") or {}
if not up.get("events"): problems.append("no upload acknowledged")
if not up.get("freshness"): problems.append("no freshness sample")
print("\n".join("FAIL: " + p for p in problems) or "driver-stack.sh: all checks passed")
sys.exit(1 if problems else 0)
PY
