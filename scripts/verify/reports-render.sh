#!/usr/bin/env bash
# Regenerates a results directory with `gauntlet report` and checks every output with tools Gauntlet
# did not write: promtool (metrics.prom), Python's junitparser (junit.xml), HdrHistogram's Python
# decoder (latency.hlog against summary.json), prometheus_client's OpenMetrics parser, and headless
# Chromium (report.html renders, no console errors, no network; a screenshot is kept).
#
# Needs: apt-get install -y prometheus chromium ; pip install hdrhistogram junitparser prometheus-client jsonschema
# Usage: scripts/verify/reports-render.sh [RUN_DIR]   (default: a copy of the Reports tests' fixture run)
#        GAUNTLET=path/to/gauntlet to use a built binary (default: swift build, then .build/debug/gauntlet)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gauntlet="${GAUNTLET:-}"
if [[ -z "$gauntlet" ]]; then
    (cd "$root" && swift build --product gauntlet >/dev/null)
    gauntlet="$root/.build/debug/gauntlet"
fi
work="$(mktemp -d /tmp/gauntlet-verify-reports.XXXXXX)"
trap 'rm -rf "$work"' EXIT
if [[ $# -ge 1 ]]; then
    run="$1"
else
    run="$work/run"
    cp -r "$root/Tests/GauntletReportsTests/Fixtures/run-smoke" "$run"
fi
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

"$gauntlet" report "$run"
for file in junit.xml metrics.prom latency.hlog service-time.hlog report.html; do
    [[ -s "$run/$file" ]] || fail "$file was not written"
done

if promtool check metrics < "$run/metrics.prom"; then echo "ok   promtool check metrics"; else fail "promtool check metrics"; fi

python3 - "$run" <<'PY' || failures=$((failures + 1))
import json, sys
from junitparser import JUnitXml, Failure, Error
from prometheus_client.openmetrics.parser import text_string_to_metric_families
run = sys.argv[1]
summary = json.load(open(f"{run}/summary.json"))
xml = JUnitXml.fromfile(f"{run}/junit.xml")
cases = [case for suite in xml for case in suite]
failed = [c for c in cases if any(isinstance(r, (Failure, Error)) for r in c.result)]
want_cases = len(summary["thresholds"]) + 1 + (1 if summary["partial"] else 0)
want_failed = sum(1 for t in summary["thresholds"] if not t["passed"]) + (1 if summary["misroutes"]["total"] else 0) + (1 if summary["partial"] else 0)
print(f"{'ok  ' if (len(cases), len(failed)) == (want_cases, want_failed) else 'FAIL'} junitparser: {len(cases)} cases, {len(failed)} failed (summary.json implies {want_cases}, {want_failed})")
families = list(text_string_to_metric_families(open(f"{run}/metrics.prom").read()))
print(f"ok   OpenMetrics parser: {len(families)} metric families")
sys.exit(0 if (len(cases), len(failed)) == (want_cases, want_failed) else 1)
PY

if python3 "$root/scripts/verify/reports-schema.py" "$run"; then :; else fail "summary.json does not match the schema"; fi
if python3 "$root/scripts/verify/reports-hlog.py" "$run" > "$work/hlog.txt"; then
    echo "ok   hdrh decodes latency.hlog to summary.json's figures ($(tail -1 "$work/hlog.txt"))"
else
    cat "$work/hlog.txt"; fail "hdrh vs summary.json"
fi

if grep -Eq '(src|href)="(https?:)?//' "$run/report.html"; then fail "report.html references the network"; else echo "ok   report.html is self-contained"; fi
chromium="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$chromium" ]]; then
    fail "chromium not installed"
else
    shot="${SCREENSHOT:-$work/report.png}"
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --window-size=1100,4200 --screenshot="$shot" "file://$run/report.html" 2> "$work/chromium.log" >/dev/null || true
    if [[ -s "$shot" ]]; then echo "ok   headless Chromium rendered report.html ($shot)"; else fail "no screenshot"; fi
    if grep -E "CONSOLE|Uncaught|Failed to load" "$work/chromium.log"; then fail "console errors in report.html"; else echo "ok   no console errors"; fi
    svgs=$(grep -o '<svg ' "$run/report.html" | wc -l)
    [[ "$svgs" -ge 4 ]] && echo "ok   $svgs inline SVG charts" || fail "expected at least 4 charts, found $svgs"
fi

echo "$failures failures"
exit $(( failures > 0 ))
