#!/usr/bin/env bash
# Bring up riskgraph's dev/test services: Redis on 127.0.0.1:6379, a Redis Cluster on
# 127.0.0.1:7001–7006 (the tests run the cache, rankings, rate limits and locks on both) and
# Neo4j (Bolt) on 127.0.0.1:7687. Idempotent; see docs/services.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
start_s=$(date +%s%3N)
"$HERE/redis-up.sh"
"$HERE/redis-cluster-up.sh"
"$HERE/neo4j-up.sh"
echo "[services] up in $(( ($(date +%s%3N) - start_s) / 1000 ))s: NEO4J_URI=bolt://127.0.0.1:${RISKGRAPH_NEO4J_BOLT_PORT:-7687} REDIS_URL=redis://127.0.0.1:${RISKGRAPH_REDIS_PORT:-6379}/0 REDIS_CLUSTER_URL=$("$HERE/redis-cluster-url.sh")"
