#!/usr/bin/env bash
# API benchmark (RESULTS.md, section API): loads the 100 000-enterprise
# generator sample into Neo4j, starts `riskgraph serve` (Neo4j + Redis) as
# one process, scores through POST /api/v1/runs, and drives it with
# benchmarks/cmd/loadgen as a second process on loopback. Needs the
# services (make services-up); it empties the Neo4j test database.
#   RISKGRAPH_API_BENCH_ENTERPRISES=N   sample size (default 100000)
#   RISKGRAPH_API_BENCH_CLIENT=raw|nethttp  loadgen's HTTP client (default raw: its own
#                                       HTTP/1.1, less than half of net/http's CPU per request)
#   RISKGRAPH_API_BENCH_RATE_LIMIT=N    --rate-limit of serve (default 1e9: counted, never refusing; -1 disables)
#   RISKGRAPH_API_BENCH_SERVE=BINARY    the riskgraph binary to serve (default: built from this tree), to
#                                       measure an older build with this tree's loads
# Besides the closed loops (-c N connections, each sending when it has its answer) it runs the
# uncached network and /risk as open loops paced at 1 000 req/s (loadgen -rate, up to 64
# outstanding, latency counted from each request's due time): issue 19 §3 states those targets
# as a rate held with a p99, which a closed loop cannot show (its latency is c / throughput).
# With -bench '^BenchmarkAPIUncachedAB$' (the last -bench wins) it compares two builds of serve
# on the uncached network and /risk instead, loads alternating between them, with CPU seconds
# per 1 000 requests (benchmarks/api_ab_bench_test.go):
#   RISKGRAPH_API_BENCH_AB=BINARY       the other riskgraph binary (B; A is built from this tree)
#   RISKGRAPH_API_BENCH_NEO4J_PID=PID   Neo4j's process, to report its CPU too
#   RISKGRAPH_API_BENCH_AB_ROUNDS=N     rounds of A B / B A (default 3)
#   RISKGRAPH_API_BENCH_AB_RATE=R       open loop at R req/s (up to 64 outstanding) instead of 32 connections
#   RISKGRAPH_NEO4J_REUSE=1             keep a database that already holds the sample
set -euo pipefail
cd "$(dirname "$0")/.."
export NEO4J_URI=${NEO4J_URI:-bolt://127.0.0.1:7687}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
go test -tags apibench -run '^$' -bench '^BenchmarkAPI$' -benchtime 1x -timeout 60m "$@" ./benchmarks/
