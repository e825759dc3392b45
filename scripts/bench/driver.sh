#!/usr/bin/env bash
# Gauntlet's `max` mode against wrk, h2load and hey on the same nginx `return 204` (loopback, same
# connection count), alternating, several rounds: requests/s and requests per CPU-second of each
# generator, and Gauntlet's ratios to each (medians over the rounds). A fifth peer, libcurl-floor.c, is the
# leanest plain-C libcurl loop (LIBCURL-NOTES.md): Gauntlet's ratio to it is the share of libcurl's own
# cost that Gauntlet's Swift layer (scheduling, oracle, histograms) adds on top.
#
# With --live first, the peers are Gauntlet itself with and without `--live` (a reader on /events and a
# /metrics scrape each second attached, and the terminal view's lines drawn each second): the live view's
# cost to the generator, as the ratio of requests per CPU-second (medians; the bar is 0.98).
#
# Needs: nginx, wrk, h2load (Debian: nghttp2-client), hey (Debian: hey), GNU time (/usr/bin/time), python3, cc, curl.
#   apt-get install -y nginx wrk nghttp2-client hey time gcc libcurl4-openssl-dev
# Usage: scripts/bench/driver.sh [--live] [ROUNDS] [SECONDS] [CONNECTIONS]
#   (GAUNTLET=path/to/gauntlet to pick a build; DRIVER_BENCH=path/to/driver-bench to skip building one)
set -euo pipefail
LIVE_MODE=0
if [ "${1:-}" = "--live" ]; then LIVE_MODE=1; shift; fi
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-50}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The generator: $GAUNTLET if given (a `gauntlet` binary), else a release build of the harness linked with
# driver-bench-main.swift (same code path as `gauntlet run`, without compiling the reference stack).
if [ -n "${DRIVER_BENCH:-}" ]; then
  GAUNTLET_CMD=("$DRIVER_BENCH")   # an already-linked driver-bench (as below)
elif [ -z "${GAUNTLET:-}" ]; then
  REL=$ROOT/.build-rel
  (cd "$ROOT" && GAUNTLET_HARNESS_ONLY=1 swift build -c release --scratch-path "$REL" --target GauntletLive >&2)
  BIN=$REL/release
  OBJS=$(find -L "$BIN/" -name '*.o' -path '*.build/*' | grep -E '/(GauntletCore|GauntletDriver|GauntletReports|GauntletLive|Yams|CYaml|Histogram|Numerics|RealModule|ComplexModule|_NumericsShims)\.build/')
  swiftc -O -parse-as-library "$ROOT/scripts/bench/driver-bench-main.swift" -I "$BIN/Modules" -I "$ROOT/Sources/CCurl" -I "$ROOT/Sources/CZlib" \
    -I "$REL/checkouts/swift-numerics/Sources/_NumericsShims/include" -I "$REL/checkouts/Yams/Sources/CYaml/include" \
    $OBJS -lcurl -lz -o "$REL/driver-bench" >&2
  GAUNTLET_CMD=("$REL/driver-bench")
else
  GAUNTLET_CMD=("$GAUNTLET" run)
