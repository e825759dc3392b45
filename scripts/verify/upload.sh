#!/usr/bin/env bash
# Checks the upload gateway with curl, an outside client (issue 5's "Done when", HTTP level).
#
#   scripts/verify/upload.sh
#
# Starts the gateway from the test binary (UploadServeEntry/serve, plain HTTP on 127.0.0.1; see
# scripts/crash-test.sh) on a fresh state dir and checks each status with curl, then that the marker every
# event carries is nowhere in the state dir and that every accepted event is stored once (UploadServeEntry/dump).
# Exits non-zero on the first failed check.
# Needs: curl, gzip, python3 (standard library only), the Swift toolchain. SKIP_BUILD=1 reuses the build.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then swift build --build-tests >/dev/null; fi
BIN="$(swift build --show-bin-path)/gauntletPackageTests.xctest"
WORK=$(mktemp -d /tmp/gauntlet-verify-upload.XXXXXX)
SERVER=""
cleanup() { [[ -n "$SERVER" ]] && kill -9 "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
MARKER="VERIFY-MARKER-$RANDOM$RANDOM"

GAUNTLET_UPLOAD_SERVE_STATE="$WORK/state" GAUNTLET_UPLOAD_READY="$WORK/ready.json" \
    "$BIN" --testing-library swift-testing --filter 'UploadServeEntry/serve' >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do [[ -s "$WORK/ready.json" ]] && break; sleep 0.1; done
PORT=$(python3 -c "import json; print(json.load(open('$WORK/ready.json'))['port'])")
KEY=$(python3 -c "import json; print(json.load(open('$WORK/ready.json'))['api_key'])")
URL="http://127.0.0.1:$PORT/v1/events"

fails=0
check() {  # name expected-status actual-status [body-must-contain]
    if [[ "$3" == "$2" && ( -z "${4:-}" || "$(cat "$WORK/resp")" == *"$4"* ) ]]; then
        echo "ok   $1: $3 $(head -c 160 "$WORK/resp")"
    else
        echo "FAIL $1: expected $2${4:+ with $4}, got $3 $(head -c 300 "$WORK/resp")"
        fails=$((fails + 1))
    fi
}
post() {  # curl args… → status
    curl -sS -o "$WORK/resp" -w '%{http_code}' -X POST "$URL" "$@"
}

python3 - "$WORK" "$MARKER" <<'PY'
import json, sys
work, marker = sys.argv[1], sys.argv[2]
def events(prefix, n):
    return [json.dumps({"id": f"{prefix}-{i}", "source": "verify", "timestamp": "2026-11-29T00:00:00Z", "msg": f"{marker} {i}"}) for i in range(n)]
open(f"{work}/plain.ndjson", "w").write("\n".join(events("plain", 1000)) + "\n")
open(f"{work}/gz.ndjson", "w").write("\n".join(events("gz", 1000)) + "\n")
bad = events("bad", 30); bad[16] = json.dumps({"id": "bad-16", "msg": "no source"})
open(f"{work}/line17.ndjson", "w").write("\n".join(bad) + "\n")
open(f"{work}/idem.ndjson", "w").write("\n".join(events("idem", 10)) + "\n")
head = '{"source":"big","pad":"'
open(f"{work}/big.ndjson", "w").write(head + "a" * (10 * 1024 * 1024 + 1 - len(head) - 2) + '"}')
PY
gzip -c "$WORK/gz.ndjson" >"$WORK/gz.ndjson.gz"
gzip -c "$WORK/plain.ndjson" >"$WORK/corrupt.gz"
printf '\xff\xff\xff\xff' | dd of="$WORK/corrupt.gz" bs=1 seek=200 conv=notrunc status=none

CT=(-H 'Content-Type: application/x-ndjson')
check "1,000 NDJSON events" 202 "$(post "${CT[@]}" -H "x-api-key: $KEY" --data-binary @"$WORK/plain.ndjson")" '"accepted":1000'
check "1,000 gzip NDJSON events" 202 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H 'Content-Encoding: gzip' --data-binary @"$WORK/gz.ndjson.gz")" '"accepted":1000'
check "no API key" 403 "$(post "${CT[@]}" --data-binary @"$WORK/idem.ndjson")" '{"message":"Forbidden"}'
check "unknown API key" 403 "$(post "${CT[@]}" -H 'x-api-key: nope' --data-binary @"$WORK/idem.ndjson")" 'Forbidden'
check "bad Bearer token" 401 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H 'Authorization: Bearer abc.def.ghi' --data-binary @"$WORK/idem.ndjson")" '{"message":"Unauthorized"}'
check "10 MB + 1 byte" 413 "$(post "${CT[@]}" -H "x-api-key: $KEY" --data-binary @"$WORK/big.ndjson")"
check "corrupt gzip" 415 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H 'Content-Encoding: gzip' --data-binary @"$WORK/corrupt.gz")"
check "unknown encoding" 415 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H 'Content-Encoding: br' --data-binary @"$WORK/idem.ndjson")"
check "wrong content type" 415 "$(post -H 'Content-Type: text/plain' -H "x-api-key: $KEY" --data-binary @"$WORK/idem.ndjson")"
check "invalid event on line 17" 400 "$(post "${CT[@]}" -H "x-api-key: $KEY" --data-binary @"$WORK/line17.ndjson")" '"line":17'
check "Idempotency-Key, first" 202 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H 'Idempotency-Key: v-1' --data-binary @"$WORK/idem.ndjson")" '"accepted":10'
first=$(cat "$WORK/resp")
check "Idempotency-Key, retry" 202 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H 'Idempotency-Key: v-1' --data-binary @"$WORK/idem.ndjson")" "$first"
check "headers over 10,240 bytes" 431 "$(post "${CT[@]}" -H "x-api-key: $KEY" -H "x-pad: $(head -c 10300 /dev/zero | tr '\0' p)" --data-binary @"$WORK/idem.ndjson")"

kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
if grep -r -q -a -F "$MARKER" "$WORK/state"; then
    echo "FAIL marker found in the state dir"; fails=$((fails + 1))
else
    echo "ok   no marker byte in $(find "$WORK/state" -type f | wc -l) state files"
fi
GAUNTLET_UPLOAD_DUMP_STATE="$WORK/state" GAUNTLET_UPLOAD_DUMP_OUT="$WORK/ids.txt" \
    "$BIN" --testing-library swift-testing --filter 'UploadServeEntry/dump' >"$WORK/dump.log" 2>&1
stored=$(python3 -c "
import collections, sys
ids = [l for l in open('$WORK/ids.txt').read().split() if l]
c = collections.Counter(ids)
ok = len(ids) == 2010 and all(v == 1 for v in c.values()) and not any(i.startswith('bad-') for i in ids)
print(len(ids), 'ok' if ok else 'wrong')")
if [[ "$stored" == "2010 ok" ]]; then echo "ok   2,010 events stored once each, nothing of the bad batch"; else echo "FAIL stored: $stored"; fails=$((fails + 1)); fi

# Throttling: a second gateway with a 1 request/s bucket of 3; a burst of 8 must see 429 with Retry-After.
GAUNTLET_UPLOAD_SERVE_STATE="$WORK/state-throttle" GAUNTLET_UPLOAD_READY="$WORK/ready2.json" \
    GAUNTLET_UPLOAD_SERVE_RATE=1 GAUNTLET_UPLOAD_SERVE_BURST=3 \
    "$BIN" --testing-library swift-testing --filter 'UploadServeEntry/serve' >"$WORK/server2.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 600); do [[ -s "$WORK/ready2.json" ]] && break; sleep 0.1; done
URL="http://127.0.0.1:$(python3 -c "import json; print(json.load(open('$WORK/ready2.json'))['port'])")/v1/events"
codes=""
for _ in $(seq 1 8); do
    codes+="$(curl -sS -D "$WORK/headers" -o "$WORK/resp" -w '%{http_code}' -X POST "$URL" "${CT[@]}" -H "x-api-key: $KEY" --data-binary @"$WORK/idem.ndjson") "
    [[ "$codes" == *429* ]] && break
done
if [[ "$codes" == "202 202 202 429 " ]] && grep -qi '^retry-after: [0-9]' "$WORK/headers" && grep -q 'Too Many Requests' "$WORK/resp"; then
    echo "ok   burst beyond the bucket: $codes with $(grep -i '^retry-after' "$WORK/headers" | tr -d '\r')"
else
    echo "FAIL burst: $codes $(cat "$WORK/resp")"; fails=$((fails + 1))
fi
kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

(( fails == 0 )) && echo "verify/upload: all checks passed" || { echo "verify/upload: $fails failed"; exit 1; }
