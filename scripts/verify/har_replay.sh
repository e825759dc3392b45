#!/usr/bin/env bash
# Issue 8's "a HAR exported from Chromium while using the Manager UI replays", end to end: starts
# `gauntlet stack --endpoints`, records a HAR of headless Chromium logging in and using the Manager UI
# (chromium_har.sh), checks the HAR's shape, replays it with `gauntlet replay HAR --endpoints … --out DIR`
# against the same stack, and checks (har_replay_check.py) that every page load and API call of the
# recording was sent with the recorded status. The login-flow steps are left to the virtual users.
# Usage: scripts/verify/har_replay.sh [GAUNTLET_BINARY] [KEEP.har]   (default .build/debug/gauntlet;
#        KEEP.har: also copy the scrubbed recording there)
# Needs: chromium, openssl, jq (Debian); websocket-client (PyPI). Exits non-zero on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
gauntlet=${1:-.build/debug/gauntlet}
keep=${2:-}
work=$(mktemp -d /tmp/gauntlet-har-replay.XXXXXX)
pid=
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$gauntlet" stack --state-dir "$work/state" --endpoints "$work/endpoints.json" >"$work/stack.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
    [[ -s $work/endpoints.json ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/stack.log"; echo "FAIL gauntlet stack exited early"; exit 1; }
    sleep 0.5
done
[[ -s $work/endpoints.json ]] || { echo "FAIL no endpoints file after 60 s"; exit 1; }
echo "ok   gauntlet stack is up at $(jq -r .urls.lb "$work/endpoints.json")"

# Scrubbed as a committed fixture would be: the replay must not need the recording's secrets.
bash "$here/chromium_har.sh" "$work/endpoints.json" "$work/manager.har" --scrub
python3 "$here/har_replay_check.py" har "$work/manager.har"
if grep -q "$(jq -r '[.users[] | select(.groups | index("managers"))][0].password' "$work/endpoints.json")" "$work/manager.har"; then
    echo "FAIL the manager's password is in the scrubbed HAR"; exit 1
fi
echo "ok   the scrubbed HAR does not contain the password"
[[ -z $keep ]] || cp "$work/manager.har" "$keep"

status=0
"$gauntlet" replay "$work/manager.har" --endpoints "$work/endpoints.json" --out "$work/replay" --quiet >"$work/replay.out" 2>&1 || status=$?
cat "$work/replay.out"
[[ $status == 0 ]] || { echo "FAIL gauntlet replay exited $status (0: statuses as recorded)"; exit 1; }
echo "ok   gauntlet replay exited 0"
python3 "$here/har_replay_check.py" replay "$work/manager.har" "$work/replay"
echo "all HAR replay checks passed"
