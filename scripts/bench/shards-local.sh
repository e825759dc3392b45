#!/usr/bin/env bash
# Does a sharded run measure what one machine measures? N local shards (`gauntlet run --shards N --local`)
# against a single run at the same total rate, both open loop against one nginx `return 204` on loopback,
# alternating, ROUNDS times each. Prints each run's count, p50 and p99 (corrected, from the intended send
# time), and the medians' ratios: issue 15 asks for the same count and p50/p99 within 10%.
# Usage: scripts/bench/shards-local.sh [SHARDS] [RATE] [SECONDS] [ROUNDS]   (GAUNTLET=path/to/gauntlet)
set -euo pipefail
SHARDS=${1:-2}
RATE=${2:-1000}
RUN_SECONDS=${3:-10}
ROUNDS=${4:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GAUNTLET=${GAUNTLET:-$(cd "$ROOT" && swift build --show-bin-path)/gauntlet}
[ -x "$GAUNTLET" ] || { echo "shards-local.sh: no gauntlet at $GAUNTLET (swift build, or set GAUNTLET)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "shards-local.sh: nginx is missing (apt-get install -y nginx-light)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/gauntlet-shards-local.XXXXXX)
source "$ROOT/scripts/lib/nginx204.sh"
nginx204_start "$WORK"
sleep 0.3
cat > "$WORK/scenario.yaml" <<YAML
version: 1
name: shards-local
seed: 7
target: { lb: "http://127.0.0.1:$PORT" }
warmup: 2s
duration: ${RUN_SECONDS}s
http: { connections: 16, workers: 1 }
requests:
  http:
    schedule: { kind: constant, rate: $RATE }
    requests:
      - { url: "http://127.0.0.1:$PORT/", expect_status: 204 }
YAML
figures() { python3 -c "
import json; s = json.load(open('$1/summary.json'))['all']
print(s['count'], s['intended_count'], s['latency']['p50'], s['latency']['p99'], s['failed'])"; }
declare -a single_rows sharded_rows
for round in $(seq 1 "$ROUNDS"); do
    "$GAUNTLET" run "$WORK/scenario.yaml" --out "$WORK/single-$round" --quiet > "$WORK/single-$round.log" 2>&1 || true
    "$GAUNTLET" run "$WORK/scenario.yaml" --shards "$SHARDS" --local --out "$WORK/sharded-$round" --quiet > "$WORK/sharded-$round.log" 2>&1 || true
    [ -s "$WORK/single-$round/summary.json" ] && [ -s "$WORK/sharded-$round/summary.json" ] \
        || { echo "round $round: a run wrote no summary"; tail -20 "$WORK/single-$round.log" "$WORK/sharded-$round.log"; exit 1; }
    single_rows+=("$(figures "$WORK/single-$round")")
    sharded_rows+=("$(figures "$WORK/sharded-$round")")
    echo "round $round: single ${single_rows[-1]} | $SHARDS shards ${sharded_rows[-1]}   (count intended p50 p99 failed)" >&2
done
python3 - "$SHARDS" "$RATE" "$RUN_SECONDS" "$(printf '%s;' "${single_rows[@]}")" "$(printf '%s;' "${sharded_rows[@]}")" <<'PY'
import statistics, sys
shards, rate, seconds = sys.argv[1:4]
rows = lambda text: [list(map(float, r.split())) for r in text.split(";") if r.strip()]
single, sharded = rows(sys.argv[4]), rows(sys.argv[5])
med = lambda rs, i: statistics.median(r[i] for r in rs)
print(f"{shards} local shards vs one process, {rate} req/s for {seconds}s measured, nginx return 204, {len(single)} rounds each (medians):")
print(f"{'':10} {'count':>8} {'intended':>9} {'p50':>9} {'p99':>9} {'failed':>7}")
for name, rs in (("single", single), (f"{shards} shards", sharded)):
    print(f"{name:10} {med(rs,0):8.0f} {med(rs,1):9.0f} {med(rs,2)*1e3:7.3f}ms {med(rs,3)*1e3:7.3f}ms {med(rs,4):7.0f}")
print(f"sharded/single: count {med(sharded,0)/med(single,0):.4f}  p50 {med(sharded,2)/med(single,2):.3f}  p99 {med(sharded,3)/med(single,3):.3f}")
same = all(a[0] == b[0] for a, b in zip(single, sharded))
print("counts equal in every round" if same else "counts differ in some round: " + ", ".join(f"{a[0]:.0f}/{b[0]:.0f}" for a, b in zip(single, sharded)))
PY
