#!/usr/bin/env python3
"""The JSON Schema editors use (scenarios/scenario.schema.json) must accept every shipped scenario and reject
the broken fixture, checked with the `jsonschema` package (Draft 2020-12) rather than Gauntlet's own validator.
Needs: PyPI jsonschema, PyYAML."""
import glob, json, os, sys
import jsonschema, yaml

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
schema = json.load(open(os.path.join(root, "scenarios", "scenario.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0
for path in sorted(glob.glob(os.path.join(root, "scenarios", "*.yaml"))):
    errors = list(validator.iter_errors(yaml.safe_load(open(path))))
    print(f"{os.path.basename(path)}: {'ok' if not errors else 'INVALID'}")
    for error in errors:
        print(f"  {'/'.join(map(str, error.absolute_path))}: {error.message}")
    failures += bool(errors)
broken = yaml.safe_load(open(os.path.join(root, "Tests", "GauntletCoreTests", "Fixtures", "four-errors.yaml")))
broken_errors = list(validator.iter_errors(broken))
print(f"four-errors.yaml: {len(broken_errors)} schema errors (expected some)")
if not broken_errors:
    failures += 1
sys.exit(1 if failures else 0)
