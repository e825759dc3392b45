#!/usr/bin/env bash
# CPU per call of the LB's per-request helpers before and after issue 14, in one process: the Cookie header
# parse (a two-shard session cookie), a 16-byte random hex id and a whole access-log line, each against the
# Foundation version it replaced (taken from git at BASE, default main). Only the pure files are compiled
# (swiftc -O, no package build), so this runs in seconds; CPU time, not wall time, so a busy machine matters less.
# Usage: scripts/bench/hotpath.sh [BASE]
set -euo pipefail
BASE=${1:-main}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/gauntlet-hotpath.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" show "$BASE:Sources/StackEdge/AccessLogEntry.swift" \
  | sed 's/public struct AccessLogEntry/public struct OldAccessLogEntry/; s/AccessLogEntry(/OldAccessLogEntry(/g' > "$WORK/old_entry.swift"
# The cookie parser alone, out of SessionCookieCodec (the rest needs swift-crypto).
python3 - "$ROOT/Sources/StackEdge/SessionCookieCodec.swift" > "$WORK/cookies.swift" <<'PY'
import sys
s = open(sys.argv[1]).read()
body = s[s.index("    /// Parses `Cookie:` header values"):s.rindex("}")]
print('enum SessionCookieCodec {\n    static let sessionCookiePrefix = "AWSELBAuthSessionCookie-"\n    static let maxShards = 16\n'
      '    static func shardCount(in cookies: [String: String]) -> Int {\n        var count = 0\n'
      '        while count < maxShards, cookies[shardNames[count]] != nil { count += 1 }\n        return count\n    }\n' + body + "}")
PY
cp "$ROOT/scripts/bench/hotpath-main.swift" "$WORK/main.swift"  # top-level code must be in main.swift
swiftc -O -swift-version 5 "$WORK/old_entry.swift" "$WORK/cookies.swift" "$ROOT/Sources/StackEdge/AccessLogEntry.swift" \
  "$ROOT/Sources/StackEdge/LogFormat.swift" "$ROOT/Sources/StackEdge/WildcardPattern.swift" "$WORK/main.swift" \
  -o "$WORK/hotpath" 2> >(grep -v warning >&2)
"$WORK/hotpath"
