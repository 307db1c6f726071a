#!/usr/bin/env bash
# Makes the Python virtualenv the tests use for outside tools, in
# .services/venv: libcovebods, the Beneficial Ownership Data Standard's
# own validator (report/bods tests run scripts/bods/validate.py with it).
# Idempotent: does nothing when the venv already has the pinned version.
# Installs from PyPI with pip; exits non-zero with the reason when it cannot.
set -euo pipefail
SERVICE_NAME=python-tools
# shellcheck source=_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

venv="${RISKGRAPH_VENV:-$SERVICES_DIR/venv}"
pins=(libcovebods==0.16.0)

if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "${pins[@]}" <<'PY' 2>/dev/null; then
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    if version(name) != want:
        sys.exit(1)
PY
	exit 0
fi
command -v python3 >/dev/null || die "python3 is not installed: install Python 3.9 or newer (apt-get install -y python3 python3-venv)"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv" || die "python3 -m venv $venv failed: install the venv module (apt-get install -y python3-venv)"
say "installing ${pins[*]} into $venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" || die "pip install ${pins[*]} failed (PyPI unreachable?)"
"$venv/bin/python" -c 'import libcovebods' || die "libcovebods installed but does not import"
