#!/usr/bin/env bash
# Installs the Python tools the tests use into a virtualenv under
# .services/pytools (pinned versions; the network only here, never while
# the checks run): Schemathesis (outside conformance of the OpenAPI
# document, scripts/api-conformance.sh), openapi-python-client (the
# generated client the same script exercises) and libcovebods (the
# Beneficial Ownership Data Standard's own validator, run by report/bods's
# tests through scripts/bods/validate.py). Idempotent: a venv that already
# holds the pinned versions is left alone.
# Prints the venv's bin directory on its last line.
# Needs python3 (3.10+) with the venv module.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="${RISKGRAPH_SERVICES_DIR:-$root/.services}/pytools"
# The pins: change them here only (docs/api.md names them).
pins=(schemathesis==4.32.5 openapi-python-client==0.29.1 libcovebods==0.16.0)
stamp="$venv/.pins"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${pins[*]}" ]; then
	echo "$venv/bin"
	exit 0
fi
command -v python3 >/dev/null || { echo "python-tools: python3 not found (3.10+ with venv is needed)" >&2; exit 1; }
rm -rf "$venv"
python3 -m venv "$venv" || { echo "python-tools: python3 -m venv failed (install the venv module: apt-get install python3-venv)" >&2; exit 1; }
log="$venv/install.log"
if ! "$venv/bin/pip" install --disable-pip-version-check -q "${pins[@]}" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "python-tools: pip install ${pins[*]} failed (log: $log)" >&2
	rm -f "$stamp"
	exit 1
fi
echo "${pins[*]}" >"$stamp"
echo "$venv/bin"
