#!/usr/bin/env bash
# Runs every Go test against the services that scripts/services-up.sh started.
# The full verbose log goes to .services/test.log; the summary goes to stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .services
export NEO4J_URI=${NEO4J_URI:-bolt://127.0.0.1:${RISKGRAPH_NEO4J_BOLT_PORT:-7687}}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:${RISKGRAPH_REDIS_PORT:-6379}/0}
export REDIS_CLUSTER_URL=${REDIS_CLUSTER_URL:-$(scripts/redis-cluster-url.sh)}
# The bulk load test (cmd/riskgraph TestBulkLoadMatchesOnlineLoad) replaces the database it
# imports into, so it gets a second Neo4j instance of its own (the test waits for it to answer),
# stopped again when the tests end.
if [ -z "${NEO4J_BULK_URI:-}" ]; then
	bulk_port=${RISKGRAPH_NEO4J_BULK_PORT:-7688}
	export NEO4J_BULK_URI=bolt://127.0.0.1:$bulk_port NEO4J_BULK_INSTANCE=bulk
	bulk_env="RISKGRAPH_NEO4J_INSTANCE=bulk RISKGRAPH_NEO4J_BOLT_PORT=$bulk_port RISKGRAPH_NEO4J_HEAP=1g RISKGRAPH_NEO4J_PAGECACHE_MB=256"
	env $bulk_env scripts/neo4j-up.sh >.services/neo4j-bulk-up.log 2>&1 &
	trap 'wait; env $bulk_env scripts/neo4j-down.sh >>.services/neo4j-bulk-up.log 2>&1 || true' EXIT
fi
log=.services/test.log
status=0
# -p 1: the Neo4j-backed packages share one database.
go test -count=1 -p 1 -timeout 20m -v ./... >"$log" 2>&1 || status=$?
grep -E '^(ok |FAIL|panic:|--- (PASS|FAIL|SKIP)|    --- (FAIL|SKIP))|reached|\[no test files\]' "$log" || true
skips=$(grep -cE -- '--- SKIP' "$log" || true)
echo "tests: $(grep -cE -- '--- PASS' "$log") passed (with subtests), $(grep -cE -- '--- FAIL' "$log" || true) failed, $skips skipped; full log: $log"
if [ "$status" -ne 0 ]; then
	echo "FAILED — failures in context:"
	grep -nE -B2 -A12 -- '--- FAIL|panic:' "$log" | head -200
fi
exit "$status"
