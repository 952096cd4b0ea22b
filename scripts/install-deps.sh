#!/usr/bin/env bash
# Installs what Dropline needs to build, run and test on Debian 12, when it
# is not there yet. Runs apt-get through sudo when not root.
set -euo pipefail

# scdoc builds the man page dropline(1); python3-jsonschema, python3-yaml and
# jq run the tests of the API's description (tests/openapi: docs/openapi.yaml
# against the server, docs/api.md's examples).
packages=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev
	libsqlite3-dev libsodium-dev check libcurl4-openssl-dev sqlite3 curl openssl scdoc
	python3 python3-jsonschema python3-yaml jq)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
