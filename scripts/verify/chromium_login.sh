#!/usr/bin/env bash
# Headless Chromium logs in as a manager through the hosted UI and lands on the Manager UI with
# data loaded from its API (or, with --role analyst, on the Analytics UI with its chart); writes a screenshot.
# Usage: scripts/verify/chromium_login.sh ENDPOINTS_JSON [--role manager|analyst] [--user U --password P] [--screenshot out.png]
# Needs: chromium, openssl (Debian: apt-get install -y chromium openssl), python3 with the PyPI
# package websocket-client (pip install websocket-client). Exits non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }
python3 -c 'import websocket' 2>/dev/null || { echo "python3 websocket-client missing: pip install websocket-client" >&2; exit 2; }
exec python3 "$here/chromium_login.py" "$@"
