#!/usr/bin/env bash
# The round trip through the reference stack: `gauntlet stack` on 127.0.0.1, `gauntlet run` of
# scenarios/smoke.yaml against it (with the request log), then the stack's own ALB access log read back
# by `gauntlet replay --strict` (every line must parse) and planned at --speed 2 (half the recorded
# span), and the run's report checked by scripts/verify/reports-render.sh.
#
# Needs: what reports-render.sh needs.
# Usage: scripts/verify/reports-stack-roundtrip.sh   (GAUNTLET=path/to/gauntlet to use a built binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gauntlet="${GAUNTLET:-}"
if [[ -z "$gauntlet" ]]; then
    (cd "$root" && swift build --product gauntlet >/dev/null)
    gauntlet="$root/.build/debug/gauntlet"
fi
work="$(mktemp -d /tmp/gauntlet-verify-roundtrip.XXXXXX)"
stack=""
cleanup() { [[ -n "$stack" ]] && kill "$stack" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$gauntlet" stack --state-dir "$work/state" --endpoints "$work/endpoints.json" > "$work/stack.log" 2>&1 &
stack=$!
for _ in $(seq 1 120); do [[ -s "$work/endpoints.json" ]] && break; sleep 0.5; done
[[ -s "$work/endpoints.json" ]] || { cat "$work/stack.log"; echo "FAIL the stack did not start"; exit 1; }
access_log="$(python3 -c "import json; print(json.load(open('$work/endpoints.json'))['access_log'])")"
sed -e "s|^target: embedded|target:\n  endpoints: $work/endpoints.json|" -e 's/^http:/http:\n  request_log: true/' \
    "$root/scenarios/smoke.yaml" > "$work/smoke.yaml"
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

set +e
timeout 180 "$gauntlet" run "$work/smoke.yaml" --out "$work/run" --quiet > "$work/run.txt" 2>&1
code=$?
set -e
check "run finished with its verdict (exit $code)" '[[ $code -eq 0 || $code -eq 1 ]]'
lines=$(grep -c . "$access_log")
check "the stack wrote its access log ($lines lines)" '[[ $lines -gt 0 ]]'
plan="$("$gauntlet" replay --plan-only --strict "$access_log" --speed 2 --client connection)"
echo "$plan" | sed 's/^/     /'
check "every access-log line parses in strict mode" '[[ "$plan" == *"of $lines recorded requests"* ]]'
check "at --speed 2 the replay span is half the recorded span" 'python3 - "$plan" <<PY
import re, sys
text = sys.argv[1]
def seconds(s):
    value, unit = re.match(r"([0-9.]+)(ms|s|m)$", s).groups()
    return float(value) * {"ms": 0.001, "s": 1, "m": 60}[unit]
recorded, replay = re.search(r"recorded span (\S+), replay span (\S+)", text).groups()
sys.exit(0 if abs(seconds(recorded) / 2 - seconds(replay)) < 0.01 else 1)
PY'
check "UI and API requests are recognised" '[[ "$plan" == *"ui "* && "$plan" == *"api "* ]]'
if GAUNTLET="$gauntlet" "$root/scripts/verify/reports-render.sh" "$work/run" > "$work/render.txt" 2>&1; then
    echo "ok   the run's report passes every outside check"
else
    cat "$work/render.txt"; failures=$((failures + 1))
fi
echo "$failures failures"
exit $(( failures > 0 ))
