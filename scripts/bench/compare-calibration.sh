#!/usr/bin/env bash
# Calibrates `gauntlet compare` as a CI gate: how often it fails identical builds (A/A, false alarms) and
# how often it catches a known slowdown (A/B, detection), for 1-versus-1 runs and for N-versus-N.
#
#   scripts/bench/compare-calibration.sh [EXPERIMENTS] [RUNS]
#   scripts/bench/compare-calibration.sh --compare-only DIR     # re-judge the runs an earlier calibration kept
#
#   EXPERIMENTS  independent experiments (default 20); each one records its own fresh runs
#   RUNS         runs per side in N-versus-N mode (default 3, the recommended count)
#
# One experiment records RUNS baseline runs of the calibration scenario, then RUNS candidate runs of the
# same build (A) interleaved with RUNS runs of the build slowed by the delay fault (B): base₁…base_N,
# B₁, A₁, …, B_N, A_N. It judges four comparisons, each counted once:
#   N v N  A/A  base₁…N vs A₁…N        N v N  A/B  base₁…N vs B₁…N
#   1 v 1  A/A  base₁ vs A₁            1 v 1  A/B  base₁ vs B₁
# No run is in two experiments, so the experiments are independent; a rate's interval is Wilson's (95%).
#
# Environment: SCENARIO (default scripts/bench/compare-calibration.yaml), DELAY (the fault, default
# '{component: analytics-ui, add: 10%}'), OUT (where runs and verdicts go; default
# results/calibration-<UTC time>), GAUNTLET (a gauntlet binary; default: scripts/gauntlet's build, debug
# unless GAUNTLET_BUILD=release), COMPARE_ARGS (extra `gauntlet compare` arguments), PRIORITY (a command
# prefix for every run, e.g. "nice -n -10" so that a shared machine's other work, such as builds, disturbs
# the runs less; say so when quoting the figures).
# A script and not a test: it takes EXPERIMENTS × 3 × RUNS runs (about 20 minutes with the defaults).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
compare_only=""
if [[ "${1:-}" == "--compare-only" ]]; then
    compare_only="${2:?--compare-only needs the directory of an earlier calibration}"
    out="$compare_only"
    experiments=$(find "$out" -maxdepth 1 -name 'experiment-*' -type d | wc -l)
    runs=$(cat "$out/runs-per-side")
else
    experiments="${1:-20}"
    runs="${2:-3}"
    out="${OUT:-$root/results/calibration-$(date -u +%Y%m%dT%H%M%SZ)}"
fi
[[ "$experiments" =~ ^[0-9]+$ && "$experiments" -ge 1 && "$runs" =~ ^[0-9]+$ && "$runs" -ge 2 ]] || {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
scenario="${SCENARIO:-$root/scripts/bench/compare-calibration.yaml}"
delay="${DELAY:-{component: analytics-ui, add: 10%\}}"
build="${GAUNTLET_BUILD:-debug}"
if [[ -z "${GAUNTLET:-}" ]]; then
    source "$root/scripts/lib/setup.sh"
    gauntlet_build_deps
    (cd "$root" && swift build -c "$build" --product gauntlet >&2) || exit 3
    GAUNTLET="$(cd "$root" && swift build -c "$build" --show-bin-path)/gauntlet"
fi
command -v python3 >/dev/null || { echo "compare-calibration: python3 is needed for the intervals" >&2; exit 2; }
mkdir -p "$out"
started=$(date +%s)

if [[ -z "$compare_only" ]]; then
    echo "$runs" > "$out/runs-per-side"
    cp "$scenario" "$out/a.yaml"
    # The B build: the same scenario with the delay fault in the embedded stack.
    sed -E "s|^target: embedded\$|target:\n  embedded:\n    faults: { delay: $delay }|" "$scenario" > "$out/b.yaml"
    grep -q "delay:" "$out/b.yaml" || { echo "compare-calibration: $scenario needs a 'target: embedded' line to add the delay to" >&2; exit 2; }
    "$GAUNTLET" validate "$out/a.yaml" "$out/b.yaml" >&2 || exit 2
    : > "$out/run-seconds"
    record() {  # record SCENARIO DIR
        local begin=$(date +%s.%N)
        ${PRIORITY:-} "$GAUNTLET" run "$1" --out "$2" --quiet > "$2.log" 2>&1
        local code=$?
        if [[ $code -ge 2 ]]; then echo "compare-calibration: run $2 failed (exit $code); see $2.log" >&2; exit 3; fi
        awk -v a="$begin" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }' >> "$out/run-seconds"
    }
    for e in $(seq 1 "$experiments"); do
        dir="$out/experiment-$e"
        mkdir -p "$dir/base" "$dir/a" "$dir/b"
        for i in $(seq 1 "$runs"); do record "$out/a.yaml" "$dir/base/run-$i"; done
        for i in $(seq 1 "$runs"); do
            record "$out/b.yaml" "$dir/b/run-$i"
            record "$out/a.yaml" "$dir/a/run-$i"
        done
        echo "compare-calibration: experiment $e of $experiments recorded ($(( $(date +%s) - started )) s so far)" >&2
    done
