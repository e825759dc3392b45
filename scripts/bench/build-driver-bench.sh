#!/usr/bin/env bash
# Builds the release `driver-bench` binary (the harness modules linked with driver-bench-main.swift: the same
# code path as `gauntlet run`, without compiling the reference stack) and prints its path.
# Usage: scripts/bench/build-driver-bench.sh   (ROOT's .build-rel is the scratch path)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REL=$ROOT/.build-rel
(cd "$ROOT" && GAUNTLET_HARNESS_ONLY=1 swift build -c release --scratch-path "$REL" --target GauntletDriver >&2)
BIN=$REL/release
# The objects each module's output-file-map names today: a source file that was deleted leaves its .o behind.
OBJS=""
for module in GauntletCore GauntletDriver SharedPrimitives Yams CYaml Histogram Numerics RealModule ComplexModule _NumericsShims; do
  map="$BIN/$module.build/output-file-map.json"
  if [ -f "$map" ]; then
    OBJS="$OBJS $(grep -o '"object": *"[^"]*\.swift\.o"' "$map" | sed 's/.*"object": *"//; s/"$//' | tr '\n' ' ')"
  else   # C targets have no map: every object is current
    OBJS="$OBJS $(find -L "$BIN/$module.build" -name '*.o' 2>/dev/null | tr '\n' ' ')"
  fi
done
# shellcheck disable=SC2086
swiftc -O -parse-as-library "$ROOT/scripts/bench/driver-bench-main.swift" -I "$BIN/Modules" -I "$ROOT/Sources/CCurl" -I "$ROOT/Sources/CZlib" \
  -I "$REL/checkouts/swift-numerics/Sources/_NumericsShims/include" -I "$REL/checkouts/Yams/Sources/CYaml/include" \
  $OBJS -lcurl -lz -o "$REL/driver-bench" >&2
echo "$REL/driver-bench"
