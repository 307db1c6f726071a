#!/usr/bin/env bash
# Outside conformance of the HTTP API (part of make test; docs/api.md,
# "Conformance"): starts riskgraph on a small synthetic sample with an API
# key per role, then
#   1. runs Schemathesis (pinned, scripts/python-tools.sh) with every check
#      against /api/v1/openapi.json once per role's key: no 5xx, statuses,
#      content types, headers and bodies as documented, 405s, refused
#      unauthorised access, stateful walks along the document's links;
#   2. generates a Python client from the document with
#      openapi-python-client and runs scripts/api/client_check.py with it
#      (search, profile, risk, network, a batch lookup, a report listing).
# Fixed seed, bounded examples. Under CI=true a failed install fails the run;
# otherwise it skips with a message.
#
# Usage: scripts/api-conformance.sh [--store memory|neo4j]
#   memory (default): riskgraph demo on its embedded store.
#   neo4j: the same sample ingested into NEO4J_URI (default
#          bolt://127.0.0.1:7687), scored, then riskgraph serve.
# Env: API_CONFORMANCE_EXAMPLES (default 8), API_CONFORMANCE_SEED (default 20),
#      API_CONFORMANCE_ENTERPRISES (default 300).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
store=memory
if [ "${1:-}" = --store ]; then store=${2:?--store memory|neo4j}; fi
examples=${API_CONFORMANCE_EXAMPLES:-8}
seed=${API_CONFORMANCE_SEED:-20}
enterprises=${API_CONFORMANCE_ENTERPRISES:-300}
say() { printf '[api-conformance] %s\n' "$*"; }
started=$(date +%s)

if ! bin_dir=$(scripts/python-tools.sh | tail -n 1); then
	if [ "${CI:-}" = true ]; then
		say "FAIL: the Python tools did not install"
		exit 1
	fi
	say "SKIP: the Python tools did not install (under CI=true this fails)"
	exit 0
fi

mkdir -p .services
bin=.services/riskgraph-api
go build -o "$bin" ./cmd/riskgraph
work=$(mktemp -d "${TMPDIR:-/tmp}/rg-api-XXXXXX")
data=$work/data
server_pid=
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ "${KEEP_API_CONFORMANCE:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# wait_up PORT: until /healthz answers (the server's log on failure).
wait_up() {
	for _ in $(seq 240); do
		if curl -sf "http://127.0.0.1:$1/healthz" >/dev/null; then return 0; fi
		if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
		sleep 0.5
	done
	say "FAIL: riskgraph did not come up on port $1"
	tail -n 40 "$work/server.log" >&2
	exit 1
}

# start ARGS…: run riskgraph ARGS in the background (server_pid).
start() {
	"$bin" "$@" --log-format json >"$work/server.log" 2>&1 &
	server_pid=$!
}

stop() {
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

export RISKGRAPH_STORE=$store
roles=(dashboard inspector checker writer admin)
case $store in
memory)
	unset NEO4J_URI
	export RISKGRAPH_STORE=memory
	port=$(free_port)
	# First start: generates, loads and scores the sample; then keys and a
	# report are made offline, and the server comes back with keys required.
	start demo --enterprises "$enterprises" --data-dir "$data" --addr "127.0.0.1:$port"
	wait_up "$port"
	stop
	for r in "${roles[@]}"; do
		"$bin" keys create --role "$r" --name "conformance-$r" --data-dir "$data" 2>&1 | grep -o 'rgk_[A-Za-z0-9_-]*' >"$work/key-$r"
	done
	"$bin" report --once --data-dir "$data" >"$work/report.log" 2>&1
	port=$(free_port)
	start demo --enterprises "$enterprises" --data-dir "$data" --addr "127.0.0.1:$port" --insecure-dev=false --auth-fail-limit -1
	;;
neo4j)
	export NEO4J_URI=${NEO4J_URI:-bolt://127.0.0.1:7687}
	"$bin" generate --enterprises "$enterprises" --seed 1 --out "$work/sample" >"$work/generate.log" 2>&1
	"$bin" ingest --source conformance --data-dir "$data" "$work/sample" >"$work/ingest.log" 2>&1
	"$bin" score --data-dir "$data" >"$work/score.log" 2>&1
	for r in "${roles[@]}"; do
		"$bin" keys create --role "$r" --name "conformance-$r" --data-dir "$data" 2>&1 | grep -o 'rgk_[A-Za-z0-9_-]*' >"$work/key-$r"
	done
	"$bin" report --once --data-dir "$data" >"$work/report.log" 2>&1
	port=$(free_port)
	start serve --data-dir "$data" --addr "127.0.0.1:$port" --auth-fail-limit -1
	;;
*)
	say "unknown store $store: use memory or neo4j"
	exit 2
	;;
esac
wait_up "$port"
base="http://127.0.0.1:$port"
say "riskgraph ($store store, $enterprises enterprises) on $base"
curl -sf "$base/api/v1/openapi.json" >"$work/openapi.json"

status=0
passed=0
failed=0
for r in "${roles[@]}"; do
	key=$(cat "$work/key-$r")
	t0=$(date +%s)
	if (cd "$work" && RISKGRAPH_CONFORMANCE_KEY=$key "$bin_dir/schemathesis" --config-file "$root/scripts/api/schemathesis.toml" run "$base/api/v1/openapi.json" \
		--checks all --max-examples "$examples" --seed "$seed" \
		--generation-database none --no-color --workers 1 --request-timeout 30 \
		--report junit --report-junit-path "$work/junit-$r.xml" >"$work/schemathesis-$r.log" 2>&1); then
		passed=$((passed + 1))
		say "schemathesis as $r: passed ($(tail -n 1 "$work/schemathesis-$r.log" | tr -d '=' | xargs); $(($(date +%s) - t0)) s)"
	else
		status=1
		failed=$((failed + 1))
		say "schemathesis as $r: FAILED; the report:"
		cat "$work/schemathesis-$r.log"
	fi
done

# The generated client: built from the served document, run as a user would.
rm -rf "$work/riskgraph_client"
if (cd "$work" && "$bin_dir/openapi-python-client" generate --path "$work/openapi.json" --output-path "$work/riskgraph_client" \
	--meta none --config "$root/scripts/api/client-config.yaml" >"$work/client-gen.log" 2>&1); then
	if PYTHONPATH="$work" RISKGRAPH_URL="$base" RISKGRAPH_KEY=$(cat "$work/key-inspector") RISKGRAPH_ADMIN_KEY=$(cat "$work/key-admin") \
		"$bin_dir/python" scripts/api/client_check.py; then
		passed=$((passed + 1))
		say "generated Python client: passed"
	else
		status=1
		failed=$((failed + 1))
		say "generated Python client: FAILED"
	fi
else
	status=1
	failed=$((failed + 1))
	say "openapi-python-client could not generate a client:"
	cat "$work/client-gen.log"
fi
say "took $(($(date +%s) - started)) s"
echo "api-conformance: $passed passed, $failed failed"
exit "$status"
