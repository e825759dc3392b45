#!/usr/bin/env bash
# Gauntlet's `max` mode against wrk, h2load and hey on the same nginx `return 204` (loopback, same
# connection count), alternating, several rounds: requests/s and requests per CPU-second of each
# generator, and Gauntlet's ratios to each (medians over the rounds). A fifth peer, libcurl-floor.c, is the
# leanest plain-C libcurl loop (LIBCURL-NOTES.md): Gauntlet's ratio to it is the share of libcurl's own
# cost that Gauntlet's Swift layer (scheduling, oracle, histograms) adds on top.
#
# Needs: nginx, wrk, h2load (Debian: nghttp2-client), hey (Debian: hey), GNU time (/usr/bin/time), python3, cc.
#   apt-get install -y nginx wrk nghttp2-client hey time gcc libcurl4-openssl-dev
# Usage: scripts/bench/driver.sh [ROUNDS] [SECONDS] [CONNECTIONS]   (GAUNTLET=path/to/gauntlet to pick a build,
#   DRIVER_BENCH=path to reuse a driver-bench binary that scripts/bench/build-driver-bench.sh built)
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-50}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The generator: $GAUNTLET if given (a `gauntlet` binary), else a release build of the harness linked with
# driver-bench-main.swift (same code path as `gauntlet run`, without compiling the reference stack).
if [ -n "${DRIVER_BENCH:-}" ]; then
  GAUNTLET_CMD=("$DRIVER_BENCH")
elif [ -z "${GAUNTLET:-}" ]; then
  GAUNTLET_CMD=("$("$ROOT/scripts/bench/build-driver-bench.sh")")
else
  GAUNTLET_CMD=("$GAUNTLET" run)
fi
for tool in nginx wrk h2load hey python3 /usr/bin/time cc; do
  command -v "$tool" >/dev/null || { echo "driver.sh: $tool is missing (see the header for the packages)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/gauntlet-bench.XXXXXX)
source "$ROOT/scripts/lib/nginx204.sh"
nginx204_start "$WORK"
cc -O2 "$ROOT/scripts/bench/libcurl-floor.c" -lcurl -o "$WORK/libcurl-floor"
sleep 0.5
URL="http://127.0.0.1:$PORT/"

cat > "$WORK/bench.yaml" <<YAML
version: 1
name: bench-max
seed: 1
target:
  lb: $URL
duration: ${SECONDS_PER_RUN}s
http:
  connections: $CONNECTIONS
  workers: 1
requests:
  http:
    schedule:
      kind: max
      connections: $CONNECTIONS
    requests:
      - url: $URL
        expect_status: 204
YAML

# Runs a command under GNU time; prints "user+sys seconds" on the last line of $WORK/time.
timed() { /usr/bin/time -f "%U %S" -o "$WORK/time" "$@"; }
cpu() { awk '{print $1 + $2}' "$WORK/time"; }

declare -A RPS CPUS
for round in $(seq 1 "$ROUNDS"); do
  if [ -n "${GAUNTLET:-}" ]; then
    timed "${GAUNTLET_CMD[@]}" "$WORK/bench.yaml" --out "$WORK/g$round" --quiet > "$WORK/g$round.txt"
  else
    timed "${GAUNTLET_CMD[@]}" "$WORK/bench.yaml" "$WORK/g$round" > "$WORK/g$round.txt"
  fi
  n=$(python3 -c "import json,sys; s=json.load(open('$WORK/g$round/summary.json')); print(s['all']['count'], s['measured_duration'], s['all']['failed'])")
  read -r count dur failed <<< "$n"
  [ "$failed" = "0" ] || echo "warning: gauntlet saw $failed failed requests in round $round" >&2
  RPS[gauntlet,$round]=$(python3 -c "print($count/$dur)"); CPUS[gauntlet,$round]=$(python3 -c "print($count/$(cpu))")

  timed "$WORK/libcurl-floor" "$URL" "$CONNECTIONS" "$SECONDS_PER_RUN" > "$WORK/floor.txt"
  read -r count failed dur < "$WORK/floor.txt"
  [ "$failed" = "0" ] || echo "warning: libcurl-floor saw $failed failed requests in round $round" >&2
  RPS[floor,$round]=$(python3 -c "print($count/$dur)"); CPUS[floor,$round]=$(python3 -c "print($count/$(cpu))")

  timed wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$URL" > "$WORK/wrk.txt"
  count=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt"); rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  RPS[wrk,$round]=$rps; CPUS[wrk,$round]=$(python3 -c "print($count/$(cpu))")

  timed h2load --h1 -t1 -c"$CONNECTIONS" -D"$SECONDS_PER_RUN" "$URL" > "$WORK/h2load.txt"
  count=$(awk '/^requests:/ {print $4}' "$WORK/h2load.txt"); rps=$(awk '/^finished in/ {gsub(",","",$4); print $4}' "$WORK/h2load.txt")
  RPS[h2load,$round]=$rps; CPUS[h2load,$round]=$(python3 -c "print($count/$(cpu))")

  timed hey -c "$CONNECTIONS" -z "${SECONDS_PER_RUN}s" "$URL" > "$WORK/hey.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/hey.txt"); count=$(awk '/\[204\]/ {print $2}' "$WORK/hey.txt")
  RPS[hey,$round]=$rps; CPUS[hey,$round]=$(python3 -c "print($count/$(cpu))")
  echo "round $round: gauntlet ${RPS[gauntlet,$round]%.*} req/s, floor ${RPS[floor,$round]%.*}, wrk ${RPS[wrk,$round]%.*}, h2load ${RPS[h2load,$round]%.*}, hey ${RPS[hey,$round]%.*}" >&2
done

python3 - "$ROUNDS" <<PY
import statistics, sys
rounds = int(sys.argv[1])
rps = {$(for k in "${!RPS[@]}"; do printf '"%s": %s, ' "$k" "${RPS[$k]}"; done)}
cpu = {$(for k in "${!CPUS[@]}"; do printf '"%s": %s, ' "$k" "${CPUS[$k]}"; done)}
tools = ["gauntlet", "floor", "wrk", "h2load", "hey"]
med = lambda d, t: statistics.median(d[f"{t},{r}"] for r in range(1, rounds + 1))
print(f"{'generator':10} {'req/s':>10} {'req/CPU-s':>10} {'gauntlet/x req/s':>17} {'gauntlet/x per CPU-s':>21}")
for t in tools:
    print(f"{t:10} {med(rps,t):10.0f} {med(cpu,t):10.0f} {med(rps,'gauntlet')/med(rps,t):17.2f} {med(cpu,'gauntlet')/med(cpu,t):21.2f}")
PY
