#!/usr/bin/env bash
# The terminal's live view under a pseudo-terminal (`script`), and plain output off one:
#   - on a TTY, `gauntlet run` redraws its view in place (cursor-up and clear-to-end sequences, a progress
#     bar, one line per request type) and the last drawing shows the run finished;
#   - piped (not a TTY), the same run prints plain progress lines with no escape code at all;
#   - with --quiet on a TTY, no live view is drawn.
# Usage: GAUNTLET=path/to/gauntlet scripts/verify/live_tty.sh     (needs util-linux `script`)
set -euo pipefail
GAUNTLET=${GAUNTLET:?set GAUNTLET to the gauntlet binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v script >/dev/null || { echo "live_tty.sh: script (util-linux) is missing" >&2; exit 2; }
work=$(mktemp -d /tmp/gauntlet-tty.XXXXXX)
trap 'rm -rf "$work"' EXIT
cat > "$work/tty.yaml" <<YAML
version: 1
name: tty-check
seed: 3
target: embedded
users: { managers: 1, analysts: 1, login: browser }
duration: 5s
http: { connections: 4, timeout: 5s }
requests:
  ui:
    schedule: { kind: constant, rate: 5 }
    pages: [ { path: / } ]
  api:
    schedule: { kind: constant, rate: 5 }
    calls: [ { method: GET, path: "/analytics/api/counts?interval=1m" } ]
YAML
fail() { echo "FAIL: $*" >&2; exit 1; }

# On a pseudo-terminal 100 columns wide.
script -qfec "stty cols 100 rows 40; '$GAUNTLET' run '$work/tty.yaml' --out '$work/tty'" "$work/typescript" > /dev/null
python3 - "$work/typescript" <<'PY' || exit 1
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
ups = re.findall(r"\x1b\[(\d+)A\r\x1b\[J", raw)
if len(ups) < 3:
    sys.exit(f"FAIL: the view was not redrawn in place ({len(ups)} redraws): {raw[:600]!r}")
frames = re.split(r"\x1b\[\d+A\r\x1b\[J", raw)
last = frames[-1]
if "tty-check [" not in last or "█" not in last:
    sys.exit(f"FAIL: no progress bar in the last drawing: {last[:400]!r}")
for needed in ("ui ", "api ", "misroutes", "p99"):
    if needed not in last:
        sys.exit(f"FAIL: the last drawing lacks {needed!r}: {last[:600]!r}")
if "done" not in last.splitlines()[0]:
    sys.exit(f"FAIL: the last drawing does not show the run finished: {last.splitlines()[0]!r}")
print(f"tty: {len(ups)} in-place redraws of {ups[-1]} lines; last drawing:")
print("\n".join("  " + line for line in last.split("\n")[:5]))
PY

# Piped: plain lines only.
"$GAUNTLET" run "$work/tty.yaml" --out "$work/plain" > "$work/plain.out" 2> "$work/plain.err" || [ $? -eq 1 ]
if LC_ALL=C grep -q $'\x1b' "$work/plain.out" "$work/plain.err"; then fail "escape codes in non-TTY output"; fi
grep -q "req/s" "$work/plain.err" || fail "no plain progress lines off a TTY: $(head -5 "$work/plain.err")"
echo "not a TTY: $(grep -c 'req/s' "$work/plain.err") plain progress lines, no escape codes"

# --quiet on a TTY: no view.
script -qfec "'$GAUNTLET' run '$work/tty.yaml' --out '$work/quiet' --quiet" "$work/quiet.typescript" > /dev/null
if grep -q "tty-check \[" "$work/quiet.typescript"; then fail "--quiet drew the live view"; fi
echo "--quiet on a TTY: no live view"
echo "ok"
