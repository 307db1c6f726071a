#!/usr/bin/env bash
# Makes sure Debian's poppler-utils (pdftotext, pdffonts) are installed: the
# credit report's PDF test extracts the PDF's text with them. Idempotent:
# does nothing when they are there. Installs with apt-get as root (or
# through passwordless sudo).
set -euo pipefail
if command -v pdftotext >/dev/null && command -v pdffonts >/dev/null; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "pdf-tools-install: pdftotext is missing and this user cannot install packages: run 'apt-get install -y poppler-utils' as root" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null; then
	echo "pdf-tools-install: pdftotext is missing and apt-get is not available: install poppler-utils" >&2
	exit 1
fi
echo "pdf-tools-install: installing Debian's poppler-utils"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
command -v pdftotext >/dev/null || { echo "pdf-tools-install: installed, but pdftotext is still missing" >&2; exit 1; }
