#!/usr/bin/env bash
# bench/webhooks.sh - webhook delivery on this machine (issue 15): deliveries
# per second to a local receiver with 1 subscription and with 100, and the
# lag from a write's commit to its event's receipt, p50 and p99.
#
#   bash bench/webhooks.sh [BUILD_DIR]
#
# Builds dropline (Release) into BUILD_DIR (default bench/.data/build-webhooks)
# unless it is there, serves a fresh demo database on a free loopback port
# with --webhook-allow-http --webhook-allow-private --webhook-retry-base 0.05,
# and runs bench/webhooks.py (the receiver is Python's ThreadingHTTPServer in
# the same process as the client, so the figures are a floor for the server).
# Knobs: BACKLOG (events per subscription for throughput, default 300),
# LAG_ORDERS (default 300). Loopback only; every step bounded by `timeout`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${1:-$here/.data/build-webhooks}
if [ ! -x "$build/dropline" ]; then
	cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DDROPLINE_TESTS=OFF >/dev/null
	timeout 900 cmake --build "$build" -j2 --target dropline >/dev/null
fi
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
db=$work/bench.db
"$build/dropline" demo --db "$db" >/dev/null
RKEY=$("$build/dropline" keys create --retailer 500 --db "$db")
BKEY=$("$build/dropline" keys create --brand 501 --db "$db")
export RKEY BKEY
"$build/dropline" serve --db "$db" --listen 127.0.0.1:0 --rate-limit 0 --threads 2 \
	--webhook-allow-http --webhook-allow-private --webhook-retry-base 0.05 2>"$work/serve.err" &
pid=$!
for _ in $(seq 200); do
	port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$work/serve.err" | head -1)
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "${port:-}" ] || { cat "$work/serve.err" >&2; exit 1; }
export DROPLINE_PORT=$port
echo "dropline $("$build/dropline" --version 2>&1 | head -1), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
timeout 1200 python3 "$here/webhooks.py"
