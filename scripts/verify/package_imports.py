#!/usr/bin/env python3
"""Every module a target imports is declared in Package.swift as that target's dependency, and every declared
dependency is imported.

SwiftPM puts all built modules on one search path, so an undeclared import compiles as long as some other
target pulled the module in: it breaks later, when that other target changes. This reads the manifest as
SwiftPM resolves it (`swift package dump-package`) and the import lines of each target's sources.
Usage: scripts/verify/package_imports.py [PACKAGE_DIR]
"""
import glob
import json
import os
import re
import subprocess
import sys

# The toolchain's own modules, and names in Python test helpers embedded as strings.
SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Dispatch",
          "Synchronization", "Testing", "XCTest", "os", "re", "socket", "sys"}
# Declared without being imported, on purpose: the end-to-end tests run the `gauntlet` binary.
BUILT_NOT_IMPORTED = {("GauntletEndToEndTests", "gauntlet")}
IMPORT = re.compile(r"^(?:@testable |@_exported |@preconcurrency )?import (?:struct |class |enum |protocol |func |typealias )?([A-Za-z_][A-Za-z_0-9]*)")


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    scratch = os.path.join("/tmp", "gauntlet-package-imports")
    manifest = json.loads(subprocess.run(
        ["swift", "package", "--package-path", root, "--scratch-path", scratch, "dump-package"],
        check=True, capture_output=True, text=True).stdout)
    problems = 0
    for target in manifest["targets"]:
        if target["type"] in ("system", "binary", "plugin", "macro"):
            continue
        name = target["name"]
        declared = {next(iter(dep.values()))[0] for dep in target["dependencies"]}
        folder = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", name)
        imported = {}
        for path in sorted(glob.glob(os.path.join(root, folder, "**", "*.swift"), recursive=True)):
            with open(path, encoding="utf-8") as source:
                for number, line in enumerate(source, 1):
                    match = IMPORT.match(line)
                    if match and match.group(1) not in SYSTEM and match.group(1) != name:
                        imported.setdefault(match.group(1), f"{os.path.relpath(path, root)}:{number}")
        for module in sorted(set(imported) - declared):
            print(f"{imported[module]}: {name} imports {module}, which Package.swift does not declare for {name}")
            problems += 1
        for module in sorted(declared - set(imported)):
            if (name, module) not in BUILT_NOT_IMPORTED:
                print(f"Package.swift: {name} declares {module}, which none of its sources imports")
                problems += 1
    print(f"{len(manifest['targets'])} targets, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
