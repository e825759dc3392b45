#!/usr/bin/env bash
# Checks the stack's DNS server with dig (Debian package: dnsutils), an independent client.
# Usage: scripts/verify/dns_dig.sh PORT | ENDPOINTS_JSON [ZONE_NAME]
#   PORT            the DNS server's port on 127.0.0.1
#   ENDPOINTS_JSON  the file `gauntlet stack --endpoints` writes; its "dns" entry is
#                   {"address": "127.0.0.1", "port": N} (also accepted: "127.0.0.1:PORT" or a port number)
# Needs: dig (apt-get install -y dnsutils), python3 (only for an endpoints file).
# Exits non-zero on the first failed check.
set -euo pipefail

arg="${1:?usage: $0 PORT|ENDPOINTS_JSON [NAME]}"
name="${2:-example.logs.gauntlet.test}"
host=127.0.0.1
if [[ "$arg" =~ ^[0-9]+$ ]]; then
  port="$arg"
else
  read -r host port < <(python3 - "$arg" <<'PY'
import json, sys, re
entry = json.load(open(sys.argv[1]))["dns"]
if entry is None:
    sys.exit("the endpoints file has no dns entry (dns: null): is the DNS server part of this stack?")
if isinstance(entry, dict):
    print(entry.get("address") or entry.get("host") or "127.0.0.1", entry["port"])
elif isinstance(entry, int):
    print("127.0.0.1", entry)
else:
    m = re.match(r"^(?:[a-z]+://)?\[?([^\]]+?)\]?:(\d+)/?$", str(entry))
    if not m:
        sys.exit(f"cannot read a host:port from dns entry {entry!r}")
    print(m.group(1), m.group(2))
PY
)
fi
command -v dig >/dev/null || { echo "dig not found: apt-get install -y dnsutils" >&2; exit 2; }

fail() { echo "FAIL: $*" >&2; exit 1; }
q() { dig @"$host" -p "$port" +time=3 +tries=1 "$@"; }

out=$(q "$name" A) || fail "dig A $name did not complete"
grep -q "status: NOERROR" <<<"$out" || fail "A $name: expected NOERROR: $out"
grep -q "flags: qr aa" <<<"$out" || fail "A $name: expected an authoritative answer: $out"
grep -Eq "^${name//./\\.}\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.1$" <<<"$out" \
  || fail "A $name: expected '$name. <ttl> IN A 127.0.0.1': $out"
ttl=$(echo "$out" | awk -v n="$name." '$1==n && $4=="A" {print $2; exit}')
echo "ok: $name A 127.0.0.1 ttl=$ttl"

out=$(q +tcp "$name" A) || fail "dig +tcp did not complete"
grep -q "127.0.0.1" <<<"$out" || fail "A over TCP: $out"
echo "ok: same answer over TCP"

out=$(q "$name" AAAA)
grep -q "status: NOERROR" <<<"$out" || fail "AAAA $name: expected NOERROR (answer or NODATA): $out"
echo "ok: AAAA $name NOERROR ($(echo "$out" | awk '$4=="AAAA"{print $5}' | head -1 || true))"

zone="${name#*.}"
out=$(q "no-such-host-$$.$zone" A)
grep -q "status: NXDOMAIN" <<<"$out" || fail "unknown name in zone: expected NXDOMAIN: $out"
grep -q "IN[[:space:]]*SOA" <<<"$out" || fail "NXDOMAIN without SOA in authority: $out"
echo "ok: unknown name NXDOMAIN with SOA"

out=$(q example.org A)
grep -q "status: REFUSED" <<<"$out" || fail "name outside the zone: expected REFUSED: $out"
echo "ok: outside the zone REFUSED"

out=$(q +noedns "$name" A)
grep -q "127.0.0.1" <<<"$out" || fail "query without EDNS: $out"
echo "ok: with and without EDNS"
echo "dns_dig: all checks passed against $host:$port"
