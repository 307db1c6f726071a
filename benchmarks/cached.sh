#!/usr/bin/env bash
# Cached paths (benchmarks/RESULTS.md, "Issue 19 §3 — cached paths"): the
# server's own CPU per cached answer. Generates N enterprises into a
# temporary data dir (embedded store: a cached hit never reaches the store,
# so Neo4j is not needed and its lock not taken), starts `riskgraph serve`
# on Redis, and for cached /risk and cached depth-2 networks, with and
# without gzip, runs loadgen at 32 connections after a warm-up, reading the
# serve process's CPU time from /proc before and after.
#   cached.sh [BINARY]          a riskgraph binary to measure (default: built from this tree)
#   RISKGRAPH_CACHED_ENTERPRISES=N   sample size (default 3000)
#   RISKGRAPH_CACHED_CLIENT=raw|nethttp  loadgen's client (default raw)
#   RISKGRAPH_CACHED_SECONDS=S       seconds per measured load (default 8)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=
bin=${1:-}
if [ -z "$bin" ]; then
	bin=$tmp/riskgraph
	(cd "$root" && go build -o "$bin" ./cmd/riskgraph)
fi
(cd "$root" && go build -o "$tmp/loadgen" ./benchmarks/cmd/loadgen)
n=${RISKGRAPH_CACHED_ENTERPRISES:-3000}
client=${RISKGRAPH_CACHED_CLIENT:-raw}
secs=${RISKGRAPH_CACHED_SECONDS:-8}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
rg() { env -u NEO4J_URI "$bin" --data-dir "$tmp/data" --log-level warn "$@"; }
"$bin" generate --enterprises "$n" --seed 1 --out "$tmp/in" >/dev/null
rg ingest --progress none --source bench "$tmp/in" >/dev/null
rg score >/dev/null
key=$(rg keys create --role admin --name cached-bench 2>/dev/null | grep -o 'rgk_[A-Za-z0-9_-]*' | head -1)
hot=$((n / 10 < 300 ? n / 10 : 300))
awk -F, -v h="$hot" 'NR>1 && NR<=1+h {print "/api/v1/enterprises/"$1"/risk"}' "$tmp/in/enterprises.csv" >"$tmp/risk.txt"
awk -F, -v h="$hot" 'NR>1+h && NR<=1+2*h {print "/api/v1/enterprises/"$1"/network?depth=2&limit=200"}' "$tmp/in/enterprises.csv" >"$tmp/net.txt"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
env -u NEO4J_URI "$bin" --data-dir "$tmp/data" --log-level warn --addr 127.0.0.1:$port --log-format json \
	serve --rate-limit 1000000000 2>"$tmp/serve.log" & # not through rg: $! must be serve's own pid
pid=$!
for _ in $(seq 300); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$pid/stat"; }
load() { "$tmp/loadgen" -base "$base" -key "$key" -client "$client" "$@"; }
echo "cached paths: $n enterprises, $hot hot keys each, loadgen -client $client, $(nproc) cores"
for spec in "risk:risk.txt:" "risk-gzip:risk.txt:-gzip" "network-gzip:net.txt:-gzip" "network:net.txt:"; do
	IFS=: read -r name paths gz <<<"$spec"
	load -paths "$tmp/$paths" -once -c 8 -d 60s >/dev/null # misses: the answers are cached
	load -paths "$tmp/$paths" -c 32 -d 2s $gz >/dev/null    # warm the in-process tier
	c0=$(cpu)
	l0=$(cut -d' ' -f1 /proc/loadavg)
	out=$(load -paths "$tmp/$paths" -c 32 -d "${secs}s" $gz)
	c1=$(cpu)
	l1=$(cut -d' ' -f1 /proc/loadavg)
	python3 - "$name" "$out" "$c0" "$c1" "$tck" "$l0" "$l1" <<'PY'
import json, sys
name, out, c0, c1, tck, l0, l1 = sys.argv[1:]
r = json.loads(out)
us = (int(c1) - int(c0)) / int(tck) * 1e6 / max(r["requests"], 1)
print(f"{name:13} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:5.2f} ms  p99 {r['p99_ms']:6.2f} ms  "
      f"serve CPU {us:6.1f} µs/req  load {l0}-{l1}  statuses {r['statuses']}  x_cache {r['x_cache']}")
PY
done
