#!/usr/bin/env bash
# The reference stack's load balancer against nginx, both as a TLS reverse proxy to the same upstream (an
# nginx `return 200` over HTTPS with a certificate from the stack's CA), alternating, several rounds:
#   - lb:    a logged-in manager's session cookie, `/manager/*` authenticated and forwarded by the LB;
#   - nginx: a plain TLS reverse proxy with a keep-alive upstream pool, the same client load.
# Prints each one's requests/s and CPU per request (the stack's whole process; nginx's proxy process), and
# the LB's ratio to nginx (medians over the rounds). Issue 14's bar is a ratio of at least 0.5.
#
# Needs: nginx, wrk, curl, jq, python3, openssl. apt-get install -y nginx wrk curl jq python3 openssl
# Usage: scripts/bench/lb.sh [ROUNDS] [SECONDS] [CONNECTIONS]
#   GAUNTLET=path/to/gauntlet picks a build (default: a release build in .build).
#   PROFILE=1 records `perf record -g` of the stack during the last LB round into $PERF_OUT (default /tmp/lb.perf.data).
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-8}
CONNECTIONS=${3:-50}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${GAUNTLET:-}" ]; then
  (cd "$ROOT" && swift build -c release --product gauntlet >&2)
  GAUNTLET=$(cd "$ROOT" && swift build -c release --show-bin-path)/gauntlet
fi
for tool in nginx wrk curl jq python3 openssl; do
  command -v "$tool" >/dev/null || { echo "lb.sh: $tool is missing (see the header for the packages)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/gauntlet-lb-bench.XXXXXX)
STACK_PID=""
cleanup() {
  # `wait` answers the killed stack's 143: without `|| true`, set -e would end the trap before nginx stops.
  { [ -n "$STACK_PID" ] && kill "$STACK_PID" 2>/dev/null && wait "$STACK_PID" 2>/dev/null; } || true
  for conf in upstream proxy; do
    [ -f "$WORK/$conf.conf" ] && nginx -c "$WORK/$conf.conf" -p "$WORK" -s stop 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UPSTREAM_PORT=$(freeport)
PROXY_PORT=$(freeport)

# The stack: one extra target group (the upstream) and rules that send a manager's /manager/* there.
cat > "$WORK/stack.yaml" <<YAML
identity:
  demo_users: {managers: 2, analysts: 2}
edge:
  target_groups:
    bench-upstream: [https://127.0.0.1:$UPSTREAM_PORT]
  rules:
    - priority: 10
      conditions: [{path-pattern: ["/manager/*"]}, {group: [managers]}]
      actions: [{authenticate: {}}, {forward: bench-upstream}]
YAML
"$GAUNTLET" stack --config "$WORK/stack.yaml" --state-dir "$WORK/state" --endpoints "$WORK/endpoints.json" > "$WORK/stack.log" 2>&1 &
STACK_PID=$!
for _ in $(seq 1 300); do [ -s "$WORK/endpoints.json" ] && break; sleep 0.1; done
[ -s "$WORK/endpoints.json" ] || { echo "lb.sh: the stack did not start:" >&2; cat "$WORK/stack.log" >&2; exit 3; }
EP=$WORK/endpoints.json
CA=$(jq -r .ca_file "$EP")
STATE=$(jq -r .state_dir "$EP")

# Both nginx instances use the stack's own server certificate (issued by the stack's CA).
cat > "$WORK/upstream.conf" <<CONF
worker_processes 1;
pid $WORK/upstream.pid;
error_log $WORK/upstream-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$UPSTREAM_PORT ssl;
    ssl_certificate $STATE/server.pem;
    ssl_certificate_key $STATE/server-key.pem;
    location / { return 200 "ok\n"; }
  }
}
CONF
cat > "$WORK/proxy.conf" <<CONF
worker_processes 1;
pid $WORK/proxy.pid;
error_log $WORK/proxy-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream target { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$PROXY_PORT ssl;
    ssl_certificate $STATE/server.pem;
    ssl_certificate_key $STATE/server-key.pem;
    location / {
      proxy_pass https://target;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_session_reuse on;
    }
  }
}
CONF
nginx -c "$WORK/upstream.conf" -p "$WORK"
nginx -c "$WORK/proxy.conf" -p "$WORK"
sleep 0.3

