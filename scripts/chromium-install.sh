#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (for the UI's end-to-end test
# and benchmark). Idempotent: does nothing when it is already there.
# Installs with apt-get as root (or through passwordless sudo).
set -euo pipefail
bin=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$bin" ]; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "chromium-install: $bin is missing and this user cannot install packages: run 'apt-get install -y chromium' as root" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null; then
	echo "chromium-install: $bin is missing and apt-get is not available: install Chromium and set CHROMIUM_PATH" >&2
	exit 1
fi
echo "chromium-install: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x "$bin" ] || { echo "chromium-install: installed, but $bin is still missing" >&2; exit 1; }
