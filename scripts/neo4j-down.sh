#!/usr/bin/env bash
# Stop the Neo4j started by scripts/neo4j-up.sh (the instance RISKGRAPH_NEO4J_INSTANCE names, if set) (SIGTERM -> clean DBMS shutdown; SIGKILL
# after RISKGRAPH_NEO4J_STOP_TIMEOUT seconds, default 60). Idempotent. Data is kept; use
# RISKGRAPH_NEO4J_RESET=1 scripts/neo4j-up.sh (or delete .services/neo4j/home) to wipe it.
set -euo pipefail
SERVICE_NAME=neo4j
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

neo4j_instance_paths
PID_FILE="$NEO4J_PID_FILE"
MAIN_CLASS=riskgraph.Neo4jLauncher
STOP_TIMEOUT="${RISKGRAPH_NEO4J_STOP_TIMEOUT:-60}"

PID="$(read_pidfile "$PID_FILE")"

# No usable pid file: look for our launcher listening on the Bolt port (pid file lost).
if [[ -z "$PID" ]] || ! pid_alive "$PID"; then
  PID=""
  if command -v ss >/dev/null 2>&1; then
    for p in $(ss -Hltnp "sport = :$NEO4J_BOLT_PORT" 2>/dev/null | grep -oE 'pid=[0-9]+' | cut -d= -f2 | sort -u); do
      if pid_cmdline_has "$p" "$MAIN_CLASS"; then PID="$p"; fi
    done
  fi
fi

if [[ -z "$PID" ]]; then
  rm -f "$PID_FILE"
  if bolt_answers "$NEO4J_HOST" "$NEO4J_BOLT_PORT"; then
    say "not ours: a Bolt server on $NEO4J_HOST:$NEO4J_BOLT_PORT was not started by these scripts; leaving it"
  else
    say "already stopped"
  fi
  exit 0
fi

if ! pid_cmdline_has "$PID" "$MAIN_CLASS"; then
  say "pid $PID from $PID_FILE is not our Neo4j launcher; removing stale pid file"
  rm -f "$PID_FILE"
  exit 0
fi

START_MS="$(now_ms)"
say "stopping Neo4j (pid $PID)"
stop_pid "$PID" "$STOP_TIMEOUT" || die "could not stop pid $PID"
rm -f "$PID_FILE"
say "stopped in $(( ($(now_ms) - START_MS) / 1000 ))s"
