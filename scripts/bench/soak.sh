#!/usr/bin/env bash
# A soak of the reference stack at a steady moderate rate: Gauntlet drives page loads, API calls and uploads
# through a running stack while wrk logs in through Cognito's InitiateAuth as fast as the provider's quota
# lets it (every success leaves a refresh token behind). Every 10 s it samples the stack's RSS, the identity
# provider's store (idp_store_entries) and the LB's session cache. At the end it prints the mean RSS of the
# second minute and of the last minute, their ratio (issue 14: within 10%), and the store's largest size.
#
# Needs: wrk, curl, jq, python3. apt-get install -y wrk curl jq python3
# Usage: scripts/bench/soak.sh [MINUTES] [API_RATE]   (GAUNTLET=path/to/gauntlet picks a build; default release)
set -euo pipefail
MINUTES=${1:-10}
API_RATE=${2:-150}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${GAUNTLET:-}" ]; then
  (cd "$ROOT" && swift build -c release --product gauntlet >&2)
  GAUNTLET=$(cd "$ROOT" && swift build -c release --show-bin-path)/gauntlet
fi
for tool in wrk curl jq python3; do
  command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing (see the header for the packages)" >&2; exit 2; }
done
(( MINUTES >= 3 )) || { echo "soak.sh: at least 3 minutes (the second and the last are compared)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/gauntlet-soak.XXXXXX)
STACK_PID="" RUN_PID="" WRK_PID=""
cleanup() {
  for pid in $WRK_PID $RUN_PID $STACK_PID; do { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/stack.yaml" <<YAML
identity:
  demo_users: {managers: 5, analysts: 20}
YAML
"$GAUNTLET" stack --config "$WORK/stack.yaml" --state-dir "$WORK/state" --endpoints "$WORK/endpoints.json" > "$WORK/stack.log" 2>&1 &
STACK_PID=$!
for _ in $(seq 1 300); do [ -s "$WORK/endpoints.json" ] && break; sleep 0.1; done
[ -s "$WORK/endpoints.json" ] || { echo "soak.sh: the stack did not start" >&2; cat "$WORK/stack.log" >&2; exit 3; }
EP=$WORK/endpoints.json
IDP=$(jq -r .direct.idp "$EP")
LB=$(jq -r .direct.lb "$EP")

cat > "$WORK/soak.yaml" <<YAML
version: 1
name: soak
seed: 11
target: { endpoints: $EP }
users: { managers: 5, analysts: 20, login: browser }
duration: ${MINUTES}m
http: { connections: 64, timeout: 10s }
requests:
  upload:
    schedule: { kind: constant, rate: 20 }
    batches: [ { events: 50 } ]
  ui:
    schedule: { kind: constant, rate: 20 }
    pages: [ { path: /manager/, as: managers }, { path: /analytics/, as: analysts } ]
  api:
    schedule: { kind: constant, rate: $API_RATE }
    calls: [ { path: /manager/api/users, as: managers }, { path: "/analytics/api/search?q=x", as: analysts } ]
YAML

# InitiateAuth for the demo users in turn, closed loop on 2 connections: the quota (120/s) is the limit.
CLIENT=$(jq -r .clients.api.client_id "$EP")
jq -r '.users[] | "\(.username)\t\(.password)"' "$EP" > "$WORK/users.tsv"
python3 - "$WORK/users.tsv" "$CLIENT" > "$WORK/initiate.lua" <<'PY'
import json, sys
users = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
bodies = [json.dumps({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": sys.argv[2],
                      "AuthParameters": {"USERNAME": u, "PASSWORD": p}}) for u, p in users]
print("local bodies = {" + ",".join("[==[%s]==]" % b for b in bodies) + "}")
print("local n = 0")
print('wrk.method = "POST"')
print('wrk.headers["Content-Type"] = "application/x-amz-json-1.1"')
print('wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.InitiateAuth"')
print("request = function() n = n + 1; return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1]) end")
PY
wrk -t1 -c2 -d"$((MINUTES * 60))s" -s "$WORK/initiate.lua" "$IDP/" > "$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
"$GAUNTLET" run "$WORK/soak.yaml" --out "$WORK/run" --quiet > "$WORK/run.txt" 2>&1 &
RUN_PID=$!

# Samples: seconds since start, RSS (kB), IdP store entries in all, LB cached sessions.
start=$(date +%s)
echo "t rss_kb idp_entries lb_sessions" > "$WORK/samples.txt"
while kill -0 "$RUN_PID" 2>/dev/null; do
  now=$(( $(date +%s) - start ))
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$STACK_PID/status")
  idp=$(curl -sk --max-time 5 "$IDP/metrics" | awk '/^idp_store_entries/ {s += $NF} END {print s + 0}')
  lb=$(curl -sk --max-time 5 "$LB/.well-known/alb-metrics" | awk '/^lb_session_cache_entries/ {print $NF}')
  echo "$now $rss $idp ${lb:-0}" >> "$WORK/samples.txt"
  echo "t=${now}s rss=${rss}kB idp_store=${idp} lb_sessions=${lb:-0}" >&2
  sleep 10
done
wait "$RUN_PID" || echo "warning: gauntlet run exited $? (thresholds are not the point here)" >&2
RUN_PID=""
kill "$WRK_PID" 2>/dev/null; wait "$WRK_PID" 2>/dev/null || true; WRK_PID=""

logins=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
python3 - "$WORK/samples.txt" "$WORK/run/summary.json" "${logins:-0}" "$MINUTES" <<'PY'
import json, statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]).read().splitlines()[1:] if l.strip()]
minutes = int(sys.argv[4])
second = [r[1] for r in rows if 60 <= r[0] < 120]
last = [r[1] for r in rows if r[0] >= (minutes - 1) * 60]
s2, sl = statistics.mean(second), statistics.mean(last)
summary = json.load(open(sys.argv[2]))
count = summary.get("all", {}).get("count", 0)
print(f"requests by gauntlet: {count:.0f}; InitiateAuth calls by wrk: {sys.argv[3]}")
print(f"RSS second minute {s2 / 1024:.1f} MB, last minute {sl / 1024:.1f} MB, ratio {sl / s2:.3f} (bar: within 10%)")
print(f"IdP store entries: max {max(r[2] for r in rows):.0f}, last {rows[-1][2]:.0f}; LB cached sessions: max {max(r[3] for r in rows):.0f}")
print("RSS flat: " + ("yes" if abs(sl / s2 - 1) <= 0.10 else "NO"))
PY
