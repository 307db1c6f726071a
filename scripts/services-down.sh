#!/usr/bin/env bash
# Stop riskgraph's dev/test services started by scripts/services-up.sh. Idempotent.
# Tries each even if one fails; exits non-zero if any failed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rc=0
"$HERE/neo4j-down.sh" || rc=$?
"$HERE/redis-down.sh" || rc=$?
"$HERE/redis-cluster-down.sh" || rc=$?
if (( rc == 0 )); then echo "[services] down"; fi
exit "$rc"
