#!/usr/bin/env bash
# Runs the recorded benchmarks (see RESULTS.md). Needs the services:
# make bench starts them. Extra arguments go to go test (e.g. -bench Replay).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEO4J_URI=${NEO4J_URI:-bolt://127.0.0.1:7687}
go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-3x}" -count "${COUNT:-1}" -timeout 60m "$@" ./benchmarks/
[ -n "${BENCH:-}" ] || benchmarks/api.sh # API benchmark (RESULTS.md, section API); skipped when BENCH selects benchmarks
[ -n "${BENCH:-}" ] || benchmarks/audit.sh # audit load benchmark (RESULTS.md, section Audit log)
[ -n "${BENCH:-}" ] || benchmarks/match.sh # matching benchmark (issue 15; RISKGRAPH_MATCH_SIZES, default 1 000 000)
