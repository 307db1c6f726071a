#!/usr/bin/env bash
# Import the files of a bulk load (riskgraph ingest --bulk-neo4j DIR) into the project's Neo4j:
# run `neo4j-admin database import full` with DIR/import.args (which names the database) into a
# fresh home beside the instance's, then stop the instance, put the imported database in place
# of its database, and start it again. The server answers on the old data until the swap; a
# failed import leaves it as it was.
# Usage: scripts/neo4j-import.sh DIR
#
# The instance is the one scripts/neo4j-up.sh starts with the same environment: the default one
# (.services/neo4j/home, Bolt 7687), or RISKGRAPH_NEO4J_INSTANCE=<name> with its own
# RISKGRAPH_NEO4J_BOLT_PORT. EVERYTHING IN ITS DATABASE IS REPLACED by the import.
# neo4j-admin is the import tool of the same jars (org.neo4j.cli.AdminTool on the launcher's
# classpath), run with NEO4J_HOME set to the instance's home.
#
#   RISKGRAPH_NEO4J_IMPORT_HEAP   heap of the import tool (default 2g); the rest of the
#                                 machine's memory serves the tool's off-heap caches
#   RISKGRAPH_NEO4J_IMPORT_OPTS   extra arguments for the import (e.g. --threads=4)
#   RISKGRAPH_NEO4J_ADMIN         run this neo4j-admin instead (a Neo4j installation's
#                                 bin/neo4j-admin); stopping and starting that server is then
#                                 yours: this script only runs the import.
set -euo pipefail
SERVICE_NAME=neo4j-import
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

DIR="${1:-}"
[[ -n "$DIR" && -f "$DIR/import.args" ]] || die "usage: $0 DIR (DIR holds import.args, written by riskgraph ingest --bulk-neo4j DIR)"
DIR="$(cd "$DIR" && pwd)"
IMPORT_HEAP="${RISKGRAPH_NEO4J_IMPORT_HEAP:-2g}"
# shellcheck disable=SC2206  # word splitting of user-supplied extra options is intended
EXTRA=(${RISKGRAPH_NEO4J_IMPORT_OPTS:-})
START_MS="$(now_ms)"

if [[ -n "${RISKGRAPH_NEO4J_ADMIN:-}" ]]; then
  say "running $RISKGRAPH_NEO4J_ADMIN database import full @$DIR/import.args"
  "$RISKGRAPH_NEO4J_ADMIN" database import full "@$DIR/import.args" "${EXTRA[@]}"
  exit 0
fi

neo4j_instance_paths
LIB_DIR="$SERVICES_DIR/neo4j/lib"
compgen -G "$LIB_DIR/neo4j-import-tool-*.jar" >/dev/null \
  || die "no Neo4j build in $LIB_DIR: run scripts/neo4j-up.sh once (with the same RISKGRAPH_SERVICES_DIR)"
DB="$(head -n1 "$DIR/import.args")"
[[ "$DB" =~ ^[a-z0-9][a-z0-9.-]*$ ]] || die "$DIR/import.args: the first line names the database, found '$DB'"

# Import into a fresh home beside the instance's: the server keeps serving the old database
# meanwhile, and a failed import leaves it untouched.
STAGE="$(dirname "$NEO4J_HOME")/import-home"
rm -rf "$STAGE"
mkdir -p "$STAGE"
LOG="$DIR/import.log"
say "importing into $STAGE (log $LOG)"
rc=0
NEO4J_HOME="$STAGE" java "-Xmx$IMPORT_HEAP" -XX:+UseParallelGC \
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED -Dlog4j2.disable.jmx=true \
  -cp "$LIB_DIR/*" org.neo4j.cli.AdminTool database import full "@$DIR/import.args" "${EXTRA[@]}" \
  >"$LOG" 2>&1 || rc=$?
IMPORTED_MS="$(now_ms)"
if (( rc != 0 )); then
  grep -E 'Exception|rror' "$LOG" | head -n 20 >&2 || true
  die "the import failed (exit $rc; log $LOG); the database in $NEO4J_HOME is unchanged"
fi
grep -E '^(IMPORT DONE|  [0-9]+ (nodes|relationships|properties)|Peak memory)' "$LOG" | sed 's/^/[neo4j-import] /' || true

# Swap: stop the server, put the imported store and its transaction log in place of the old
# ones, start it again.
"$SCRIPTS_DIR/neo4j-down.sh"
if bolt_answers "$NEO4J_HOST" "$NEO4J_BOLT_PORT"; then
  die "Bolt still answers on $NEO4J_HOST:$NEO4J_BOLT_PORT: that server was not started by these scripts; stop it, or import with RISKGRAPH_NEO4J_ADMIN (the import is in $STAGE)"
fi
STOPPED_MS="$(now_ms)"
for part in databases transactions; do
  mkdir -p "$NEO4J_HOME/data/$part"
  rm -rf "$NEO4J_HOME/data/$part/$DB"
  mv "$STAGE/data/$part/$DB" "$NEO4J_HOME/data/$part/$DB"
done
rm -rf "$STAGE"
"$SCRIPTS_DIR/neo4j-up.sh"
END_MS="$(now_ms)"
say "import $(( IMPORTED_MS - START_MS )) ms, offline $(( END_MS - STOPPED_MS )) ms (swap and start)"
