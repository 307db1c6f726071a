#!/usr/bin/env bash
# Bulk load benchmark (issue 19 §1; RESULTS.md, "Issue 19 §1"): riskgraph ingest --bulk-neo4j of
# the generator's data at N enterprises (default 1 000 000, ≈ 9.5 M rows), end to end: read,
# validate and map every row, write the import files, neo4j-admin database import full, swap the
# database in and start the server, create the schema and wait for its indexes.
#
#   benchmarks/bulk.sh [N]
#
# It runs on a Neo4j instance of its own (RISKGRAPH_NEO4J_INSTANCE=bench-bulk, Bolt
# $RISKGRAPH_BULK_BENCH_PORT, default 7689; the shared server on 7687 is never touched), started
# here with the default heap (2g) and page cache (1 GiB) and stopped at the end (KEEP=1 leaves it
# running). The generated files are kept in $TMPDIR/riskgraph-bulk-<N> for the next run; the
# import files go to a fresh directory that is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
PORT="${RISKGRAPH_BULK_BENCH_PORT:-7689}"
TMP="${TMPDIR:-/tmp}"
DATA="$TMP/riskgraph-bulk-$N"
BIN="$TMP/riskgraph-bulk-bench"
export RISKGRAPH_NEO4J_INSTANCE=bench-bulk RISKGRAPH_NEO4J_BOLT_PORT="$PORT"

go build -o "$BIN" ./cmd/riskgraph
if [[ ! -f "$DATA/enterprises.csv" ]]; then
  echo "[bulk-bench] generating $N enterprises into $DATA"
  rm -rf "$DATA"
  "$BIN" generate --enterprises "$N" --seed 1 --out "$DATA" >/dev/null
fi
rows=$(( $(cat "$DATA"/*.csv | wc -l) - $(ls "$DATA"/*.csv | wc -l) ))
echo "[bulk-bench] $N enterprises, $rows rows in $DATA"

scripts/neo4j-up.sh
if [[ "${KEEP:-0}" != 1 ]]; then
  trap 'scripts/neo4j-down.sh' EXIT
fi
OUT="$(mktemp -d "$TMP/riskgraph-bulk-import.XXXXXX")"
WORK="$(mktemp -d "$TMP/riskgraph-bulk-data.XXXXXX")"
echo "[bulk-bench] load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s%3N)
RISKGRAPH_PID_KEY=benchmark-key-0123456789 NEO4J_URI="bolt://127.0.0.1:$PORT" RISKGRAPH_LOG_LEVEL=warn \
  "$BIN" --data-dir "$WORK" ingest --progress none --source bench --bulk-neo4j "$OUT/files" --bulk-replace \
  --bulk-import scripts/neo4j-import.sh "$DATA"
end=$(date +%s%3N)
echo "[bulk-bench] load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "[bulk-bench] $rows rows in $(( end - start )) ms: $(( rows * 1000 / (end - start) )) rows/s end to end (wall clock of the command)"
grep -E 'COMPLETED in|IMPORT DONE' "$OUT/files/import.log" | sed 's/^/[bulk-bench] neo4j-admin: /' || true
rm -rf "$OUT" "$WORK"
