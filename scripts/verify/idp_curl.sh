#!/usr/bin/env bash
# Walks the identity provider's hosted UI with the curl CLI alone, the way a browser would:
# /oauth2/authorize → /login form (CSRF cookie + field) → POST → 302 with code → /oauth2/token (PKCE),
# then checks that the same code is refused a second time.
# Usage: idp_curl.sh ENDPOINTS_JSON      Needs: curl, jq, openssl (Debian: curl jq openssl).
set -euo pipefail

endpoints=${1:?usage: idp_curl.sh ENDPOINTS_JSON}
ca=$(jq -r .ca_file "$endpoints")
idp=$(jq -r .urls.idp "$endpoints")
client_id=$(jq -r .clients.api.client_id "$endpoints")
username=$(jq -r '.users[0].username' "$endpoints")
password=$(jq -r '.users[0].password' "$endpoints")
resolve=()
for r in $(jq -r '.resolve[]' "$endpoints"); do resolve+=(--resolve "$r"); done
callback="http://localhost/callback"
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT

c() { curl --silent --show-error --cacert "$ca" "${resolve[@]}" --cookie "$jar" --cookie-jar "$jar" "$@"; }
fail() { echo "FAIL $*"; exit 1; }
ok() { echo "ok   $*"; }
urlencode() { jq -rn --arg v "$1" '$v|@uri'; }

verifier=$(openssl rand -hex 40)
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
state=$(openssl rand -hex 8)

authorize="$idp/oauth2/authorize?response_type=code&client_id=$client_id&redirect_uri=$(urlencode "$callback")&state=$state&scope=openid+email&code_challenge=$challenge&code_challenge_method=S256"
read -r status location < <(c -o /dev/null -w '%{http_code} %{redirect_url}\n' "$authorize")
[[ $status == 302 && $location == "$idp/login?"* ]] || fail "authorize should redirect to /login (got $status $location)"
ok "authorize → 302 $location"

page=$(c "$location")
csrf=$(printf '%s' "$page" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
action=$(printf '%s' "$page" | sed -n 's/.*action="\([^"]*\)".*/\1/p' | head -1 | sed 's/&amp;/\&/g')
[[ -n $csrf && -n $action ]] || fail "login page has no form with a CSRF token"
grep -q "XSRF-TOKEN" "$jar" || fail "login page did not set the XSRF-TOKEN cookie"
ok "login form with CSRF token and cookie"

read -r status callback_url < <(c -o /dev/null -w '%{http_code} %{redirect_url}\n' \
    --data-urlencode "_csrf=$csrf" --data-urlencode "username=$username" --data-urlencode "password=$password" \
    "$idp$action")
[[ $status == 302 && $callback_url == "$callback?"* ]] || fail "login should redirect to the callback (got $status $callback_url)"
code=$(printf '%s' "$callback_url" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
returned_state=$(printf '%s' "$callback_url" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')
[[ -n $code ]] || fail "no code in $callback_url"
[[ $returned_state == "$state" ]] || fail "state not returned unchanged"
ok "login → 302 to callback with code and state"

exchange() {
    c -w '\n%{http_code}' -X POST "$idp/oauth2/token" \
        --data-urlencode grant_type=authorization_code --data-urlencode "client_id=$client_id" \
        --data-urlencode "code=$code" --data-urlencode "redirect_uri=$callback" --data-urlencode "code_verifier=$verifier"
}
out=$(exchange)
body=$(printf '%s' "$out" | head -n -1); status=$(printf '%s' "$out" | tail -n 1)
[[ $status == 200 ]] || fail "token exchange failed: $status $body"
for key in access_token id_token refresh_token; do
    [[ $(printf '%s' "$body" | jq -r ".$key // empty") != "" ]] || fail "token response lacks $key"
done
[[ $(printf '%s' "$body" | jq -r .token_type) == Bearer ]] || fail "token_type is not Bearer"
ok "code → tokens (access_token, id_token, refresh_token)"

access=$(printf '%s' "$body" | jq -r .access_token)
info=$(c -H "Authorization: Bearer $access" "$idp/oauth2/userInfo")
[[ $(printf '%s' "$info" | jq -r .username) == "$username" ]] || fail "userInfo did not name the user: $info"
ok "userInfo with the access token names $username"

out=$(exchange)
body=$(printf '%s' "$out" | head -n -1); status=$(printf '%s' "$out" | tail -n 1)
[[ $status == 400 && $(printf '%s' "$body" | jq -r .error) == invalid_grant ]] || fail "a reused code was not refused: $status $body"
ok "reused code refused: 400 invalid_grant"

status=$(c -o /dev/null -w '%{http_code}' -H "Authorization: Bearer not-a-token" "$idp/oauth2/userInfo")
[[ $status == 401 ]] || fail "userInfo with a bad token should be 401, got $status"
ok "userInfo with a bad token: 401"
echo "all checks passed"
