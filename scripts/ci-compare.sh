#!/usr/bin/env bash
# A ready CI recipe: run a scenario (several times, for noise-aware comparison), regenerate its
# reports, compare with a stored baseline, and leave everything under one artifacts directory.
#
#   scripts/ci-compare.sh SCENARIO BASELINE [ARTIFACTS]
#
#   SCENARIO   a scenario file, e.g. scenarios/smoke.yaml
#   BASELINE   a run directory, or a directory of run directories (e.g. the artifacts of the last
#              green build on main, restored by your CI's cache); with --update-baseline it is written
#   ARTIFACTS  where runs and verdicts go (default: results/ci-<UTC time>); keep it as a CI artifact
#
# Environment: RUNS (candidate runs, default 3: the count scripts/bench/compare-calibration.sh measured
# enough; keep the baseline at the same count), GAUNTLET (the binary; default .build/release/gauntlet,
# built if missing), TOLERANCES (extra `--tolerance` rules, space-separated, e.g. 'latency.*.p99=10%,2ms'),
# FAIL_ON (metric patterns that fail the gate, space-separated; default compare's: p50/p99 latencies,
# error rate, misroutes).
# Flags: --update-baseline  copy this build's runs into BASELINE after a passing comparison.
#
# Exit: 0 no threshold failed and no regression; 1 a threshold failed or compare found a regression;
# 2 bad usage or input; 3 a run itself failed. CI systems read ARTIFACTS/*/junit.xml and
# ARTIFACTS/compare.junit.xml (JUnit) and may scrape ARTIFACTS/*/metrics.prom; ARTIFACTS/compare.html
# is the verdict as a page (effect sizes, noise, confidence).
#
# GitHub Actions, for example:
#   - run: scripts/ci-compare.sh scenarios/smoke.yaml baseline/ artifacts/
#   - uses: actions/upload-artifact@v4
#     with: { name: gauntlet-results, path: artifacts/ }
set -uo pipefail
update=0
args=()
for arg in "$@"; do
    if [[ "$arg" == "--update-baseline" ]]; then update=1; else args+=("$arg"); fi
done
if [[ ${#args[@]} -lt 2 ]]; then
    sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
scenario="${args[0]}"
baseline="${args[1]}"
artifacts="${args[2]:-results/ci-$(date -u +%Y%m%dT%H%M%SZ)}"
runs="${RUNS:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
gauntlet="${GAUNTLET:-$root/.build/release/gauntlet}"
if [[ ! -x "$gauntlet" ]]; then
    (cd "$root" && swift build -c release --product gauntlet) || exit 3
fi
[[ -f "$scenario" ]] || { echo "ci-compare: no scenario at $scenario" >&2; exit 2; }
mkdir -p "$artifacts/runs"

status=0
for i in $(seq 1 "$runs"); do
    out="$artifacts/runs/run-$i"
    "$gauntlet" run "$scenario" --out "$out" --quiet
    code=$?
    case $code in
        0) ;;
        1) status=1 ;;                              # a threshold failed: keep going, the verdict is 1
        *) echo "ci-compare: run $i failed (exit $code)" >&2; exit "$code" ;;
    esac
    "$gauntlet" report "$out" --quiet || exit 3
done

if [[ ! -e "$baseline" ]]; then
    echo "ci-compare: no baseline at $baseline yet; this build's runs become it with --update-baseline" >&2
    [[ $update -eq 1 ]] && { mkdir -p "$baseline"; cp -r "$artifacts/runs/." "$baseline/"; }
    exit $status
fi

tolerance_args=()
set -f   # the rules and patterns are globs over metric names, not over files
for rule in ${TOLERANCES:-}; do tolerance_args+=(--tolerance "$rule"); done
for pattern in ${FAIL_ON:-}; do tolerance_args+=(--fail-on "$pattern"); done
set +f
"$gauntlet" compare "$baseline" "$artifacts/runs" "${tolerance_args[@]}" --junit "$artifacts/compare.junit.xml" \
    --html "$artifacts/compare.html" \
    | tee "$artifacts/compare.txt"
compare=${PIPESTATUS[0]}
case $compare in
    0) ;;
    1) status=1 ;;
    *) exit "$compare" ;;
esac
if [[ $update -eq 1 && $status -eq 0 ]]; then
    rm -rf "$baseline" && mkdir -p "$baseline" && cp -r "$artifacts/runs/." "$baseline/"
    echo "ci-compare: baseline updated from this build's runs"
fi
exit $status
