#!/usr/bin/env bash
# End to end, as a new user would: starts `gauntlet stack` on ephemeral ports, waits for the endpoints
# file, runs the outside-client checks (idp_curl.sh, idp_boto3.py), checks that the listener refuses
# TLS 1.1 and serves TLS 1.2 with a chain that verifies against ca_file, then stops the stack with
# SIGTERM and expects a clean exit.
# Usage: idp_stack.sh [GAUNTLET_BINARY]   (default .build/debug/gauntlet)
# Needs: curl, jq, openssl (Debian); boto3, joserfc, requests (PyPI).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
gauntlet=${1:-.build/debug/gauntlet}
work=$(mktemp -d)
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
echo "ok   gauntlet stack wrote $(jq -r .direct.idp "$work/endpoints.json")"

bash "$here/idp_curl.sh" "$work/endpoints.json"
python3 "$here/idp_boto3.py" "$work/endpoints.json"

hostport=$(jq -r .direct.idp "$work/endpoints.json" | sed 's|https://||')
ca=$(jq -r .ca_file "$work/endpoints.json")
if echo | openssl s_client -connect "$hostport" -tls1_1 -CAfile "$ca" >/dev/null 2>&1; then
    echo "FAIL a TLS 1.1 handshake succeeded"; exit 1
fi
echo "ok   TLS 1.1 refused"
host=$(jq -r '.urls.idp' "$work/endpoints.json" | sed 's|https://||; s|:.*||')
echo | openssl s_client -connect "$hostport" -tls1_2 -servername "$host" -verify_hostname "$host" -verify_return_error \
    -CAfile "$ca" >/dev/null 2>&1 || { echo "FAIL TLS 1.2 with hostname verification"; exit 1; }
echo "ok   TLS 1.2 handshake verifies $host against ca_file"
for key in ca-key.pem server-key.pem idp-id-key.pem idp-access-key.pem; do
    [[ $(stat -c %a "$work/state/$key") == 600 ]] || { echo "FAIL $key is not 0600"; exit 1; }
done
echo "ok   private keys are 0600"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[[ $status == 0 ]] || { cat "$work/stack.log"; echo "FAIL gauntlet stack exited $status after SIGTERM"; exit 1; }
echo "ok   SIGTERM: clean exit"
echo "all stack checks passed"
