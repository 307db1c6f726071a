#!/usr/bin/env bash
# Audit load benchmark (RESULTS.md, section Audit log): `riskgraph serve` on
# the embedded store, 32 connections of unpaced enterprises:batch requests
# of 1 000 keys for 60 s; counts answers and audit entries, samples RSS.
# Needs no services. BenchmarkAuditStartup: serve's start-up time and RSS before and after
# 1 000 000 audit entries (RISKGRAPH_AUDIT_BENCH selects one benchmark).
#   RISKGRAPH_AUDIT_BENCH_SECONDS=N   load duration (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
go test -tags auditbench -run '^$' -bench "${RISKGRAPH_AUDIT_BENCH:-^BenchmarkAudit(Load|Startup)$}" -benchtime 1x -timeout 30m "$@" ./benchmarks/
