#!/usr/bin/env bash
# Verifies Gauntlet's transport against an independent TLS server (nginx, HTTP/1.1 and HTTP/2 over TLS,
# certificate from a private CA made here with openssl): requests succeed only when the scenario's CA is
# trusted, the TLS handshake is timed as its own hop, a wrong CA gives `tls` errors and exit code 3, and
# a closed port gives `connect` errors. Exits non-zero on any failure.
#
# Needs: nginx (Debian: nginx), openssl, python3, a built gauntlet (swift build --product gauntlet).
#   apt-get install -y nginx openssl
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GAUNTLET=${GAUNTLET:-$ROOT/.build/debug/gauntlet}
[ -x "$GAUNTLET" ] || { echo "driver-tls.sh: build gauntlet first (swift build --product gauntlet)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/gauntlet-tls.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj "/CN=Gauntlet verify CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf "subjectAltName=IP:127.0.0.1\n" > ext.cnf
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 1 -extfile ext.cnf 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 1 -subj "/CN=Some other CA" 2>/dev/null
cat > nginx.conf <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$PORT ssl http2;
    ssl_certificate $WORK/leaf.pem; ssl_certificate_key $WORK/leaf.key;
    location / { add_header X-Served-By verify always; return 204; }
  }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
trap 'nginx -c "$WORK/nginx.conf" -p "$WORK" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT
sleep 0.5
# An independent client agrees the server is up and the chain verifies.
curl -sS --cacert ca.pem -o /dev/null -w '%{http_code}\n' "https://127.0.0.1:$PORT/" | grep -q 204

scenario() { # name version ca url
cat > "$1.yaml" <<YAML
version: 1
name: $1
seed: 1
target:
  lb: https://127.0.0.1:$PORT
  ca_file: $3
duration: 2s
http:
  version: "$2"
  connections: 4
requests:
  http:
    schedule:
      kind: constant
      rate: 50
    requests:
      - url: $4
        expect_status: 204
YAML
}
field() { python3 -c "import json,sys; s=json.load(open('$1/summary.json')); print(eval(sys.argv[1]))" "$2"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

for version in 1.1 2; do
  scenario "h$version" "$version" "$WORK/ca.pem" "https://127.0.0.1:$PORT/"
  "$GAUNTLET" run "h$version.yaml" --out "out-$version" --quiet > /dev/null || fail "HTTP/$version run exited $?"
  [ "$(field "out-$version" "s['all']['ok']")" = 100 ] || fail "HTTP/$version: expected 100 ok, got $(field "out-$version" "s['all']['ok']") ($(field "out-$version" "s['all']['errors']"))"
  [ "$(field "out-$version" "[h for h in s['auth']['hops'] if h['step']=='tls'][0].get('latency') is not None")" = True ] || fail "HTTP/$version: no TLS handshake time"
  echo "ok: HTTP/$version over TLS, 100/100 verified against the scenario's CA, TLS hop timed"
done

scenario wrongca 1.1 "$WORK/other.pem" "https://127.0.0.1:$PORT/"
set +e; "$GAUNTLET" run wrongca.yaml --out out-wrong --quiet > /dev/null; code=$?; set -e
[ "$code" = 3 ] || fail "an untrusted certificate should end the run with exit 3, got $code"
[ "$(field out-wrong "s['all']['errors'][0]['category']")" = tls ] || fail "expected tls errors, got $(field out-wrong "s['all']['errors']")"
echo "ok: an untrusted certificate is a tls error and exit code 3"

scenario closed 1.1 "$WORK/ca.pem" "https://127.0.0.1:$CLOSED/"
set +e; "$GAUNTLET" run closed.yaml --out out-closed --quiet > /dev/null; code=$?; set -e
[ "$code" = 3 ] || fail "a closed port should end the run with exit 3, got $code"
[ "$(field out-closed "s['all']['errors'][0]['category']")" = connect ] || fail "expected connect errors, got $(field out-closed "s['all']['errors']")"
echo "ok: a closed port is a connect error and exit code 3"
echo "driver-tls.sh: all checks passed"
