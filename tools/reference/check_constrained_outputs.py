"""Re-validates the documents RadLM sampled under the JSON-schema token mask with jsonschema.

Tests/RadInferenceTests/JSONSchemaConstraintTests (randomLogitSamplingAlwaysYieldsValidDocuments)
writes one line {"schema": index, "seed", "document": text} per sampled document to
$TMPDIR/radlm-constrained-outputs.jsonl; this script parses every document with Python's json
module and validates it with jsonschema (Draft 2020-12) against the fixture schema it was sampled
for, and also checks the shipped schemas in data/schemas against the metaschema.

    /work/venv-ref/py/bin/python tools/reference/check_constrained_outputs.py [OUTPUTS.jsonl]
"""
import glob, json, os, sys, tempfile
from importlib.metadata import version

import jsonschema

ROOT = os.path.join(os.path.dirname(__file__), "../..")
schemas = json.load(open(os.path.join(ROOT, "Tests/RadInferenceTests/Fixtures/json_schema/random_schemas.json")))["schemas"]
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "radlm-constrained-outputs.jsonl")
total = invalid = 0
for line in open(path):
    row = json.loads(line)
    total += 1
    try:
        jsonschema.validate(json.loads(row["document"]), schemas[row["schema"]], cls=jsonschema.Draft202012Validator)
    except Exception as error:  # noqa: BLE001 - report any parse or validation failure
        invalid += 1
        print(f"schema {row['schema']} seed {row['seed']}: {error}".splitlines()[0])
for shipped in sorted(glob.glob(os.path.join(ROOT, "data/schemas/*.json"))):
    jsonschema.Draft202012Validator.check_schema(json.load(open(shipped)))
print(f"{total - invalid}/{total} documents valid under jsonschema {jsonschema.__version__ if hasattr(jsonschema, '__version__') else ''}")
sys.exit(1 if invalid or total == 0 else 0)
