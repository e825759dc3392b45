#!/usr/bin/env bash
# Checks `gauntlet replay` from the outside: AWS's documented access-log examples (gzip'd with the
# system's gzip, not Gauntlet's code) plan as seven UI requests; the reference stack's log plans with
# its recorded timing halved at --speed 2; and bad inputs (truncated gzip, a missing quote in strict
# mode, a HAR that is not JSON) exit 2 with the file and position in the message; and the stack's log,
# sent against the embedded stack, gets its recorded statuses back.
#
# Needs: gzip (Debian's gzip package)
# Usage: scripts/verify/reports-replay.sh   (GAUNTLET=path/to/gauntlet to use a built binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gauntlet="${GAUNTLET:-}"
if [[ -z "$gauntlet" ]]; then
    (cd "$root" && swift build --product gauntlet >/dev/null)
    gauntlet="$root/.build/debug/gauntlet"
fi
fixtures="$root/Tests/GauntletCoreTests/Fixtures/replay"
work="$(mktemp -d /tmp/gauntlet-verify-replay.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

gzip -c "$fixtures/aws-doc-examples.log" > "$work/examples.log.gz"
out="$("$gauntlet" replay --plan-only "$work/examples.log.gz")"
check "AWS examples (.gz) plan 7 of 7 requests" '[[ "$out" == *"replay plan: 7 of 7 recorded requests (ui 7)"* ]]'

out="$("$gauntlet" replay --plan-only "$fixtures/stack-access.log" --speed 2 --client connection --out "$work/plan")"
check "stack log: 4 requests planned, login step left to the users" '[[ "$out" == *"4 of 5 recorded requests (ui 2, api 2)"* && "$out" == *"1 login-flow steps"* ]]'
check "stack log at --speed 2: replay span is half the recorded span" '[[ "$out" == *"recorded span 886ms, replay span 443ms"* ]]'
check "plan written in the request-log format" 'python3 -c "import json,sys; rows=[json.loads(l) for l in open(\"$work/plan/replay-plan.jsonl\")]; sys.exit(0 if len(rows)==4 and rows[-1][\"type\"]==\"api\" else 1)"'

# A replayed run in which /manager/api/* lost its route: exactly that pattern shows up as changed.
python3 - "$work/plan/replay-plan.jsonl" "$work/replayed.jsonl" <<'PY'
import json, sys
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        row = json.loads(line)
        if "/manager/api/" in row["url"]:
            row["status"] = 404
        row["latency"], row["service_time"] = 0.012, 0.010
        out.write(json.dumps(row) + "\n")
PY
set +e
out="$("$gauntlet" replay --plan-only "$fixtures/stack-access.log" --speed 2 --client connection --replayed "$work/replayed.jsonl")"
code=$?
set -e
check "what changed: exit 1, only GET /manager/api/users differs" '[[ $code -eq 1 && "$out" == *"1 of 4 replayed requests differ"* && "$out" == *"/manager/api/users"* && "$out" != *"/analytics/api/search  "* ]]'

gzip -c "$fixtures/aws-doc-examples.log" | head -c 300 > "$work/truncated.log.gz"
set +e
message="$("$gauntlet" replay "$work/truncated.log.gz" 2>&1)"; code=$?
check "truncated gzip: exit 2, named" '[[ $code -eq 2 && "$message" == *"truncated.log.gz: truncated gzip stream"* ]]'
sed 's/"curl\/7.46.0"/"curl\/7.46.0/' "$fixtures/aws-doc-examples.log" | head -1 > "$work/quote.log"
message="$("$gauntlet" replay --strict "$work/quote.log" 2>&1)"; code=$?
check "missing quote (strict): exit 2 with line and column" '[[ $code -eq 2 && "$message" =~ quote\.log:1:[0-9]+:\ .*(never\ closed|closing\ quote) ]]'
message="$("$gauntlet" replay --plan-only "$work/quote.log" 2>&1)"; code=$?
check "missing quote (lenient): skipped and counted" '[[ $code -eq 0 && "$message" == *"skipped 1 malformed lines"* ]]'
printf '{"log": {"entries": [\n  {"startedDateTime": "x",, }\n' > "$work/broken.har"
message="$("$gauntlet" replay "$work/broken.har" 2>&1)"; code=$?
check "HAR that is not JSON: exit 2 with line:column" '[[ $code -eq 2 && "$message" == *"broken.har:2:"*"not a HAR file"* ]]'

# Sent for real against the embedded stack: the recorded statuses come back (the anonymous page load is
# sent to login, the anonymous API call gets 401, the manager's requests 200), read back with Python.
out="$("$gauntlet" replay "$fixtures/stack-access.log" --speed 2 --client connection --out "$work/sent" --quiet 2>&1)"; code=$?
check "sent replay: exit 0, every status as recorded" '[[ $code -eq 0 && "$out" == *"statuses: all 4 replayed requests got the recorded status"* ]]'
check "sent replay: requests.jsonl holds the recorded statuses in order" 'python3 -c "
import json, sys
rows = sorted((json.loads(l) for l in open(\"$work/sent/requests.jsonl\")), key=lambda r: r[\"t\"])
report = json.load(open(\"$work/sent/replay.json\"))
ok = [r[\"status\"] for r in rows] == [302, 200, 200, 401] and report[\"statuses_matched\"] == 4 and abs(report[\"planned_span\"] * 2 - report[\"recorded_span\"]) < 0.01
sys.exit(0 if ok else 1)"'
set -e

echo "$failures failures"
exit $(( failures > 0 ))
