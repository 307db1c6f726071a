#!/usr/bin/env bash
# Makes sure Debian's chromium and a CJK font are installed (for the UI's
# end-to-end test, its screenshots and the benchmark: pages show Chinese
# text). Idempotent: does nothing when both are there. Installs with apt-get
# as root (or through passwordless sudo).
set -euo pipefail
bin=${CHROMIUM_PATH:-/usr/bin/chromium}
has_cjk_font() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]; }
if [ -x "$bin" ] && has_cjk_font; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "chromium-install: $bin or a Chinese font is missing and this user cannot install packages: run 'apt-get install -y chromium fonts-wqy-microhei' as root" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null; then
	echo "chromium-install: $bin or a Chinese font is missing and apt-get is not available: install Chromium and a CJK font, and set CHROMIUM_PATH" >&2
	exit 1
fi
pkgs=()
[ -x "$bin" ] || pkgs+=(chromium)
has_cjk_font || pkgs+=(fontconfig fonts-wqy-microhei)
echo "chromium-install: installing Debian's ${pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
[ -x "$bin" ] || { echo "chromium-install: installed, but $bin is still missing" >&2; exit 1; }
has_cjk_font || { echo "chromium-install: installed, but fc-list finds no Chinese font" >&2; exit 1; }
