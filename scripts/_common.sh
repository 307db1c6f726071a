# Shared helpers for the dev/test service scripts. Sourced, not executed.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS_DIR="$REPO_ROOT/scripts"
# Everything the services write (data, logs, pid files, Maven cache, built launcher).
SERVICES_DIR="${RISKGRAPH_SERVICES_DIR:-$REPO_ROOT/.services}"

NEO4J_HOST=127.0.0.1
NEO4J_BOLT_PORT="${RISKGRAPH_NEO4J_BOLT_PORT:-7687}"
# A second (third …) Neo4j from the same build: RISKGRAPH_NEO4J_INSTANCE=bulk gives it its own
# home, pid file, log and lock (.services/neo4j-bulk/…); give it its own
# RISKGRAPH_NEO4J_BOLT_PORT too. Empty: the default instance (.services/neo4j/home, port 7687).
NEO4J_INSTANCE="${RISKGRAPH_NEO4J_INSTANCE:-}"
[[ -z "$NEO4J_INSTANCE" || "$NEO4J_INSTANCE" =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]] \
  || { echo "RISKGRAPH_NEO4J_INSTANCE=$NEO4J_INSTANCE: use 1-32 lower-case letters, digits or -" >&2; exit 2; }
# neo4j_instance_paths: sets NEO4J_HOME, NEO4J_PID_FILE, NEO4J_LOG_FILE and NEO4J_LOCK_FILE of
# the instance (the build in .services/neo4j/{lib,build} is shared by all instances).
neo4j_instance_paths() {
  if [[ -z "$NEO4J_INSTANCE" ]]; then
    NEO4J_HOME="$SERVICES_DIR/neo4j/home"
    NEO4J_PID_FILE="$SERVICES_DIR/neo4j.pid"
    NEO4J_LOG_FILE="$SERVICES_DIR/neo4j.log"
    NEO4J_LOCK_FILE="$SERVICES_DIR/neo4j.lock"
  else
    NEO4J_HOME="$SERVICES_DIR/neo4j-$NEO4J_INSTANCE/home"
    NEO4J_PID_FILE="$SERVICES_DIR/neo4j-$NEO4J_INSTANCE.pid"
    NEO4J_LOG_FILE="$SERVICES_DIR/neo4j-$NEO4J_INSTANCE.log"
    NEO4J_LOCK_FILE="$SERVICES_DIR/neo4j-$NEO4J_INSTANCE.lock"
  fi
}
REDIS_HOST=127.0.0.1
REDIS_PORT="${RISKGRAPH_REDIS_PORT:-6379}"
# The test Redis Cluster (scripts/redis-cluster-up.sh) uses this port and the next five.
REDIS_CLUSTER_PORT="${RISKGRAPH_REDIS_CLUSTER_PORT:-7001}"

say() { printf '[%s] %s\n' "${SERVICE_NAME:-services}" "$*"; }
die() { printf '[%s] ERROR: %s\n' "${SERVICE_NAME:-services}" "$*" >&2; exit 1; }

# close_extra_fds: close every file descriptor above 2 of the current shell. A server started
# after it does not inherit its caller's locks or pipes (a test run under flock(1) that restarts
# a server must not leave the server holding the lock).
close_extra_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd="${fd##*/}"
    if [[ "$fd" =~ ^[0-9]+$ && "$fd" -gt 2 ]]; then
      eval "exec $fd>&-" 2>/dev/null || true
    fi
  done
}

# now_ms: wall clock in milliseconds.
now_ms() { date +%s%3N; }

# port_open HOST PORT: true if something accepts TCP connections there.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# bolt_answers HOST PORT: true if a Bolt server completes the version handshake.
# Sends the Bolt magic 0x6060B017 and proposes 5.0-5.8 and 4.4; a Bolt server replies
# with 4 bytes naming the agreed version (all zero = none agreed, still counts as no).
bolt_answers() {
  local reply
  reply="$(timeout 3 bash -c "
    exec 3<>/dev/tcp/$1/$2 || exit 1
    printf '\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00' >&3
    head -c 4 <&3 | od -An -tx1
  " 2>/dev/null)" || return 1
  reply="${reply//[[:space:]]/}"
  [[ ${#reply} -eq 8 && "$reply" != "00000000" ]]
}

# redis_ping HOST PORT: true if a Redis server answers PING with PONG.
redis_ping() {
  local reply
  reply="$(timeout 3 bash -c "
    exec 3<>/dev/tcp/$1/$2 || exit 1
    printf 'PING\r\n' >&3
    head -c 7 <&3
  " 2>/dev/null)" || return 1
  [[ "$reply" == "+PONG"* ]]
}

# pid_alive PID: true if the process exists (and is not a zombie).
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z* ]]
}

# pid_cmdline_has PID TEXT: true if the process's command line contains TEXT.
pid_cmdline_has() {
  [[ -r "/proc/$1/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# read_pidfile FILE: prints the pid stored in FILE (empty if none).
read_pidfile() {
  [[ -f "$1" ]] && tr -dc '0-9' <"$1" || true
}

# stop_pid PID TIMEOUT_SECONDS: SIGTERM, wait, then SIGKILL. Returns 0 once it is gone.
stop_pid() {
  local pid="$1" timeout_s="$2" waited=0
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do
    if (( waited >= timeout_s * 5 )); then
      say "pid $pid still running after ${timeout_s}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  ! pid_alive "$pid"
}

# as_root CMD...: run CMD as root (directly, or via sudo when available).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $*"
  fi
}

# apt_install PKG...: non-interactive apt-get install; runs 'apt-get update' at most once per
# process, and keeps Debian's maintainer scripts from starting system services (we run our own).
_APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  local added_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    added_policy=1
  fi
  local rc=0 apt_log="$SERVICES_DIR/apt.log"
  mkdir -p "$SERVICES_DIR"
  if (( _APT_UPDATED == 0 )); then
    say "apt-get update (output: $apt_log)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$apt_log" 2>&1 || rc=$?
    _APT_UPDATED=1
  fi
  if (( rc == 0 )); then
    say "apt-get install -y $* (output: $apt_log)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >>"$apt_log" 2>&1 || rc=$?
  fi
  if (( added_policy )); then
    as_root rm -f /usr/sbin/policy-rc.d
  fi
  if (( rc != 0 )); then
    tail -n 30 "$apt_log" >&2 || true
    die "apt-get failed (exit $rc) installing: $*"
  fi
}
