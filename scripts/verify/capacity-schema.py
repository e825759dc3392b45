#!/usr/bin/env python3
# Validates capacity.json files against scripts/verify/capacity.schema.json (each step's summary against
# the summary.json schema) with the `jsonschema` package, an independent validator, and checks that the
# schema rejects what is wrong.
#
# Needs: pip install jsonschema
# Usage: capacity-schema.py RESULTS_DIR_OR_CAPACITY_JSON ...
import copy
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource

here = os.path.dirname(os.path.abspath(__file__))
summary_schema = json.load(open(os.path.join(here, "reports-summary.schema.json")))
schema = json.load(open(os.path.join(here, "capacity.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
registry = Registry().with_resource(summary_schema["$id"], Resource.from_contents(summary_schema))
validator = jsonschema.Draft202012Validator(schema, registry=registry)
if len(sys.argv) < 2:
    sys.exit("usage: capacity-schema.py RESULTS_DIR_OR_CAPACITY_JSON ...")
failures = 0
for path in sys.argv[1:]:
    file = os.path.join(path, "capacity.json") if os.path.isdir(path) else path
    document = json.load(open(file))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    for error in errors[:20]:
        print(f"FAIL {file}: {'/'.join(map(str, error.path)) or '(root)'}: {error.message}")
    failures += len(errors)
    if not errors:
        print(f"ok   {file} matches capacity schema version 1 ({len(document['steps'])} steps, outcome {document['outcome']})")
    broken = copy.deepcopy(document)
    broken["outcome"] = "probably"
    if broken["steps"]:
        broken["steps"][0]["summary"]["all"]["count"] = -1
    if len(list(validator.iter_errors(broken))) < (2 if broken["steps"] else 1):
        print(f"FAIL the schema accepts a broken copy of {file}")
        failures += 1
sys.exit(1 if failures else 0)
