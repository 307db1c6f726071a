#!/usr/bin/env bash
# Builds the web UI (web/) into web/dist/app, which the binary embeds
# (//go:embed in web/embed.go): npm ci from the lock file when node_modules
# is missing or older than the lock file, then the Vite build.
# Needs Node.js 20+ and npm; the network only for npm ci, never at run time.
# Usage: scripts/web-build.sh [--if-possible]
set -euo pipefail
cd "$(dirname "$0")/../web"
# --if-possible (make run): without npm, warn and go on; the binary then
# serves a page saying how to build the UI.
if ! command -v npm >/dev/null; then
	if [ "${1:-}" = --if-possible ]; then
		echo "web-build: WARNING: npm not found: the UI is not built (install Node.js 20+, then make web); the API works without it" >&2
		exit 0
	fi
	echo "web-build: npm not found: install Node.js 20+ to build the UI (docs/ui.md)" >&2
	exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
echo "web-build: web/dist/app built ($(du -sk dist/app | cut -f1) KiB)"
