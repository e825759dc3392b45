#!/usr/bin/env bash
# Walks the load balancer's browser flow with the curl CLI and a cookie jar, as a new user would, against a
# running `gauntlet stack --endpoints ENDPOINTS.json`, and checks issue 4's routing matrix, header stripping,
# the TLS floor, Server-Timing and the access log.
#
# Usage: scripts/verify/edge_curl.sh ENDPOINTS.json
# Needs (Debian packages): curl, jq, python3 (standard library only).
# Reads from the endpoints file: urls.lb, resolve, ca_file, users, access_log, lb_key_url, lb_signer.
# Exits non-zero if any check fails.
set -uo pipefail

EP=${1:?usage: edge_curl.sh ENDPOINTS.json}
HERE=$(cd "$(dirname "$0")" && pwd)
LB=$(jq -er '.urls.lb' "$EP") || { echo "no urls.lb in $EP" >&2; exit 2; }
LB=${LB%/}
CA=$(jq -er '.ca_file' "$EP") || { echo "no ca_file in $EP" >&2; exit 2; }
RESOLVE=()
while read -r r; do [ -n "$r" ] && RESOLVE+=(--resolve "$r"); done < <(jq -r '.resolve[]?' "$EP")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); echo "ok   $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL $*" >&2; }
c() { curl -sS --max-time 15 --cacert "$CA" "${RESOLVE[@]}" "$@"; }

# The form on the IdP's login page: prints the absolute action URL, then the url-encoded body with the
# credentials filled in (every hidden field, the CSRF token included, is kept).
FORM_PY='
import html.parser, sys, urllib.parse
base, user, password = sys.argv[1:4]
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.action = None; self.fields = []; self.inform = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action") or base; self.inform = True
        elif tag == "input" and self.inform and a.get("name"):
            self.fields.append([a["name"], a.get("value") or "", (a.get("type") or "text").lower()])
    def handle_endtag(self, tag):
        if tag == "form": self.inform = False
p = P(); p.feed(sys.stdin.read())
if p.action is None: sys.exit("no form on the login page")
out = []
for name, value, kind in p.fields:
    if kind == "password" or "pass" in name.lower(): value = password
    elif kind in ("text", "email") or "user" in name.lower(): value = user
    if kind == "submit" and not value: continue
    out.append((name, value))
print(urllib.parse.urljoin(base, p.action)); print(urllib.parse.urlencode(out))
'

