#!/usr/bin/env bash
# Upload gateway ingest benchmark (issue 5): durable ingest rate of the gateway + encrypted event store, next to
# the same client posting the same batches to nginx `return 202` on loopback (the HTTP ceiling of this machine).
#
#   scripts/bench/upload.sh [--duration SECONDS] [--connections N] [--batch EVENTS] [--event-bytes N]
#
# Client: wrk with scripts/bench/upload-post.lua (same body, same connections, same duration for both).
# The gateway runs from the package's test binary (UploadServeEntry/serve, plain HTTP, see crash-test.sh);
# set CONFIG=release to build and measure a release build (slow to build; debug numbers are much lower).
# Needs: wrk, nginx (Debian packages), python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=10 CONNECTIONS=8 BATCH=1000 EVENT_BYTES=200
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --batch) BATCH=$2; shift 2 ;;
        --event-bytes) EVENT_BYTES=$2; shift 2 ;;
        *) echo "usage: $0 [--duration S] [--connections N] [--batch EVENTS] [--event-bytes N]" >&2; exit 2 ;;
    esac
done
CONFIG=${CONFIG:-debug}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "bench: nginx is not installed (apt-get install -y nginx)" >&2; exit 2; }

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "bench: building the test binary ($CONFIG)…" >&2
    swift build -c "$CONFIG" --build-tests >/dev/null
fi
BIN="$(swift build -c "$CONFIG" --show-bin-path)/gauntletPackageTests.xctest"

WORK=$(mktemp -d /tmp/gauntlet-bench.XXXXXX)
SERVER="" NGINX=""
cleanup() {
    [[ -n "$SERVER" ]] && kill -9 "$SERVER" 2>/dev/null || true
    [[ -n "$NGINX" ]] && kill "$NGINX" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# One batch of BATCH events of about EVENT_BYTES each, NDJSON.
python3 - "$WORK/body.ndjson" "$BATCH" "$EVENT_BYTES" <<'PY'
import json, sys, time
path, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = []
for i in range(n):
    e = {"id": f"bench-{i}", "source": f"svc-{i % 8}", "timestamp": time.time(), "level": "info", "msg": ""}
    e["msg"] = "x" * max(0, size - len(json.dumps(e)))
    lines.append(json.dumps(e))
open(path, "w").write("\n".join(lines) + "\n")
PY
BODY_BYTES=$(stat -c %s "$WORK/body.ndjson")

# The gateway.
GW_PORT=$(free_port)
GAUNTLET_UPLOAD_SERVE_STATE="$WORK/state" GAUNTLET_UPLOAD_SERVE_PORT="$GW_PORT" GAUNTLET_UPLOAD_READY="$WORK/ready.json" \
    "$BIN" --testing-library swift-testing --filter 'UploadServeEntry/serve' >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do [[ -s "$WORK/ready.json" ]] && break; sleep 0.1; done
[[ -s "$WORK/ready.json" ]] || { echo "bench: gateway did not start" >&2; cat "$WORK/server.log" >&2; exit 2; }
API_KEY=$(python3 -c "import json; print(json.load(open('$WORK/ready.json'))['api_key'])")

# nginx answering 202 to the same POST (it reads and discards the body).
NG_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes 2;
daemon off;
$( [[ $(id -u) == 0 ]] && echo "user root;" )
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    client_max_body_size 20m;
    client_body_buffer_size 16m;
    server {
        listen 127.0.0.1:$NG_PORT;
        location / { default_type application/json; return 202 '{"accepted":$BATCH,"batch":"nginx","offset":0}'; }
    }
}
NGX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX=$!
sleep 0.5

run_wrk() {  # url → "requests duration_us non2xx"
    BODY_FILE="$WORK/body.ndjson" API_KEY="$API_KEY" \
        wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/bench/upload-post.lua "$1" >"$WORK/wrk.out" 2>&1
    cat "$WORK/wrk.out" >&2
    grep '^BENCH' "$WORK/wrk.out" | sed 's/^BENCH //'
}

echo "bench: gateway (http://127.0.0.1:$GW_PORT, $CONFIG build), $BATCH events × ~$EVENT_BYTES B = $BODY_BYTES B per batch" >&2
read -r GW_REQ GW_US GW_BAD < <(run_wrk "http://127.0.0.1:$GW_PORT/v1/events")
echo "bench: nginx return 202 (http://127.0.0.1:$NG_PORT)" >&2
read -r NG_REQ NG_US NG_BAD < <(run_wrk "http://127.0.0.1:$NG_PORT/v1/events")

kill -TERM "$SERVER" 2>/dev/null || true
for _ in $(seq 1 100); do [[ -s "$WORK/ready.json.stats" ]] && break; sleep 0.1; done
STATS=$(cat "$WORK/ready.json.stats" 2>/dev/null || echo '{}')
wait "$SERVER" 2>/dev/null || true
SERVER=""

python3 - "$BATCH" "$BODY_BYTES" "$GW_REQ" "$GW_US" "$GW_BAD" "$NG_REQ" "$NG_US" "$NG_BAD" "$STATS" <<'PY'
import json, sys
batch, body = int(sys.argv[1]), int(sys.argv[2])
gw_req, gw_us, gw_bad, ng_req, ng_us, ng_bad = map(int, sys.argv[3:9])
stats = json.loads(sys.argv[9])
def rates(req, us):
    s = us / 1e6
    return req * batch / s, req * body / s / 1e6, req / s
ge, gm, gr = rates(gw_req - gw_bad, gw_us)
ne, nm, nr = rates(ng_req - ng_bad, ng_us)
print(f"{'':22}{'events/s':>12}{'MB/s':>10}{'batches/s':>11}{'non-2xx':>9}")
print(f"{'gateway (durable)':22}{ge:12.0f}{gm:10.1f}{gr:11.1f}{gw_bad:9d}")
print(f"{'nginx return 202':22}{ne:12.0f}{nm:10.1f}{nr:11.1f}{ng_bad:9d}")
print(f"ratio gateway/nginx: {ge / ne:.3f}")
if stats.get("syncs"):
    print(f"store: {stats['batches']} batches in {stats['syncs']} fdatasyncs "
          f"({stats['batches'] / stats['syncs']:.2f} batches per sync), {stats['bytes'] / 1e6:.1f} MB sealed")
sys.exit(1 if gw_bad or gw_req == 0 else 0)
PY
