#!/usr/bin/env bash
# The CLI contract of `gauntlet validate`: exit 0 on every shipped scenario; on the broken fixture, exactly four
# errors, each FILE:LINE:COLUMN, and exit 2; unknown subcommands and options exit 2.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${GAUNTLET_BIN:?set GAUNTLET_BIN to the gauntlet binary}"
fail() { echo "FAIL: $*"; exit 1; }

"$bin" validate "$root"/scenarios/*.yaml || fail "shipped scenarios do not validate"
out=$("$bin" validate "$root/Tests/GauntletCoreTests/Fixtures/four-errors.yaml" 2>&1); code=$?
echo "$out"
[ "$code" -eq 2 ] || fail "broken scenario exited $code, expected 2"
[ "$(echo "$out" | grep -cE '^/.*four-errors.yaml:[0-9]+:[0-9]+: ')" -eq 4 ] || fail "expected four located errors"
"$bin" frobnicate >/dev/null 2>&1; code=$?; [ "$code" -eq 2 ] || fail "unknown subcommand exited $code"
"$bin" validate --frobnicate x >/dev/null 2>&1; code=$?; [ "$code" -eq 2 ] || fail "unknown option exited $code"
for sub in run replay stack validate report compare; do
    "$bin" "$sub" --help >/dev/null || fail "$sub --help failed"
done
echo "validate CLI: ok"
