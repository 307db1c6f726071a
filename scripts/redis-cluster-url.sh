#!/usr/bin/env bash
# Print the URL of the test Redis Cluster (scripts/redis-cluster-up.sh) as riskgraph's
# --redis-url and the tests' REDIS_CLUSTER_URL take it: the first node, the next two as
# further seeds (docs/services.md).
set -euo pipefail
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"
echo "redis://$REDIS_HOST:$REDIS_CLUSTER_PORT?addr=$REDIS_HOST:$((REDIS_CLUSTER_PORT + 1))&addr=$REDIS_HOST:$((REDIS_CLUSTER_PORT + 2))"