# A manager's session, by the browser flow (curl and a cookie jar): / → authorize → login form → callback.
LB=$(jq -r .urls.lb "$EP"); LB=${LB%/}
RESOLVE=(); while read -r r; do RESOLVE+=(--resolve "$r"); done < <(jq -r '.resolve[]' "$EP")
USER=$(jq -r '[.users[] | select(.groups | index("managers"))][0].username' "$EP")
PASS=$(jq -r '[.users[] | select(.groups | index("managers"))][0].password' "$EP")
JAR=$WORK/jar
c() { curl -sS --max-time 10 --cacert "$CA" "${RESOLVE[@]}" -c "$JAR" -b "$JAR" "$@"; }
AUTHORIZE=$(c -o /dev/null -w '%{redirect_url}' "$LB/manager/")
LOGIN_PAGE=$(c -L -w '\n%{url_effective}' "$AUTHORIZE")
FORM=$(printf '%s' "$LOGIN_PAGE" | python3 -c '
import html.parser, sys, urllib.parse
page = sys.stdin.read().rsplit("\n", 1)
user, password = sys.argv[1:3]
class Form(html.parser.HTMLParser):
    action, fields = None, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None: self.action = a.get("action") or page[1]
        if tag == "input" and a.get("name"): self.fields.append((a["name"], a.get("value") or "", (a.get("type") or "text").lower()))
f = Form(); f.feed(page[0])
def fill(name, value, kind):
    if kind == "password" or "pass" in name.lower(): return password
    if kind in ("text", "email") or "user" in name.lower(): return user
    return value
values = [(n, fill(n, v, t)) for n, v, t in f.fields if t != "submit"]
print(urllib.parse.urljoin(page[1], f.action)); print(urllib.parse.urlencode(values))' "$USER" "$PASS")
CALLBACK=$(c -o /dev/null -w '%{redirect_url}' --data "$(sed -n 2p <<< "$FORM")" "$(sed -n 1p <<< "$FORM")")
c -o /dev/null "$CALLBACK"
COOKIE=$(awk '$6 ~ /^AWSELBAuthSessionCookie-/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$JAR")
[ -n "$COOKIE" ] || { echo "lb.sh: login as $USER gave no session cookie" >&2; exit 3; }

LB_PORT=$(python3 -c "import urllib.parse,sys; print(urllib.parse.urlsplit(sys.argv[1]).port)" "$LB")
HOST=$(python3 -c "import urllib.parse,sys; print(urllib.parse.urlsplit(sys.argv[1]).hostname)" "$LB")
LB_URL="https://127.0.0.1:$LB_PORT/manager/api/bench"
PROXY_URL="https://127.0.0.1:$PROXY_PORT/manager/api/bench"
# Both paths must answer the upstream's 200 before anything is measured.
for url in "$LB_URL" "$PROXY_URL"; do
  code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Host: $HOST" -H "Cookie: $COOKIE" "$url")
  [ "$code" = 200 ] || { echo "lb.sh: $url answered $code, not the upstream's 200" >&2; exit 3; }
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
proxy_worker() { pgrep -P "$(cat "$WORK/proxy.pid")" | head -1; }
HZ=$(getconf CLK_TCK)
# run NAME URL PID: one wrk round; records req/s and the process's CPU seconds per request.
declare -A RPS CPU
run() {
  local name=$1 url=$2 pid=$3 round=$4 before after count
  before=$(ticks "$pid")
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -H "Host: $HOST" -H "Cookie: $COOKIE" "$url" > "$WORK/wrk.txt"
  after=$(ticks "$pid")
  count=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  if grep -q 'Non-2xx' "$WORK/wrk.txt"; then echo "warning: $name round $round: $(grep Non-2xx "$WORK/wrk.txt")" >&2; fi
  RPS[$name,$round]=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  CPU[$name,$round]=$(python3 -c "print(($after - $before) / $HZ / max(1, $count))")
}
for round in $(seq 1 "$ROUNDS"); do
  if [ "${PROFILE:-0}" = 1 ] && [ "$round" = "$ROUNDS" ]; then
    perf record -g -o "${PERF_OUT:-/tmp/lb.perf.data}" -p "$STACK_PID" -- sleep "$SECONDS_PER_RUN" > /dev/null 2>&1 &
    PERF_PID=$!
  fi
  run lb "$LB_URL" "$STACK_PID" "$round"
  [ -n "${PERF_PID:-}" ] && wait "$PERF_PID"
  run nginx "$PROXY_URL" "$(proxy_worker)" "$round"
  echo "round $round: lb ${RPS[lb,$round]} req/s, nginx ${RPS[nginx,$round]} req/s" >&2
done

python3 - "$ROUNDS" <<PY
import statistics, sys
rounds = int(sys.argv[1])
rps = {$(for k in "${!RPS[@]}"; do printf '"%s": %s, ' "$k" "${RPS[$k]}"; done)}
cpu = {$(for k in "${!CPU[@]}"; do printf '"%s": %s, ' "$k" "${CPU[$k]}"; done)}
med = lambda d, t: statistics.median(d[f"{t},{r}"] for r in range(1, rounds + 1))
print(f"{'path':8} {'req/s':>10} {'CPU µs/req':>11}")
for t in ("lb", "nginx"):
    print(f"{t:8} {med(rps, t):10.0f} {med(cpu, t) * 1e6:11.1f}")
print(f"lb/nginx throughput ratio: {med(rps, 'lb') / med(rps, 'nginx'):.2f}")
print(f"lb/nginx CPU per request: {med(cpu, 'lb') / med(cpu, 'nginx'):.2f}")
PY
