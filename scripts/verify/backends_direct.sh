#!/usr/bin/env bash
# The private subnet's second layer, checked with curl: a request straight to a backend's port
# (not through the load balancer) gets 401 JSON, and still says which backend answered.
# Also checks that forged x-amzn-oidc-* headers do not get in.
# Usage: scripts/verify/backends_direct.sh ENDPOINTS_JSON
#   Reads "manager_ui"/"manager" and "analytics_ui"/"analytics" (URLs, e.g. https://127.0.0.1:PORT)
#   and "ca"/"ca_cert" (PEM path; without it curl runs with -k).
# Needs: curl, python3. Exits non-zero on the first failed check.
set -euo pipefail
endpoints="${1:?usage: $0 ENDPOINTS_JSON}"

read -r manager analytics ca < <(python3 - "$endpoints" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
def pick(*keys):
    for k in keys:
        v = e.get(k) or (e.get("backends") or {}).get(k)
        if isinstance(v, dict):
            v = v.get("url")
        if v:
            return v
    return "-"
print(pick("manager_ui", "manager"), pick("analytics_ui", "analytics"), pick("ca", "ca_cert", "ca_pem"))
PY
)
[[ "$manager" != "-" && "$analytics" != "-" ]] || { echo "no manager_ui/analytics_ui URLs in $endpoints" >&2; exit 2; }
tls=(-k)
[[ "$ca" != "-" ]] && tls=(--cacert "$ca")

fail() { echo "FAIL: $*" >&2; exit 1; }
check() {  # url expected_served_by expected_code [extra curl args...]
  local url="$1" served="$2" code="$3"; shift 3
  local headers body status
  headers=$(mktemp); body=$(mktemp)
  status=$(curl -sS "${tls[@]}" -o "$body" -D "$headers" -w '%{http_code}' "$@" "$url") || fail "curl $url"
  [[ "$status" == 401 ]] || fail "$url: expected 401, got $status: $(cat "$body")"
  grep -qi "^x-served-by: $served" "$headers" || fail "$url: no 'X-Served-By: $served' header"
  grep -qi '^content-type: application/json' "$headers" || fail "$url: 401 is not JSON"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error"]["code"]==sys.argv[2], d' "$body" "$code" \
    || fail "$url: expected error code $code: $(cat "$body")"
  echo "ok: $url -> 401 $code (X-Served-By: $served)"
  rm -f "$headers" "$body"
}

check "$manager/manager/api/users" manager-ui missing_header
check "$manager/" manager-ui missing_header
check "$analytics/analytics/api/search?q=x" analytics-ui missing_header
# A client forging the load balancer's headers gets nowhere either.
fake='eyJhbGciOiJFUzI1NiIsImtpZCI6ImZha2UiLCJzaWduZXIiOiJhcm46ZmFrZSIsImNsaWVudCI6ImZha2UifQ==.eyJzdWIiOiJtYWxsb3J5In0=.AAAA'
check "$manager/manager/api/users" manager-ui unknown_key -H "x-amzn-oidc-data: $fake" -H "x-amzn-oidc-accesstoken: a.b.c"
echo "backends_direct: all checks passed"
