#!/usr/bin/env bash
# UI measures (benchmarks/RESULTS.md, "UI"): initial page load bytes and a
# 2 000-node neighbourhood in headless Chromium against riskgraph demo.
# Installs Chromium and the npm packages when missing, like the E2E test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/chromium-install.sh
scripts/web-build.sh
mkdir -p .services
go build -o .services/riskgraph-e2e ./cmd/riskgraph
cd web
RISKGRAPH_BIN="$root/.services/riskgraph-e2e" node e2e/bench.mjs
