#!/usr/bin/env bash
# Start a local Redis on 127.0.0.1:6379 (no persistence) for riskgraph's dev/tests.
# Installs Debian's redis-server package if it is missing, but never uses the system
# service: runs its own daemon with pid/log in .services/. Idempotent: exits 0 at once
# if something on the port already answers PING.
#
# Memory is bounded: --maxmemory (RISKGRAPH_REDIS_MAXMEMORY, default 256mb) with
# --maxmemory-policy allkeys-lru (RISKGRAPH_REDIS_MAXMEMORY_POLICY): riskgraph keeps only
# derived, re-computable data in Redis, so when full it forgets the least recently used
# key rather than refusing writes (docs/services.md).
#
# Environment knobs: RISKGRAPH_REDIS_PORT (default 6379), RISKGRAPH_REDIS_MAXMEMORY,
# RISKGRAPH_REDIS_MAXMEMORY_POLICY, RISKGRAPH_SERVICES_DIR.
set -euo pipefail
SERVICE_NAME=redis
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

START_MS="$(now_ms)"
REDIS_DIR="$SERVICES_DIR/redis"
PID_FILE="$SERVICES_DIR/redis.pid"
LOG_FILE="$SERVICES_DIR/redis.log"
URL="redis://$REDIS_HOST:$REDIS_PORT/0"
MAXMEMORY="${RISKGRAPH_REDIS_MAXMEMORY:-256mb}"
MAXMEMORY_POLICY="${RISKGRAPH_REDIS_MAXMEMORY_POLICY:-allkeys-lru}"

if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
  say "already up: PONG from $URL"
  exit 0
fi
mkdir -p "$SERVICES_DIR"
# Serialize concurrent callers; the second one finds Redis answering and returns.
exec 9>"$SERVICES_DIR/redis.lock"
flock -w 600 9 || die "timed out waiting for another redis-up.sh"
if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
  say "up: PONG from $URL"
  exit 0
fi
if port_open "$REDIS_HOST" "$REDIS_PORT"; then
  die "port $REDIS_PORT is taken by something that does not answer Redis PING; free it or set RISKGRAPH_REDIS_PORT"
fi

if ! command -v redis-server >/dev/null 2>&1; then
  say "redis-server not found; installing Debian's redis-server package"
  apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after install"
fi

mkdir -p "$REDIS_DIR"
rm -f "$PID_FILE"
[[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"

say "starting $(redis-server --version | awk '{print $1, $2, $3}') on $URL (maxmemory $MAXMEMORY, $MAXMEMORY_POLICY)"
# --dir keeps any stray dump file inside .services; --save '' / --appendonly no: no persistence.
(close_extra_fds; exec redis-server \
  --bind "$REDIS_HOST" --port "$REDIS_PORT" \
  --save '' --appendonly no \
  --maxmemory "$MAXMEMORY" --maxmemory-policy "$MAXMEMORY_POLICY" \
  --daemonize yes \
  --dir "$REDIS_DIR" \
  --pidfile "$PID_FILE" \
  --logfile "$LOG_FILE")

for _ in $(seq 1 150); do   # up to ~30 s
  if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
    say "up: $URL (pid $(read_pidfile "$PID_FILE"), log $LOG_FILE) in $(( $(now_ms) - START_MS ))ms"
    exit 0
  fi
  sleep 0.2
done
say "Redis did not answer PING within 30s; last log lines ($LOG_FILE):"
tail -n 40 "$LOG_FILE" >&2 || true
exit 1
