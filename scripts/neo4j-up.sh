#!/usr/bin/env bash
# Start a local Neo4j 5.26 LTS (Community, embedded launcher) with Bolt on 127.0.0.1:7687,
# authentication disabled. Idempotent: exits 0 at once if Bolt already answers there.
#
# First run downloads Neo4j's jars from Maven Central into .services/m2 (~160 MB) and builds
# the launcher; later runs reuse them. Data: .services/neo4j/home, log: .services/neo4j.log,
# pid: .services/neo4j.pid.
#
# Environment knobs (all optional):
#   RISKGRAPH_NEO4J_BOLT_PORT      Bolt port (default 7687)
#   RISKGRAPH_NEO4J_INSTANCE       a second instance from the same build, with its own home,
#                                  pid, log and lock under .services/neo4j-<name>[.pid|.log]
#                                  (give it its own Bolt port too)
#   RISKGRAPH_NEO4J_HEAP           JVM max heap (default 2g)
#   RISKGRAPH_NEO4J_PAGECACHE_MB   page cache in MiB (default 1024)
#   RISKGRAPH_NEO4J_JAVA_OPTS      extra JVM options
#   RISKGRAPH_NEO4J_START_TIMEOUT  seconds to wait for readiness (default 180)
#   RISKGRAPH_NEO4J_RESET=1        wipe the database directory before starting
#   RISKGRAPH_M2_REPO              Maven local repository (default .services/m2)
#   RISKGRAPH_SERVICES_DIR         state directory (default <repo>/.services)
set -euo pipefail
SERVICE_NAME=neo4j
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

START_MS="$(now_ms)"
NEO4J_DIR="$SERVICES_DIR/neo4j"
neo4j_instance_paths
LIB_DIR="$NEO4J_DIR/lib"
CLASSES_DIR="$NEO4J_DIR/build/classes"
STAMP_FILE="$NEO4J_DIR/build.stamp"
PID_FILE="$NEO4J_PID_FILE"
LOG_FILE="$NEO4J_LOG_FILE"
M2_REPO="${RISKGRAPH_M2_REPO:-$SERVICES_DIR/m2}"
LAUNCHER_SRC="$SCRIPTS_DIR/neo4j"
MAIN_CLASS=riskgraph.Neo4jLauncher
HEAP="${RISKGRAPH_NEO4J_HEAP:-2g}"
PAGECACHE_MB="${RISKGRAPH_NEO4J_PAGECACHE_MB:-1024}"
START_TIMEOUT="${RISKGRAPH_NEO4J_START_TIMEOUT:-180}"
BOLT_URI="bolt://$NEO4J_HOST:$NEO4J_BOLT_PORT"

if bolt_answers "$NEO4J_HOST" "$NEO4J_BOLT_PORT"; then
  say "already up: Bolt answers on $BOLT_URI"
  exit 0
fi

mkdir -p "$SERVICES_DIR"

# Serialize concurrent callers (the lock is released when this script exits); whoever
# gets it second finds Bolt answering and returns at once.
exec 9>"$NEO4J_LOCK_FILE"
if ! flock -n 9; then
  say "another neo4j-up.sh is running; waiting for it"
  flock -w $(( START_TIMEOUT + 900 )) 9 || die "timed out waiting for the other neo4j-up.sh"
fi
if bolt_answers "$NEO4J_HOST" "$NEO4J_BOLT_PORT"; then
  say "up: Bolt answers on $BOLT_URI"
  exit 0
fi

wait_ready() {
  local pid="$1" deadline=$(( $(date +%s) + START_TIMEOUT ))
  while :; do
    if ! pid_alive "$pid"; then
      say "Neo4j process $pid exited during startup; last log lines ($LOG_FILE):"
      tail -n 60 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if grep -q 'RISKGRAPH_NEO4J_READY' "$LOG_FILE" 2>/dev/null && bolt_answers "$NEO4J_HOST" "$NEO4J_BOLT_PORT"; then
      return 0
    fi
    if (( $(date +%s) >= deadline )); then
      say "Neo4j not ready after ${START_TIMEOUT}s; last log lines ($LOG_FILE):"
      tail -n 60 "$LOG_FILE" >&2 || true
      say "leaving pid $pid running; stop it with scripts/neo4j-down.sh"
      exit 1
    fi
    sleep 0.5
  done
}

# A launcher of ours may already be starting (e.g. two callers racing): wait for it.
OLD_PID="$(read_pidfile "$PID_FILE")"
if [[ -n "$OLD_PID" ]] && pid_alive "$OLD_PID" && pid_cmdline_has "$OLD_PID" "$MAIN_CLASS"; then
  say "Neo4j (pid $OLD_PID) is starting; waiting for Bolt on $BOLT_URI"
  wait_ready "$OLD_PID"
  say "up: $BOLT_URI (pid $OLD_PID)"
  exit 0
fi
rm -f "$PID_FILE"

