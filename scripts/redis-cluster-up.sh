#!/usr/bin/env bash
# Start a local Redis Cluster for riskgraph's tests: six redis-server processes in cluster
# mode on 127.0.0.1 ports 7001–7006 (three masters, each with one replica), made into one
# cluster with `redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes`.
# Same server binary as scripts/redis-up.sh (Debian's redis-server, installed when missing),
# same settings (no persistence, bounded memory, allkeys-lru); pid, log and node files in
# .services/redis-cluster/.
#
# Idempotent: exits 0 at once when every node answers and the cluster state is ok; starts
# nodes that are down (they rejoin through their nodes.conf); creates the cluster when the
# nodes are fresh. Concurrent callers take turns (file lock).
#
# Environment knobs: RISKGRAPH_REDIS_CLUSTER_PORT (first port, default 7001; the cluster uses
# it and the next five, and each port + 10000 for the cluster bus), RISKGRAPH_REDIS_MAXMEMORY,
# RISKGRAPH_REDIS_MAXMEMORY_POLICY, RISKGRAPH_SERVICES_DIR. See docs/services.md.
set -euo pipefail
SERVICE_NAME=redis-cluster
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

START_MS="$(now_ms)"
CLUSTER_DIR="$SERVICES_DIR/redis-cluster"
MAXMEMORY="${RISKGRAPH_REDIS_MAXMEMORY:-256mb}"
MAXMEMORY_POLICY="${RISKGRAPH_REDIS_MAXMEMORY_POLICY:-allkeys-lru}"
PORTS=()
for i in 0 1 2 3 4 5; do PORTS+=("$((REDIS_CLUSTER_PORT + i))"); done
URL="redis://$REDIS_HOST:${PORTS[0]}?addr=$REDIS_HOST:${PORTS[1]}&addr=$REDIS_HOST:${PORTS[2]}"

# cluster_ok: every node answers and reports cluster_state:ok with six known nodes.
cluster_ok() {
  command -v redis-cli >/dev/null 2>&1 || return 1
  local p info
  for p in "${PORTS[@]}"; do
    info="$(redis-cli -h "$REDIS_HOST" -p "$p" cluster info 2>/dev/null)" || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q '^cluster_known_nodes:6' <<<"$info" || return 1
  done
}

if cluster_ok; then
  say "already up: $URL"
  exit 0
fi
mkdir -p "$CLUSTER_DIR"
exec 9>"$SERVICES_DIR/redis-cluster.lock"
flock -w 600 9 || die "timed out waiting for another redis-cluster-up.sh"
if cluster_ok; then
  say "up: $URL"
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  say "redis-server not found; installing Debian's redis-server package"
  apt_install redis-server
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after install"
fi

started=0
for p in "${PORTS[@]}"; do
  if redis_ping "$REDIS_HOST" "$p"; then
    continue
  fi
  if port_open "$REDIS_HOST" "$p"; then
    die "port $p is taken by something that does not answer Redis PING; free it or set RISKGRAPH_REDIS_CLUSTER_PORT"
  fi
  dir="$CLUSTER_DIR/$p"
  mkdir -p "$dir"
  log="$CLUSTER_DIR/$p.log"
  [[ -f "$log" ]] && mv -f "$log" "$log.1"
  rm -f "$CLUSTER_DIR/$p.pid"
  (close_extra_fds; exec redis-server \
    --bind "$REDIS_HOST" --port "$p" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 3000 \
    --save '' --appendonly no \
    --maxmemory "$MAXMEMORY" --maxmemory-policy "$MAXMEMORY_POLICY" \
    --daemonize yes \
    --dir "$dir" \
    --pidfile "$CLUSTER_DIR/$p.pid" \
    --logfile "$log")
  started=$((started + 1))
done
for p in "${PORTS[@]}"; do
  for _ in $(seq 1 150); do   # up to ~30 s per node
    redis_ping "$REDIS_HOST" "$p" && break
    sleep 0.2
  done
  redis_ping "$REDIS_HOST" "$p" || { tail -n 40 "$CLUSTER_DIR/$p.log" >&2 || true; die "node $p did not answer PING within 30s"; }
done
(( started > 0 )) && say "started $started node(s) ($(redis-server --version | awk '{print $1, $2, $3}'), maxmemory $MAXMEMORY, $MAXMEMORY_POLICY)"

# Fresh nodes (each knows only itself, no slots): create the cluster. Nodes that were part of
# one rejoin it through nodes.conf; then only wait for the state to settle.
known="$(redis-cli -h "$REDIS_HOST" -p "${PORTS[0]}" cluster info | tr -d '\r' | sed -n 's/^cluster_known_nodes://p')"
if [[ "$known" == "1" ]]; then
  addrs=()
  for p in "${PORTS[@]}"; do addrs+=("$REDIS_HOST:$p"); done
  say "creating the cluster: 3 masters, 3 replicas"
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 ||
    { tail -n 30 "$CLUSTER_DIR/create.log" >&2; die "redis-cli --cluster create failed; run scripts/redis-cluster-down.sh and try again"; }
fi
for _ in $(seq 1 150); do   # up to ~30 s
  if cluster_ok; then
    say "up: $URL (ports ${PORTS[0]}–${PORTS[5]}, logs $CLUSTER_DIR/*.log) in $(( $(now_ms) - START_MS ))ms"
    exit 0
  fi
  sleep 0.2
done
redis-cli -h "$REDIS_HOST" -p "${PORTS[0]}" cluster info >&2 || true
die "the cluster did not reach cluster_state:ok within 30s; run scripts/redis-cluster-down.sh, then up again"
