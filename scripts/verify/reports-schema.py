#!/usr/bin/env python3
# Validates summary.json files against the documented JSON Schema (scripts/verify/reports-summary.schema.json)
# with the `jsonschema` package, an independent validator.
#
# Needs: pip install jsonschema
# Usage: reports-schema.py [RUN_DIR_OR_SUMMARY ...]   (default: the Reports tests' fixture runs)
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
schema = json.load(open(os.path.join(here, "reports-summary.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
paths = sys.argv[1:] or [os.path.join(root, "Tests", "GauntletReportsTests", "Fixtures", name) for name in ("run-smoke", "run-smoke-b")]
failures = 0
for path in paths:
    summary_path = os.path.join(path, "summary.json") if os.path.isdir(path) else path
    errors = sorted(validator.iter_errors(json.load(open(summary_path))), key=lambda e: list(e.path))
    for error in errors[:20]:
        print(f"FAIL {summary_path}: {'/'.join(map(str, error.path)) or '(root)'}: {error.message}")
    failures += len(errors)
    if not errors:
        print(f"ok   {summary_path} matches schema version 1")
# The schema must reject what is wrong, too.
broken = json.load(open(os.path.join(paths[0], "summary.json") if os.path.isdir(paths[0]) else paths[0]))
broken["misroutes"]["total"] = -1
del broken["scenario"]["seed"]
if len(list(validator.iter_errors(broken))) != 2:
    print("FAIL the schema accepts a negative misroute count or a missing seed")
    failures += 1
else:
    print("ok   a broken summary is rejected (2 errors)")
sys.exit(1 if failures else 0)
