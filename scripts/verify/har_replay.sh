#!/usr/bin/env bash
# Issue 8's "a HAR exported from Chromium while using the Manager UI replays", end to end: starts
# `gauntlet stack --endpoints`, records a HAR of headless Chromium logging in and using the Manager UI
# (chromium_har.sh, which also adds a log source through the form: a fetch POST with a JSON body),
# checks the HAR's shape, then starts a second, fresh stack (so the source does not exist there yet),
# replays the HAR with `gauntlet replay HAR --endpoints … --out DIR` against it, and checks
# (har_replay_check.py) that every page load and API call of the recording was sent with the recorded
# status. The login-flow steps are left to the virtual users.
# Usage: scripts/verify/har_replay.sh [GAUNTLET_BINARY] [KEEP.har]   (default .build/debug/gauntlet;
#        KEEP.har: also copy the scrubbed recording there)
# Needs: chromium, openssl, jq (Debian); websocket-client (PyPI). Exits non-zero on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
gauntlet=${1:-.build/debug/gauntlet}
keep=${2:-}
work=$(mktemp -d /tmp/gauntlet-har-replay.XXXXXX)
pid=
stop_stack() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
    pid=
}
trap 'stop_stack; rm -rf "$work"' EXIT

# start_stack NAME: a stack with its state and endpoints file under $work/NAME.
start_stack() {
    mkdir -p "$work/$1"
    "$gauntlet" stack --state-dir "$work/$1/state" --endpoints "$work/$1/endpoints.json" >"$work/$1/stack.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
        [[ -s $work/$1/endpoints.json ]] && break
        kill -0 "$pid" 2>/dev/null || { cat "$work/$1/stack.log"; echo "FAIL gauntlet stack exited early"; exit 1; }
        sleep 0.5
    done
    [[ -s $work/$1/endpoints.json ]] || { echo "FAIL no endpoints file after 60 s"; exit 1; }
    echo "ok   gauntlet stack ($1) is up at $(jq -r .urls.lb "$work/$1/endpoints.json")"
}

start_stack recorded

# Scrubbed as a committed fixture would be: the replay must not need the recording's secrets.
bash "$here/chromium_har.sh" "$work/recorded/endpoints.json" "$work/manager.har" --scrub --add-source har-replay-source
python3 "$here/har_replay_check.py" har "$work/manager.har"
if grep -q "$(jq -r '[.users[] | select(.groups | index("managers"))][0].password' "$work/recorded/endpoints.json")" "$work/manager.har"; then
    echo "FAIL the manager's password is in the scrubbed HAR"; exit 1
fi
echo "ok   the scrubbed HAR does not contain the password"
[[ -z $keep ]] || cp "$work/manager.har" "$keep"
stop_stack

start_stack replayed

status=0
"$gauntlet" replay "$work/manager.har" --endpoints "$work/replayed/endpoints.json" --out "$work/replay" --quiet >"$work/replay.out" 2>&1 || status=$?
cat "$work/replay.out"
[[ $status == 0 ]] || { echo "FAIL gauntlet replay exited $status (0: statuses as recorded)"; exit 1; }
echo "ok   gauntlet replay exited 0"
python3 "$here/har_replay_check.py" replay "$work/manager.har" "$work/replay"
echo "all HAR replay checks passed"
