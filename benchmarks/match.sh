#!/usr/bin/env bash
# Matching benchmark (issue 15, "Numbers"): BenchmarkMatchSet generates N
# enterprises, loads them into the memory store, builds the match index from
# it and queries a labelled set of name variants, branches, phones and
# addresses; reports build time, index heap per enterprise, recall@1 and
# precision of match: true (and the exact-textnorm.Key-name baseline),
# latency p50/p99 and batches of 1 000 through POST /api/v1/match.
# Needs no services. Full run (the default size):
#   RISKGRAPH_MATCH_SIZES=1000000 benchmarks/match.sh
# which runs
#   go test -tags matchbench -run '^$' -bench '^BenchmarkMatchSet$' -benchtime 1x -timeout 180m ./benchmarks/
# Settings:
#   RISKGRAPH_MATCH_SIZES=20000         quick check (comma-separated sizes)
#   RISKGRAPH_MATCH_PER_VARIANT=N       queries per class (default 2000)
#   RISKGRAPH_MATCH_LATENCY_QUERIES=N   queries timed for p50/p99 (default 10000)
#   RISKGRAPH_MATCH_TABLE=FILE          file the per-class table and example misses
#                                       are appended to (printed after the run;
#                                       default a temporary file)
set -euo pipefail
cd "$(dirname "$0")/.."
export RISKGRAPH_MATCH_SIZES=${RISKGRAPH_MATCH_SIZES:-1000000}
if [ -n "${RISKGRAPH_MATCH_TABLE:-}" ]; then
	table=$RISKGRAPH_MATCH_TABLE
else
	table=$(mktemp)
	trap 'rm -f "$table"' EXIT
fi
export RISKGRAPH_MATCH_TABLE=$table
go test -tags matchbench -run '^$' -bench '^BenchmarkMatchSet$' -benchtime 1x -timeout 180m "$@" ./benchmarks/
cat "$table"
