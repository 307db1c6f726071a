#!/usr/bin/env bash
# Builds the web UI (web/) into web/dist/app, which the binary embeds
# (//go:embed in web/embed.go): npm ci from the lock file when node_modules
# is missing or older than the lock file, then the Vite build.
# Needs Node.js 20+ and npm; the network only for npm ci, never at run time.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
	echo "web-build: npm not found: install Node.js 20+ to build the UI (docs/ui.md)" >&2
	exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
echo "web-build: web/dist/app built ($(du -sk dist/app | cut -f1) KiB)"
