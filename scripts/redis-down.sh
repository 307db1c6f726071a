#!/usr/bin/env bash
# Stop the Redis started by scripts/redis-up.sh (SHUTDOWN NOSAVE, falling back to the pid
# file and signals). Idempotent. Leaves alone a Redis it did not start (no pid file).
set -euo pipefail
SERVICE_NAME=redis
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

PID_FILE="$SERVICES_DIR/redis.pid"
PID="$(read_pidfile "$PID_FILE")"

if [[ -z "$PID" ]] || ! pid_alive "$PID" || ! pid_cmdline_has "$PID" "redis-server"; then
  rm -f "$PID_FILE"
  if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
    say "not ours: the Redis on $REDIS_HOST:$REDIS_PORT was not started by these scripts (no pid file); leaving it"
  else
    say "already stopped"
  fi
  exit 0
fi

say "stopping Redis (pid $PID)"
if command -v redis-cli >/dev/null 2>&1; then
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
fi
for _ in $(seq 1 50); do   # ~10 s for a clean exit
  pid_alive "$PID" || break
  sleep 0.2
done
if pid_alive "$PID"; then
  stop_pid "$PID" 10 || die "could not stop pid $PID"
fi
rm -f "$PID_FILE"
say "stopped"
