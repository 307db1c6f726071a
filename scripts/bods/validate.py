"""Validate a BODS file with libcovebods, the standard's own tooling.

Usage: validate.py FILE.json
Prints one JSON object: the schema version libcovebods read, its JSON
schema errors and its additional checks (statistics left out). Exit 0 when
the file was read, whatever it found; the caller judges the findings.

libcovebods checks entity identifier schemes against the org-id.guide list,
which it downloads unless a fresh copy sits beside libcove2; this machine
has no access to org-id.guide, so the list's codes (org-id-codes.txt, from
the org-id register) are written there first, dated today.
"""
import datetime
import json
import os
import sys

import libcove2.common as common

here = os.path.dirname(os.path.realpath(__file__))
codes = [line.strip() for line in open(os.path.join(here, "org-id-codes.txt"), encoding="utf-8")
         if line.strip() and not line.startswith("#")]
cache = os.path.join(os.path.dirname(os.path.realpath(common.__file__)), "org-ids.json")
with open(cache, "w", encoding="utf-8") as f:
    json.dump({"downloaded": str(datetime.date.today()), "lists": [{"code": c} for c in codes]}, f)

import libcovebods.config  # noqa: E402
import libcovebods.data_reader  # noqa: E402
import libcovebods.jsonschemavalidate  # noqa: E402
import libcovebods.run_tasks  # noqa: E402
import libcovebods.schema  # noqa: E402

reader = libcovebods.data_reader.DataReader(sys.argv[1])
config = libcovebods.config.LibCoveBODSConfig()
schema = libcovebods.schema.SchemaBODS(reader, config)
errors = [e.json() for e in libcovebods.jsonschemavalidate.JSONSchemaValidator(schema).validate(reader)]
checks = libcovebods.run_tasks.process_additional_checks(reader, config, schema, libcovebods.run_tasks.TASK_CLASSES)
print(json.dumps({
    "schema_version": schema.schema_version,
    "schema_errors": errors,
    "additional_checks": checks.get("additional_checks", []),
}, default=str))
