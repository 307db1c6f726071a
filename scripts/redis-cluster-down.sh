#!/usr/bin/env bash
# Stop the Redis Cluster started by scripts/redis-cluster-up.sh (SHUTDOWN NOSAVE per node,
# falling back to the pid file and signals) and forget it (its nodes.conf files), so that the
# next up creates a fresh cluster. Idempotent. Leaves alone a node it did not start (no pid
# file).
set -euo pipefail
SERVICE_NAME=redis-cluster
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

CLUSTER_DIR="$SERVICES_DIR/redis-cluster"
stopped=0
for i in 0 1 2 3 4 5; do
  p=$((REDIS_CLUSTER_PORT + i))
  pid_file="$CLUSTER_DIR/$p.pid"
  pid="$(read_pidfile "$pid_file")"
  if [[ -z "$pid" ]] || ! pid_alive "$pid" || ! pid_cmdline_has "$pid" "redis-server"; then
    rm -f "$pid_file"
    if redis_ping "$REDIS_HOST" "$p"; then
      say "not ours: the Redis on $REDIS_HOST:$p was not started by these scripts (no pid file); leaving it"
    fi
    continue
  fi
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h "$REDIS_HOST" -p "$p" shutdown nosave >/dev/null 2>&1 || true
  fi
  for _ in $(seq 1 50); do   # ~10 s for a clean exit
    pid_alive "$pid" || break
    sleep 0.2
  done
  if pid_alive "$pid"; then
    stop_pid "$pid" 10 || die "could not stop pid $pid (port $p)"
  fi
  rm -f "$pid_file" "$CLUSTER_DIR/$p/nodes.conf"
  stopped=$((stopped + 1))
done
if (( stopped > 0 )); then say "stopped $stopped node(s)"; else say "already stopped"; fi