fi

# judge NAME BASELINE… -- CANDIDATE…  → appends "NAME EXIT" and keeps compare's words
judge() {
    local name="$1" dir="$2"; shift 2
    local args=() side=baseline first_b="" first_c=""
    for path in "$@"; do
        if [[ "$path" == "--" ]]; then side=candidate; continue; fi
        if [[ $side == baseline ]]; then
            if [[ -z "$first_b" ]]; then first_b="$path"; else args+=(--baseline "$path"); fi
        else
            if [[ -z "$first_c" ]]; then first_c="$path"; else args+=(--candidate "$path"); fi
        fi
    done
    # shellcheck disable=SC2086
    "$GAUNTLET" compare "$first_b" "$first_c" "${args[@]}" ${COMPARE_ARGS:-} > "$dir/$name.txt" 2>&1
    local code=$?
    [[ $code -le 1 ]] || { echo "compare-calibration: compare failed for $dir/$name (exit $code)" >&2; cat "$dir/$name.txt" >&2; exit 3; }
    echo "$name $code" >> "$out/verdicts"
}
: > "$out/verdicts"
for e in $(seq 1 "$experiments"); do
    dir="$out/experiment-$e"
    base=(); a=(); b=()
    for i in $(seq 1 "$runs"); do base+=("$dir/base/run-$i"); a+=("$dir/a/run-$i"); b+=("$dir/b/run-$i"); done
    judge "nvn-aa" "$dir" "${base[@]}" -- "${a[@]}"
    judge "nvn-ab" "$dir" "${base[@]}" -- "${b[@]}"
    judge "1v1-aa" "$dir" "${base[0]}" -- "${a[0]}"
    judge "1v1-ab" "$dir" "${base[0]}" -- "${b[0]}"
done

python3 - "$out" "$runs" "$build" "$started" "$delay" <<'PY'
import math, statistics, sys, time, pathlib
out, runs, build, started, delay = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
verdicts = {}
for line in (out / "verdicts").read_text().split("\n"):
    if line.strip():
        name, code = line.split()
        verdicts.setdefault(name, []).append(int(code))
def wilson(k, n, z=1.959964):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
seconds = [float(x) for x in (out / "run-seconds").read_text().split()] if (out / "run-seconds").exists() else []
run = statistics.median(seconds) if seconds else float("nan")
print(f"compare calibration: {len(verdicts.get('nvn-aa', []))} experiments, {runs} runs per side in N-v-N, build {build}, delay {delay}")
print(f"  runs: {len(seconds)} recorded, median {run:.1f} s each; results in {out}")
for mode, label, per in (("1v1", "1 v 1", 1), ("nvn", f"{runs} v {runs}", runs)):
    aa, ab = verdicts.get(f"{mode}-aa", []), verdicts.get(f"{mode}-ab", [])
    fa, de = sum(c == 1 for c in aa), sum(c == 1 for c in ab)
    (fl, fh), (dl, dh) = wilson(fa, len(aa)), wilson(de, len(ab))
    gate = f"{2 * per} runs ≈ {2 * per * run:.0f} s per gate ({per * run:.0f} s with a stored baseline)"
    print(f"  {label}: A/A false alarms {fa}/{len(aa)} = {100*fa/len(aa):.1f}% [95% CI {100*fl:.1f}–{100*fh:.1f}%];"
          f" A/B detection {de}/{len(ab)} = {100*de/len(ab):.1f}% [95% CI {100*dl:.1f}–{100*dh:.1f}%]; {gate}")
    for kind in ("aa", "ab"):
        named = {}
        for text in out.glob(f"experiment-*/{mode}-{kind}.txt"):
            for line in text.read_text().splitlines():
                if line.startswith("verdict: REGRESSION in "):
                    for metric in line[len("verdict: REGRESSION in "):].split(", "):
                        named[metric] = named.get(metric, 0) + 1
        if named:
            print(f"    {'A/A alarms' if kind == 'aa' else 'A/B detections'} named: " + ", ".join(f"{m} ×{n}" for m, n in sorted(named.items(), key=lambda x: -x[1])))
print(f"  wall time: {time.time() - started:.0f} s")
PY
