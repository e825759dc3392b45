#!/usr/bin/env bash
# Headless Chromium logs in as a manager, uses the Manager UI (overview, users, sources, API keys,
# retention: each page's fetch calls to /manager/api/…) and the DevTools Network events are written as
# a HAR 1.2 file in the layout of Chromium's own export.
# Usage: scripts/verify/chromium_har.sh ENDPOINTS_JSON OUT.har [--scrub] [--user U --password P]
# Needs: chromium, openssl (Debian: apt-get install -y chromium openssl), python3 with the PyPI
# package websocket-client (pip install websocket-client). Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ $# -ge 2 ]] || { echo "usage: $0 ENDPOINTS_JSON OUT.har [--scrub] [--user U --password P]" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }
python3 -c 'import websocket' 2>/dev/null || { echo "python3 websocket-client missing: pip install websocket-client" >&2; exit 2; }
exec python3 "$here/chromium_har.py" "$@"