fi
for tool in nginx wrk h2load hey python3 /usr/bin/time cc; do
  command -v "$tool" >/dev/null || { echo "driver.sh: $tool is missing (see the header for the packages)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/gauntlet-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$PORT; location / { return 204; } }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
trap 'nginx -c "$WORK/nginx.conf" -p "$WORK" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT
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

# One Gauntlet round: plain, or with --live and its readers attached. Sets COUNT and CPU.
gauntlet_round() {
  local out=$1 live=$2 args=()
  if [ -n "${GAUNTLET:-}" ]; then args=("${GAUNTLET_CMD[@]}" "$WORK/bench.yaml" --out "$out" --quiet); else args=("${GAUNTLET_CMD[@]}" "$WORK/bench.yaml" "$out"); fi
  if [ "$live" = 1 ]; then
    args+=(--live)
    timed "${args[@]}" > "$out.txt" 2> "$out.err" &
    local pid=$! url=""
    for _ in $(seq 1 100); do url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$out.err" | head -1 || true); [ -n "$url" ] && break; sleep 0.1; done
    curl -sN --max-time $((SECONDS_PER_RUN + 10)) "${url}events" > /dev/null 2>&1 &
    local reader=$!
    (while kill -0 "$pid" 2>/dev/null; do curl -s --max-time 2 "${url}metrics" > /dev/null 2>&1 || true; sleep 1; done) &
    local scraper=$!
    wait "$pid"
    kill "$reader" 2>/dev/null || true; wait "$reader" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true
  else
    timed "${args[@]}" > "$out.txt"
  fi
  read -r COUNT dur failed <<< "$(python3 -c "import json; s=json.load(open('$out/summary.json')); print(s['all']['count'], s['measured_duration'], s['all']['failed'])")"
  [ "$failed" = "0" ] || echo "warning: gauntlet saw $failed failed requests ($out)" >&2
  RATE=$(python3 -c "print($COUNT/$dur)"); CPU=$(cpu)
}

# The Python that the summaries start with: the rounds' figures as dicts, and their median per generator.
medians_preamble() {
  echo "import statistics, sys"
  echo "rounds = int(sys.argv[1])"
  echo "rps = {$(for k in "${!RPS[@]}"; do printf '"%s": %s, ' "$k" "${RPS[$k]}"; done)}"
  echo "cpu = {$(for k in "${!CPUS[@]}"; do printf '"%s": %s, ' "$k" "${CPUS[$k]}"; done)}"
  echo 'med = lambda d, t: statistics.median(d[f"{t},{r}"] for r in range(1, rounds + 1))'
}

declare -A RPS CPUS
if [ "$LIVE_MODE" = 1 ]; then
  for round in $(seq 1 "$ROUNDS"); do
    # Alternate which goes first, so that neither always runs on a warmer (or busier) machine.
    if [ $((round % 2)) = 1 ]; then order="0 1"; else order="1 0"; fi
    for live in $order; do
      gauntlet_round "$WORK/g$round-$live" "$live"
      RPS[$live,$round]=$RATE; CPUS[$live,$round]=$(python3 -c "print($COUNT/$CPU)")
    done
    echo "round $round: plain ${RPS[0,$round]%.*} req/s ${CPUS[0,$round]%.*} req/CPU-s; --live ${RPS[1,$round]%.*} req/s ${CPUS[1,$round]%.*} req/CPU-s" >&2
  done
  python3 - "$ROUNDS" <<PY
$(medians_preamble)
print(f"{'gauntlet':10} {'req/s':>10} {'req/CPU-s':>10}")
for t, name in (("0", "plain"), ("1", "--live")):
    print(f"{name:10} {med(rps,t):10.0f} {med(cpu,t):10.0f}")
ratios = sorted(cpu[f"1,{r}"] / cpu[f"0,{r}"] for r in range(1, rounds + 1))
print(f"--live/plain per CPU-s: median of medians {med(cpu,'1')/med(cpu,'0'):.3f}; per round {', '.join(f'{x:.3f}' for x in ratios)}")
PY
  exit 0
fi

for round in $(seq 1 "$ROUNDS"); do
  gauntlet_round "$WORK/g$round" 0
  RPS[gauntlet,$round]=$RATE; CPUS[gauntlet,$round]=$(python3 -c "print($COUNT/$CPU)")

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
$(medians_preamble)
tools = ["gauntlet", "floor", "wrk", "h2load", "hey"]
print(f"{'generator':10} {'req/s':>10} {'req/CPU-s':>10} {'gauntlet/x req/s':>17} {'gauntlet/x per CPU-s':>21}")
for t in tools:
    print(f"{t:10} {med(rps,t):10.0f} {med(cpu,t):10.0f} {med(rps,'gauntlet')/med(rps,t):17.2f} {med(cpu,'gauntlet')/med(cpu,t):21.2f}")
PY