if port_open "$NEO4J_HOST" "$NEO4J_BOLT_PORT"; then
  die "port $NEO4J_BOLT_PORT is taken by something that does not speak Bolt; free it or set RISKGRAPH_NEO4J_BOLT_PORT"
fi

# --- toolchain ---------------------------------------------------------------------------
java_major() {
  java -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[^"]*)?".*/\1/p'
}
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  say "Java 17 JDK and/or Maven missing; installing from Debian"
  apt_install openjdk-17-jdk-headless maven
fi
JAVA_MAJOR="$(java_major)"
[[ -n "$JAVA_MAJOR" && "$JAVA_MAJOR" -ge 17 ]] || die "Neo4j 5.26 needs Java 17 or 21; found: $(java -version 2>&1 | head -n1)"

# --- build (cached) ----------------------------------------------------------------------
build_stamp() {
  { cat "$LAUNCHER_SRC/pom.xml"; find "$LAUNCHER_SRC/src" -type f -name '*.java' -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -d' ' -f1
}
WANT_STAMP="$(build_stamp)"
# Instances share the build: one builds while the others wait.
exec 8>"$SERVICES_DIR/neo4j-build.lock"
flock -w 900 8 || die "timed out waiting for another build of the launcher"
if [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$WANT_STAMP" && -f "$CLASSES_DIR/riskgraph/Neo4jLauncher.class" ]] \
   && compgen -G "$LIB_DIR/neo4j-kernel-*.jar" >/dev/null; then
  say "launcher build is up to date"
else
  say "building launcher (Maven cache: $M2_REPO; first run downloads ~160 MB from Maven Central)"
  rm -rf "$LIB_DIR" "$NEO4J_DIR/build" "$STAMP_FILE"
  mkdir -p "$M2_REPO"
  BUILD_LOG="$SERVICES_DIR/neo4j-build.log"
  if ! mvn -B -q -Dstyle.color=never -f "$LAUNCHER_SRC/pom.xml" \
        -Dmaven.repo.local="$M2_REPO" -Dservices.dir="$SERVICES_DIR" compile >"$BUILD_LOG" 2>&1; then
    tail -n 40 "$BUILD_LOG" >&2 || true
    die "Maven build failed (full log: $BUILD_LOG)"
  fi
  echo "$WANT_STAMP" >"$STAMP_FILE"
  say "built in $(( ($(now_ms) - START_MS) / 1000 ))s ($(find "$LIB_DIR" -name '*.jar' | wc -l) jars)"
fi

exec 8>&-

# --- start -------------------------------------------------------------------------------
if [[ "${RISKGRAPH_NEO4J_RESET:-0}" == 1 ]]; then
  say "RISKGRAPH_NEO4J_RESET=1: wiping $NEO4J_HOME"
  rm -rf "$NEO4J_HOME"
fi
mkdir -p "$NEO4J_HOME"
[[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"

JAVA_OPTS=(
  -Xms512m "-Xmx$HEAP"
  # 2-core machine: a small parallel collector rather than G1's extra threads.
  -XX:+UseParallelGC -XX:ParallelGCThreads=2
  -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow -XX:+DisableExplicitGC
  -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true
  -Dlog4j2.disable.jmx=true
  # The same module openings as Neo4j's own neo4j.conf defaults.
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  "-Driskgraph.neo4j.home=$NEO4J_HOME"
  "-Driskgraph.neo4j.bolt=$NEO4J_HOST:$NEO4J_BOLT_PORT"
  "-Driskgraph.neo4j.pagecache=$PAGECACHE_MB"
)
# shellcheck disable=SC2206  # word splitting of user-supplied extra options is intended
EXTRA_OPTS=(${RISKGRAPH_NEO4J_JAVA_OPTS:-})

say "starting Neo4j on $BOLT_URI (heap $HEAP, page cache ${PAGECACHE_MB} MiB, data $NEO4J_HOME)"
cd "$NEO4J_DIR"
(close_extra_fds; exec nohup setsid java "${JAVA_OPTS[@]}" "${EXTRA_OPTS[@]}" -cp "$CLASSES_DIR:$LIB_DIR/*" "$MAIN_CLASS") \
  >"$LOG_FILE" 2>&1 </dev/null &
PID=$!
echo "$PID" >"$PID_FILE"

wait_ready "$PID"
# Trust the launcher's own pid report (setsid may fork when run under job control).
REAL_PID="$(sed -nE 's/.*RISKGRAPH_NEO4J_READY.* pid=([0-9]+).*/\1/p' "$LOG_FILE" | tail -n1)"
if [[ -n "$REAL_PID" && "$REAL_PID" != "$PID" ]]; then
  echo "$REAL_PID" >"$PID_FILE"
  PID="$REAL_PID"
fi
say "up: $BOLT_URI ($(sed -nE 's/.*RISKGRAPH_NEO4J_READY [^ ]+ (version=[^ ]+).*/Neo4j \1/p' "$LOG_FILE" | tail -n1), pid $PID, log $LOG_FILE) in $(( ($(now_ms) - START_MS) / 1000 ))s"
