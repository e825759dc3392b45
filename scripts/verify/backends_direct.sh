#!/usr/bin/env bash
# The private subnet's second layer, checked with curl: a request straight to a backend's port
# (not through the load balancer) gets 401 JSON, and still says which backend answered.
# Also checks that forged x-amzn-oidc-* headers do not get in.
# Usage: scripts/verify/backends_direct.sh MANAGER_URL ANALYTICS_URL CA_FILE
#    or: scripts/verify/backends_direct.sh ENDPOINTS_JSON   (reads direct.manager, direct.analytics, ca_file)
#   e.g. https://127.0.0.1:PORT for each backend's own listener.
# Needs: curl, python3. Exits non-zero on the first failed check.
set -euo pipefail
if [[ $# -ge 2 ]]; then
  manager="$1"; analytics="$2"; ca="${3:--}"
else
  endpoints="${1:?usage: $0 MANAGER_URL ANALYTICS_URL CA_FILE | ENDPOINTS_JSON}"
  read -r manager analytics ca < <(python3 - "$endpoints" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
d = e.get("direct") or {}
print(d.get("manager") or d.get("manager_ui") or "-", d.get("analytics") or d.get("analytics_ui") or "-", e.get("ca_file") or "-")
PY
)
fi
[[ "$manager" != "-" && "$analytics" != "-" ]] || { echo "no direct manager/analytics URLs given" >&2; exit 2; }
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