# login JAR USERNAME PASSWORD: the whole browser flow; leaves the session in JAR.
login() {
  local jar=$1 user=$2 pass=$3 loc page final form action body callback back
  loc=$(c -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' "$LB/")
  [[ $loc == "302 "*"/oauth2/authorize?"* ]] || { fail "GET / without a session: expected 302 to /oauth2/authorize, got $loc"; return 1; }
  loc=${loc#302 }
  for p in client_id= redirect_uri= response_type=code scope=openid state=; do
    [[ $loc == *"$p"* ]] || { fail "authorize URL lacks $p: $loc"; return 1; }
  done
  grep -q AWSELBAuthNonce "$jar" || { fail "no AWSELBAuthNonce cookie before the IdP redirect"; return 1; }
  page=$(c -c "$jar" -b "$jar" -L -w '\n%{url_effective}' "$loc") || { fail "IdP login page unreachable"; return 1; }
  final=$(printf '%s' "$page" | tail -n 1)
  form=$(printf '%s' "$page" | sed '$d' | python3 -c "$FORM_PY" "$final" "$user" "$pass") || { fail "could not read the login form at $final"; return 1; }
  action=$(printf '%s\n' "$form" | sed -n 1p)
  body=$(printf '%s\n' "$form" | sed -n 2p)
  callback=$(c -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' --data "$body" "$action")
  [[ $callback == 30[23]" "*"/oauth2/idpresponse?"*"code="* ]] || { fail "login POST: expected a redirect to /oauth2/idpresponse with a code, got $callback"; return 1; }
  callback=${callback#* }
  back=$(c -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' "$callback")
  [[ $back == "302 $LB/" ]] || { fail "/oauth2/idpresponse: expected 302 back to $LB/, got $back"; return 1; }
  grep -q 'AWSELBAuthSessionCookie-0' "$jar" || { fail "no AWSELBAuthSessionCookie-0 after the callback"; return 1; }
  grep 'AWSELBAuthSessionCookie-0' "$jar" | grep -q '^#HttpOnly_' || fail "session cookie is not HttpOnly"
  awk '$0 ~ /AWSELBAuthSessionCookie-0/ {print $4}' "$jar" | grep -q TRUE || fail "session cookie is not Secure"
  ok "browser login as $user: / → authorize → form with CSRF → code → idpresponse → session cookie"
}

# expect JAR PATH WANT_STATUS WANT_SERVED_BY [extra curl args…]
expect() {
  local jar=$1 path=$2 want=$3 by=$4; shift 4
  local got
  got=$(c -b "$jar" -o /dev/null -w '%{http_code} %header{x-served-by}' "$@" "$LB$path")
  got=${got% }
  local wanted="$want${by:+ $by}"
  if [[ $got == "$wanted" ]]; then ok "$(basename "$jar") $path → $wanted"; else fail "$(basename "$jar") $path: expected '$wanted', got '$got'"; fi
}

user_of() { jq -er --arg g "$1" '[.users[] | select(.groups | index($g))][0] | "\(.username) \(.password)"' "$EP"; }
read -r MUSER MPASS < <(user_of managers) || { echo "no manager in users" >&2; exit 2; }
read -r AUSER APASS < <(user_of analysts) || { echo "no analyst in users" >&2; exit 2; }

ANON=$WORK/anonymous; : > "$ANON"
MJAR=$WORK/manager; AJAR=$WORK/analyst
login "$MJAR" "$MUSER" "$MPASS"
login "$AJAR" "$AUSER" "$APASS"

# Issue 4's matrix, browser and API, for every kind of caller.
expect "$ANON" / 302 ""
expect "$ANON" /manager/ 302 ""
expect "$ANON" /analytics/ 302 ""
expect "$ANON" /manager/api/users 401 ""
expect "$ANON" /analytics/api/search 401 ""
expect "$MJAR" / 200 manager-ui
expect "$MJAR" /manager/ 200 manager-ui
expect "$MJAR" /analytics/ 200 analytics-ui
expect "$MJAR" /manager/api/users 200 manager-ui
expect "$MJAR" /analytics/api/search 200 analytics-ui
expect "$AJAR" / 200 analytics-ui
expect "$AJAR" /manager/ 403 ""
expect "$AJAR" /analytics/ 200 analytics-ui
expect "$AJAR" /manager/api/users 403 ""
expect "$AJAR" /analytics/api/search 200 analytics-ui

# A client's own x-amzn-oidc-* headers never reach a backend: the LB replaces them with its own signed ones,
# so the backend (which verifies every request) still accepts it.
expect "$MJAR" /manager/api/users 200 manager-ui -H 'x-amzn-oidc-data: eyJhbGciOiJub25lIn0=.e30=.' \
  -H 'x-amzn-oidc-identity: root' -H 'x-amzn-oidc-accesstoken: forged'
expect "$ANON" /manager/api/users 401 "" -H 'x-amzn-oidc-data: eyJhbGciOiJub25lIn0=.e30=.' -H 'x-amzn-oidc-identity: root'

# A tampered session cookie is no session.
TJAR=$WORK/tampered
sed 's/\(AWSELBAuthSessionCookie-0\t.\{20\}\)./\1Z/' "$MJAR" > "$TJAR"
if cmp -s "$MJAR" "$TJAR"; then sed 's/\(AWSELBAuthSessionCookie-0\t.\{20\}\)./\1Y/' "$MJAR" > "$TJAR"; fi
expect "$TJAR" /manager/api/users 401 ""

# Server-Timing on every response the LB makes.
TIMING=$(c -b "$MJAR" -o /dev/null -w '%header{server-timing}' "$LB/manager/")
[[ $TIMING == *"lb-auth;dur="*"target;dur="* ]] && ok "Server-Timing: $TIMING" || fail "Server-Timing missing or partial: '$TIMING'"
TIMING=$(c -o /dev/null -w '%header{server-timing}' "$LB/manager/api/x")
[[ $TIMING == *"lb-auth;dur="* ]] && ok "Server-Timing on a 401: $TIMING" || fail "no Server-Timing on a 401"

# TLS floor: 1.1 refused, 1.2 and 1.3 accepted.
if c -o /dev/null --tlsv1.1 --tls-max 1.1 "$LB/" 2>/dev/null; then fail "TLS 1.1 was accepted"; else ok "TLS 1.1 refused"; fi
c -o /dev/null --tlsv1.2 --tls-max 1.2 "$LB/" && ok "TLS 1.2 accepted" || fail "TLS 1.2 refused"
c -o /dev/null --tlsv1.3 "$LB/" && ok "TLS 1.3 accepted" || fail "TLS 1.3 refused"

# The signing key is published per kid.
KEYURL=$(jq -r '.lb_key_url // empty' "$EP")
if [ -n "$KEYURL" ]; then
  KEYS=$(c -o /dev/null -w '%{http_code}' "$KEYURL/not-a-kid")
  [[ $KEYS == 404 ]] && ok "unknown kid → 404 at lb_key_url" || fail "unknown kid at lb_key_url answered $KEYS"
fi

# Malformed/oversized requests are 400.
BIG=$(head -c 70000 /dev/zero | tr '\0' a)
GOT=$(c -o /dev/null -w '%{http_code}' -H "X-Big: $BIG" "$LB/" 2>/dev/null)
[[ $GOT == 400 || $GOT == 431 ]] && ok "oversized headers → $GOT" || fail "oversized headers answered '$GOT'"

GOT=$(c -o /dev/null -w '%{http_code}' -H 'Host:' "$LB/" 2>/dev/null)
[[ $GOT == 400 ]] && ok "missing Host → 400" || fail "missing Host answered '$GOT'"

# The access log: one AWS-format line per request, parsable with AWS's Athena regex.
LOG=$(jq -r '.access_log // empty' "$EP")
if [ -n "$LOG" ]; then
  sleep 0.5
  if python3 "$HERE/alb_log_regex.py" "$LOG" --min-lines 20; then ok "access log $LOG parses with the Athena regex"; else fail "access log rejected"; fi
else
  fail "no access_log in $EP"
fi

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
