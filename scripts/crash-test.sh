#!/usr/bin/env bash
# Crash test of the upload gateway's event store (issue 5).
#
#   scripts/crash-test.sh [--short]
#
# Uploads numbered batches continuously (scripts/crash/client.py, retrying each with the same Idempotency-Key
# until it gets 202), kill -9s the server at random moments KILLS times (6 with --short, 40 without), restarts it on the same state dir, and
# (every third time also appending a torn, never-synced block to the last segment, as a power cut could leave),
# then checks that every acknowledged event is stored exactly once and that no event byte is on disk in clear.
# Prints acknowledged / found / lost / duplicated; exits 1 if anything was lost or duplicated or the marker
# was found on disk.
#
# How the server is started: there is no upload executable until `gauntlet stack` wires the gateway in, so the
# script runs the package's test binary with the `UploadServeEntry/serve` test, which serves the gateway
# (plain HTTP on 127.0.0.1:<port>) until killed; `UploadServeEntry/dump` lists the stored event ids afterwards.
# See Tests/GauntletStackTests/UploadServeEntry.swift.
#
# Needs: the Swift toolchain, python3 (standard library only). SKIP_BUILD=1 uses the existing test build.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--short" ]]; then
    KILLS=${KILLS:-6} BATCHES=${BATCHES:-100000} BATCH_SIZE=${BATCH_SIZE:-25}
else
    KILLS=${KILLS:-40} BATCHES=${BATCHES:-100000} BATCH_SIZE=${BATCH_SIZE:-50}
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "crash-test: building the test binary (swift build --build-tests)…" >&2
    swift build --build-tests >/dev/null
fi
BIN="$(swift build --show-bin-path)/gauntletPackageTests.xctest"
[[ -x "$BIN" ]] || { echo "crash-test: test binary $BIN not found" >&2; exit 2; }

WORK=$(mktemp -d /tmp/gauntlet-crash.XXXXXX)
STATE=$WORK/state
READY=$WORK/ready.json
MARKER="CRASH-MARKER-$(python3 -c 'import uuid; print(uuid.uuid4().hex)')"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SERVER=""
CLIENT=""

cleanup() {
    [[ -n "$SERVER" ]] && kill -9 "$SERVER" 2>/dev/null || true
    [[ -n "$CLIENT" ]] && kill "$CLIENT" 2>/dev/null || true
    if [[ "${KEEP:-0}" == 1 ]]; then echo "crash-test: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

start_server() {
    rm -f "$READY"
    GAUNTLET_UPLOAD_SERVE_STATE="$STATE" GAUNTLET_UPLOAD_SERVE_PORT="$PORT" GAUNTLET_UPLOAD_READY="$READY" \
        "$BIN" --testing-library swift-testing --filter 'UploadServeEntry/serve' >>"$WORK/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 600); do
        [[ -s "$READY" ]] && return 0
        kill -0 "$SERVER" 2>/dev/null || { echo "crash-test: server exited; log:" >&2; tail -20 "$WORK/server.log" >&2; exit 2; }
        sleep 0.1
    done
    echo "crash-test: server not ready after 60 s" >&2
    exit 2
}

start_server
python3 scripts/crash/client.py --ready "$READY" --batches "$BATCHES" --batch-size "$BATCH_SIZE" \
    --run "crash$$" --marker "$MARKER" --acked "$WORK/acked.txt" --done "$WORK/client.done" --stop "$WORK/stop" &
CLIENT=$!

kills=0
dropped_total=0
while (( kills < KILLS )) && [[ ! -e "$WORK/client.done" ]]; do
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.05, 0.9), 3))')"
    kill -9 "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    kills=$((kills + 1))
    if (( kills % 3 == 0 )); then
        # Also play a power cut: a partly persisted, never-synced write at the end of the last segment
        # (a block header and random bytes). Recovery must cut exactly this off and serve nothing of it.
        python3 - "$STATE/segments" <<'TEAR'
import os, random, sys
d = sys.argv[1]
last = sorted(f for f in os.listdir(d) if f.endswith(".seg"))[-1]
with open(os.path.join(d, last), "ab") as f:
    f.write(b"GBK1" + os.urandom(random.randint(1, 3000)))
TEAR
    fi
    start_server
    dropped=$(python3 -c "import json; print(json.load(open('$READY'))['dropped_tail_bytes'])")
    dropped_total=$((dropped_total + dropped))
done
# Let the client upload a little more against the last restart, then stop it (it finishes its current batch).
sleep 0.5
touch "$WORK/stop"

if ! wait "$CLIENT"; then
    CLIENT=""
    echo "crash-test: the client failed" >&2
    exit 1
fi
CLIENT=""
kill -TERM "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
SERVER=""

GAUNTLET_UPLOAD_DUMP_STATE="$STATE" GAUNTLET_UPLOAD_DUMP_OUT="$WORK/found.txt" \
    "$BIN" --testing-library swift-testing --filter 'UploadServeEntry/dump' >>"$WORK/dump.log" 2>&1 \
    || { echo "crash-test: dump failed" >&2; tail -20 "$WORK/dump.log" >&2; exit 1; }

marker_files=$(grep -r -l -a -F "$MARKER" "$STATE" | wc -l || true)

python3 - "$WORK/acked.txt" "$WORK/found.txt" "$kills" "$dropped_total" "$marker_files" <<'PY'
import collections, sys
acked = [l for l in open(sys.argv[1]).read().split("\n") if l]
found = [l for l in open(sys.argv[2]).read().split("\n") if l]
kills, dropped, marker_files = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
counts = collections.Counter(found)
acked_set = set(acked)
lost = [i for i in acked_set if counts[i] == 0]
duplicated = sum(c - 1 for c in counts.values() if c > 1)
extra = [i for i in counts if i not in acked_set]
print(f"kills: {kills}  torn-tail bytes dropped on restart: {dropped}")
print(f"acknowledged: {len(acked_set)}")
print(f"found: {len(acked_set) - len(lost)}")
print(f"lost: {len(lost)}")
print(f"duplicated: {duplicated}")
print(f"stored but never acknowledged: {len(extra)}")
print(f"state files containing the marker: {marker_files}")
ok = not lost and duplicated == 0 and marker_files == 0 and len(acked) == len(acked_set) and kills > 0
print("crash-test: PASS" if ok else "crash-test: FAIL")
sys.exit(0 if ok else 1)
PY
