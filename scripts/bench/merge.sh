#!/usr/bin/env bash
# How long `gauntlet merge` takes on N shards of a long run, and how much memory it holds: the figure for
# issue 15's "16 shards of a 10-minute run in under 2 s, bounded memory (histograms, not samples)".
#
# Writes the shards first (MergeBenchFixture, in a harness-only test build under .build-harness: the files `run` writes, 8,000 requests/s in all
# over three request types, each shard with its own latency noise), then merges them ROUNDS times under
# GNU time and prints the median wall time, the peak resident memory, and the input's size. Peak memory
# is then measured again for a quarter of the shards: bounded means it barely grows with N.
# Usage: scripts/bench/merge.sh [SHARDS] [SECONDS] [ROUNDS]   (GAUNTLET=path/to/gauntlet to pick a build)
set -euo pipefail
SHARDS=${1:-16}
RUN_SECONDS=${2:-600}
ROUNDS=${3:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
GAUNTLET=${GAUNTLET:-$(swift build --show-bin-path)/gauntlet}
[ -x "$GAUNTLET" ] || { echo "merge.sh: no gauntlet at $GAUNTLET (swift build, or set GAUNTLET)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "merge.sh: GNU time is missing (apt-get install -y time)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/gauntlet-merge-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "writing $SHARDS shards of a ${RUN_SECONDS}s run…" >&2
GAUNTLET_MERGE_BENCH_DIR="$WORK/shards" GAUNTLET_MERGE_BENCH_SHARDS=$SHARDS GAUNTLET_MERGE_BENCH_SECONDS=$RUN_SECONDS \
    GAUNTLET_HARNESS_ONLY=1 swift test --scratch-path .build-harness --filter MergeBenchFixture > "$WORK/fixture.log" 2>&1 || { tail -30 "$WORK/fixture.log"; exit 1; }
input=$(du -sm "$WORK/shards" | cut -f1)

merge() { # merge OUT SHARD_DIR... → prints "seconds max_rss_kb cpu_seconds"
    local out="$1"; shift
    rm -rf "$out"
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$GAUNTLET" merge "$@" --out "$out" > "$WORK/merge.log" 2>&1 || {
        local rc=$?; [ $rc -le 1 ] || { cat "$WORK/merge.log" >&2; exit 1; }; }
    awk '{print $1, $2, $3 + $4}' "$WORK/time" | tail -1
}
times=() rss=() cpus=()
for round in $(seq 1 "$ROUNDS"); do
    read -r seconds kb cpu <<< "$(merge "$WORK/merged" "$WORK"/shards/shard-*)"
    times+=("$seconds"); rss+=("$kb"); cpus+=("$cpu")
    echo "round $round: ${seconds}s wall, ${cpu}s CPU, peak ${kb} kB" >&2
done
quarter=$(( SHARDS / 4 > 0 ? SHARDS / 4 : 1 ))
# A quarter of the shards is not a whole run (the merge refuses it), so merge a run of that many shards.
rm -rf "$WORK/shards"
GAUNTLET_MERGE_BENCH_DIR="$WORK/shards" GAUNTLET_MERGE_BENCH_SHARDS=$quarter GAUNTLET_MERGE_BENCH_SECONDS=$RUN_SECONDS \
    GAUNTLET_HARNESS_ONLY=1 swift test --scratch-path .build-harness --filter MergeBenchFixture > "$WORK/fixture.log" 2>&1 || { tail -30 "$WORK/fixture.log"; exit 1; }
read -r qseconds qkb _ <<< "$(merge "$WORK/merged-q" "$WORK"/shards/shard-*)"
requests=$(python3 -c "import json; print(json.load(open('$WORK/merged/summary.json'))['all']['count'])")
python3 - "$SHARDS" "$RUN_SECONDS" "$input" "$requests" "$quarter" "$qseconds" "$qkb" "${times[*]}" "${rss[*]}" "${cpus[*]}" <<'PY'
import statistics, sys
shards, seconds, input_mb, requests, quarter, qs, qkb = sys.argv[1:8]
times = [float(x) for x in sys.argv[8].split()]
rss = [int(x) for x in sys.argv[9].split()]
cpus = [float(x) for x in sys.argv[10].split()]
print(f"merge of {shards} shards of a {seconds}s run ({input_mb} MB of results, {int(requests):,} measured requests):")
print(f"  wall time  median {statistics.median(times):.2f} s  (min {min(times):.2f}, max {max(times):.2f}, {len(times)} rounds; target < 2 s)")
print(f"  CPU time   median {statistics.median(cpus):.2f} s (user + system: what the merge costs when the machine is shared)")
print(f"  peak RSS   median {statistics.median(rss) / 1024:.0f} MB;  {quarter} shards: {int(qkb) / 1024:.0f} MB in {float(qs):.2f} s"
      f"  (ratio {statistics.median(rss) / int(qkb):.2f} for {int(shards) / int(quarter):.0f}x the shards)")
PY
