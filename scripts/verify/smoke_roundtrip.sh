#!/usr/bin/env bash
# README's round trip, end to end: `gauntlet run scenarios/smoke.yaml`, then `gauntlet replay RUN_DIR/access.log
# --speed 2` against a fresh embedded stack. Both must exit 0 and the replay must report no status differences:
# the LB's own refusals (an analyst's 403 on /manager/api/…) replay as refusals.
# Usage: scripts/verify/smoke_roundtrip.sh   (GAUNTLET=path/to/gauntlet)
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
gauntlet="${GAUNTLET:?set GAUNTLET to the gauntlet binary}"
work="$(mktemp -d /tmp/gauntlet-verify-smoke.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$root"
timeout 300 "$gauntlet" run scenarios/smoke.yaml --out "$work/run" --quiet > "$work/run.txt" 2>&1
code=$?
[[ $code -eq 0 ]] || { tail -30 "$work/run.txt"; echo "FAIL gauntlet run scenarios/smoke.yaml exited $code"; exit 1; }
echo "ok   gauntlet run scenarios/smoke.yaml exited 0 ($(grep -c . "$work/run/access.log") access-log lines)"
timeout 300 "$gauntlet" replay "$work/run/access.log" --speed 2 --out "$work/replay" --quiet > "$work/replay.txt" 2>&1
code=$?
grep -E '^statuses:' "$work/replay.txt" | sed 's/^/     /'
[[ $code -eq 0 ]] || { tail -30 "$work/replay.txt"; echo "FAIL gauntlet replay RUN_DIR/access.log --speed 2 exited $code"; exit 1; }
grep -qE '^statuses: all [0-9]+ replayed requests got the recorded status' "$work/replay.txt" \
    || { cat "$work/replay.txt"; echo "FAIL the replay's statuses differ from the recording"; exit 1; }
echo "ok   gauntlet replay RUN_DIR/access.log --speed 2 exited 0 with no status differences"
