#!/usr/bin/env bash
# Three of the edge's AWS behaviours, checked with clients no one here wrote (issue 16):
#   - target certificates: a target group pointed at a self-signed HTTPS server (nginx, an openssl-made
#     certificate) is served through the LB, as an ALB does not validate its targets; the listener still
#     presents the stack CA's certificate, which openssl s_client verifies;
#   - the access log's `request` is always `https://host:port/path`: a spoofed Host without a port gets the
#     listener's port, one with a port keeps it;
#   - `ssl_cipher` is set on every line, in OpenSSL's names, and is the cipher curl negotiated (forced per
#     request with --ciphers / --tls13-ciphers and cross-checked with openssl s_client).
# Starts its own stack (a config with the self-signed target group) and removes everything after.
#
# Usage: scripts/verify/edge_aws.sh GAUNTLET_BIN
# Needs (Debian packages): curl, jq, openssl, nginx (nginx-light), python3.
set -uo pipefail
BIN=${1:?usage: edge_aws.sh GAUNTLET_BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/gauntlet-edge-aws.XXXXXX)
STACK_PID=""
cleanup() {
  [ -n "$STACK_PID" ] && kill "$STACK_PID" 2>/dev/null && wait "$STACK_PID" 2>/dev/null
  [ -f "$WORK/nginx.conf" ] && nginx -c "$WORK/nginx.conf" -p "$WORK" -s stop 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
FAILS=0
ok() { echo "ok   $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $*" >&2; }

# A self-signed HTTPS target: its certificate is signed by its own key, trusted by no one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=self-signed target" \
  -keyout "$WORK/target.key" -out "$WORK/target.pem" 2>/dev/null || { echo "openssl could not make a certificate" >&2; exit 2; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$PORT ssl;
    ssl_certificate $WORK/target.pem;
    ssl_certificate_key $WORK/target.key;
    location / { return 200 "self-signed target\n"; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK" || { echo "nginx did not start" >&2; exit 2; }
if curl -s --max-time 5 -o /dev/null "https://127.0.0.1:$PORT/"; then
  fail "curl with default trust accepted the self-signed target: the test would prove nothing"
fi

cat > "$WORK/stack.yaml" <<YAML
edge:
  target_groups:
    self-signed: [https://127.0.0.1:$PORT]
  rules:
    - priority: 1
      conditions: [{path-pattern: ["/self-signed/*"]}]
      actions: [{forward: self-signed}]
YAML
"$BIN" stack --config "$WORK/stack.yaml" --state-dir "$WORK/state" --endpoints "$WORK/endpoints.json" > "$WORK/stack.log" 2>&1 &
STACK_PID=$!
for _ in $(seq 1 600); do [ -s "$WORK/endpoints.json" ] && break; sleep 0.1; done
[ -s "$WORK/endpoints.json" ] || { echo "the stack did not start:" >&2; tail -20 "$WORK/stack.log" >&2; exit 3; }
EP=$WORK/endpoints.json
CA=$(jq -r .ca_file "$EP")
LOG=$(jq -r .access_log "$EP")
LB=$(jq -r .urls.lb "$EP"); LB=${LB%/}
LB_PORT=${LB##*:}
HOST=$(jq -r .urls.lb "$EP" | sed -E 's#https://([^:/]+).*#\1#')
RESOLVE=(--resolve "$HOST:$LB_PORT:127.0.0.1")

# (a) Targets' certificates are not validated; the listener's is, by its clients.
body=$(curl -sS --max-time 10 --cacert "$CA" "${RESOLVE[@]}" "$LB/self-signed/x")
if [ "$body" = "self-signed target" ]; then ok "a self-signed target is served through the LB"; else fail "self-signed target through the LB: got '$body'"; fi
verify=$(echo | openssl s_client -connect "127.0.0.1:$LB_PORT" -servername "$HOST" -CAfile "$CA" -verify_return_error 2>&1 < /dev/null)
if grep -q "Verify return code: 0 (ok)" <<< "$verify"; then ok "the listener's certificate verifies against the stack CA"; else fail "listener certificate: $(grep 'Verify return' <<< "$verify")"; fi
if echo | openssl s_client -connect "127.0.0.1:$LB_PORT" -servername "$HOST" -verify_return_error < /dev/null > /dev/null 2>&1; then
  fail "the listener's certificate verified without the stack CA"
else
  ok "without the stack CA, s_client refuses the listener (the listener side stays strict)"
fi

# (b) Spoofed Host headers: the request URL always carries a port.
curl -sS --max-time 10 -k -o /dev/null -H "Host: evil.example.com" "https://127.0.0.1:$LB_PORT/spoofed-no-port"
curl -sS --max-time 10 -k -o /dev/null -H "Host: evil.example.com:8443" "https://127.0.0.1:$LB_PORT/spoofed-with-port"

# (c) Ciphers: force one per request and expect exactly it in the log, as openssl names it.
declare -A FORCED
for cipher in ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305; do
  curl -sS --max-time 10 --cacert "$CA" "${RESOLVE[@]}" --tls-max 1.2 --ciphers "$cipher" -o /dev/null "$LB/cipher-$cipher" \
    && FORCED[$cipher]=1 || fail "curl could not negotiate $cipher with the LB"
done
for suite in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256; do
  curl -sS --max-time 10 --cacert "$CA" "${RESOLVE[@]}" --tlsv1.3 --tls13-ciphers "$suite" -o /dev/null "$LB/cipher-$suite" \
    && FORCED[$suite]=1 || fail "curl could not negotiate $suite with the LB"
done
negotiated=$(echo | openssl s_client -connect "127.0.0.1:$LB_PORT" -servername "$HOST" -CAfile "$CA" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 < /dev/null 2>/dev/null \
  | awk '/Cipher is/ {print $NF; exit}')
[ "$negotiated" = "ECDHE-ECDSA-AES256-GCM-SHA384" ] && ok "openssl s_client names the forced TLS 1.2 cipher as the log must" \
  || fail "openssl s_client negotiated '$negotiated'"

# The writer flushes in batches: wait for the lines.
for _ in $(seq 1 50); do [ "$(grep -c cipher- "$LOG" 2>/dev/null)" -ge "${#FORCED[@]}" ] && break; sleep 0.1; done
python3 "$HERE/alb_log_regex.py" "$LOG" --min-lines 9 > "$WORK/regex.txt" 2>&1 && ok "every line matches AWS's Athena regex" \
  || { fail "Athena regex:"; cat "$WORK/regex.txt" >&2; }
python3 - "$LOG" "$LB_PORT" "${!FORCED[@]}" <<'PY' || FAILS=$((FAILS + 1))
import re, shlex, sys
log, port, forced = sys.argv[1], sys.argv[2], set(sys.argv[3:])
names = re.compile(r"^(TLS_[A-Z0-9_]+|(ECDHE-(ECDSA|RSA)-)?[A-Z0-9]+(-[A-Z0-9]+)+)$")
bad = 0
lines = [l for l in open(log).read().splitlines() if l]
seen = {}
for line in lines:
    fields = shlex.split(line.replace("\\", "\\\\"), posix=True)
    request, cipher, protocol = fields[12], fields[14], fields[15]
    method, url, proto = request.split(" ")
    if not re.match(r"^https://[^/]+:\d+/", url):
        print(f"FAIL request URL without a port: {url}", file=sys.stderr); bad += 1
    if fields[0] == "https" and (cipher == "-" or not names.match(cipher)):
        print(f"FAIL ssl_cipher {cipher!r} on: {line[:120]}", file=sys.stderr); bad += 1
    m = re.search(r"/cipher-([A-Z0-9_-]+)$", url)
    if m:
        seen[m.group(1)] = (cipher, protocol)
for name in forced:
    got = seen.get(name)
    want_protocol = "TLSv1.3" if name.startswith("TLS_") else "TLSv1.2"
    if got != (name, want_protocol):
        print(f"FAIL forced {name}: the log says {got}", file=sys.stderr); bad += 1
spoofed = [l for l in lines if "/spoofed-" in l]
for path, host in (("/spoofed-no-port", f"evil.example.com:{port}"), ("/spoofed-with-port", "evil.example.com:8443")):
    want = f'"GET https://{host}{path} HTTP/1.1"'
    if not any(want in l for l in spoofed):
        print(f"FAIL no line with {want}", file=sys.stderr); bad += 1
if bad == 0:
    print(f"ok   {len(lines)} lines: every request URL has a port, every https line names its cipher, "
          f"{len(forced)} forced ciphers logged as negotiated, spoofed Host lines as AWS writes them")
sys.exit(1 if bad else 0)
PY
[ "$FAILS" -eq 0 ] && echo "edge_aws: all checks passed" || echo "edge_aws: $FAILS check(s) failed" >&2
exit $(( FAILS > 0 ))
