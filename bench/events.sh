#!/usr/bin/env bash
# bench/events.sh - the event feed (issue 14): reading it, and 10,000 idle
# long-polls held by the server.
#
#   bash bench/events.sh                   # 3 rounds, ~2.5 minutes each
#   ROUNDS=1 LONGPOLLS=2000 bash bench/events.sh
#
# Builds dropline (Release) into bench/.data/build and the bench programs
# (load, feed, longpoll) into bench/.data/bin, as bench/run.sh does, and uses
# the same cached database of $ORDERS orders (bench/.data/orders-$ORDERS.db,
# made by `dropline demo` and `load fill` when missing or stale). Each round:
#  1. copies it, makes a retailer 500 key, starts
#     dropline serve --threads 2 --rate-limit 0 --max-connections (LONGPOLLS + 1024);
#  2. warms up (5 s of GET one order, not measured), then writes events:
#     $EVENT_SECONDS s of POST order (bench/post_order.lua, 8 connections;
#     one order.created event each, its data the whole order);
#  3. feed: bench/feed.c reads retailer 500's feed at limit=250 following
#     `next` (from after=0, again from 0 at its end), 1 reader then 4, for
#     $DURATION s each: events/s, page p50/p99;
#  4. long-polls: VmHWM reset (/proc/PID/clear_refs), then bench/longpoll.c:
#     GET one order on 8 connections for $HOLD_SECONDS s ("without"), opens
#     $LONGPOLLS long-polls (after=the newest event, wait=30, each sent again
#     as it is answered), then the same GET load for $HOLD_SECONDS s ("with"),
#     longer than 30 s so that every long-poll is answered and sent again at
#     least once while GET is measured. Server VmRSS sampled every 0.5 s.
# Prints one table; also saved as bench/.data/events-<UTC time>.md. Every step
# is bounded by `timeout`; Ctrl-C stops everything it started.
#
# Knobs: ROUNDS (3), DURATION (10), EVENT_SECONDS (10), LONGPOLLS (10000),
# HOLD_SECONDS (40), ORDERS (1000000).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
EVENT_SECONDS=${EVENT_SECONDS:-10}
LONGPOLLS=${LONGPOLLS:-10000}
HOLD_SECONDS=${HOLD_SECONDS:-40}
ORDERS=${ORDERS:-1000000}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
data="$here/.data"
mkdir -p "$data/bin"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1; }

as_root=()
[[ "$(id -u)" -eq 0 ]] || as_root=(sudo)
if ! need gcc || ! need cmake || ! need curl || ! need pkg-config ||
    ! pkg-config --exists libmicrohttpd jansson sqlite3 libsodium; then
    log "installing dropline's build dependencies (scripts/install-deps.sh)"
    timeout --foreground 900 bash "$root/scripts/install-deps.sh"
fi
if ! need wrk; then
    log "installing wrk"
    export DEBIAN_FRONTEND=noninteractive
    timeout --foreground 900 "${as_root[@]}" apt-get update -qq
    timeout --foreground 900 "${as_root[@]}" apt-get install -y -qq wrk >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]+"${pids[@]}"}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${pids[@]+"${pids[@]}"}"; do
        for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
    rm -f "$data/events-run.db" "$data/events-run.db-wal" "$data/events-run.db-shm"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# --- build ------------------------------------------------------------------------
log "building dropline (Release) and the bench programs"
timeout 900 cmake -S "$root" -B "$data/build" -DCMAKE_BUILD_TYPE=Release \
    -DDROPLINE_TESTS=OFF >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log" >&2; exit 1; }
timeout 900 cmake --build "$data/build" -j"$(nproc)" >>"$tmp/cmake.log" 2>&1 ||
    { tail -40 "$tmp/cmake.log" >&2; exit 1; }
dropline="$data/build/dropline"
cflags=(-std=c17 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE)
# shellcheck disable=SC2046
timeout 300 gcc "${cflags[@]}" "$here/load.c" -o "$data/bin/load" $(pkg-config --cflags --libs sqlite3)
timeout 300 gcc "${cflags[@]}" "$here/feed.c" -o "$data/bin/feed" -lpthread
timeout 300 gcc "${cflags[@]}" "$here/longpoll.c" -o "$data/bin/longpoll" -lpthread

# --- the database (the same cache as bench/run.sh) ---------------------------------
db="$data/orders-$ORDERS.db"
stamp=$(cat "$here/load.c" "$root"/migrations/*.sql "$root/data/demo_catalog.json" |
    sha256sum | cut -c1-16)
if [[ ! -f "$db" || "$(cat "$db.stamp" 2>/dev/null)" != "$stamp" ]]; then
    log "making $db ($ORDERS orders; cached for the next runs)"
    rm -f "$db" "$db.stamp" "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
    timeout 300 "$dropline" demo --db "$db.tmp" >"$tmp/demo.log" 2>&1 ||
        { cat "$tmp/demo.log" >&2; exit 1; }
    timeout 900 "$data/bin/load" fill "$db.tmp" "$ORDERS"
    mv "$db.tmp" "$db"
    echo "$stamp" >"$db.stamp"
fi

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
word() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

results="$tmp/results.tsv" # round, feed1 ev/s, p50, p99, feed4 ev/s, p50, p99, events,
:>"$results"               # rss base, rss held, hwm, get p99 without, with, p50s, answers, errors
run_db="$data/events-run.db"
started=$(date -u +%Y-%m-%dT%H:%MZ)
loads=""

for ((r = 1; r <= ROUNDS; r++)); do
    log "round $r: copying the database"
    rm -f "$run_db" "$run_db-wal" "$run_db-shm"
    timeout 600 cp "$db" "$run_db"
    key=$(timeout 60 "$dropline" keys create --retailer 500 --db "$run_db" 2>/dev/null)
    port=$(free_port)
    "$dropline" serve --db "$run_db" --listen "127.0.0.1:$port" --threads 2 --rate-limit 0 \
        --max-connections $((LONGPOLLS + 1024)) 2>"$tmp/server.log" &
    srv=$!
    pids+=("$srv")
    for _ in $(seq 1 100); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" && break
        sleep 0.1
    done
    base="http://127.0.0.1:$port"
    loads+="${loads:+; }round $r: $(cut -d' ' -f1-3 /proc/loadavg)"
    log "round $r: warming up, then $EVENT_SECONDS s of POST order to write events"
    DL_KEY=$key DL_MAX_ID=$ORDERS timeout 60 wrk -t2 -c8 -d5s -s "$here/get_order.lua" "$base" \
        >/dev/null 2>&1 || true
    DL_KEY=$key DL_RUN="e$(date -u +%H%M%S)" timeout $((EVENT_SECONDS + 60)) wrk -t2 -c8 \
        -d"${EVENT_SECONDS}s" -s "$here/post_order.lua" "$base" >/dev/null 2>&1 || true
    events=$("$data/bin/load" last-event "$run_db")
    log "round $r: $events events; reading the feed"
    f1=$(timeout $((DURATION + 120)) "$data/bin/feed" "$port" "$key" 1 "$DURATION")
    f4=$(timeout $((DURATION + 120)) "$data/bin/feed" "$port" "$key" 4 "$DURATION")
    log "round $r: 1 reader: $f1"
    log "round $r: 4 readers: $f4"
    echo 5 >"/proc/$srv/clear_refs" 2>/dev/null || true
    log "round $r: $LONGPOLLS long-polls (${HOLD_SECONDS} s of GET without them, ${HOLD_SECONDS} s with)"
    DL_AFTER=$events DL_MAX_ID=$ORDERS timeout $((2 * HOLD_SECONDS + 180)) \
        "$data/bin/longpoll" "$port" "$srv" "$key" "$LONGPOLLS" "$HOLD_SECONDS" >"$tmp/lp.out"
    cat "$tmp/lp.out" >&2
    without=$(grep '^phase=without get_' "$tmp/lp.out")
    without_rss=$(grep '^phase=without rss' "$tmp/lp.out")
    opened=$(grep '^phase=open' "$tmp/lp.out")
    with=$(grep '^phase=with get_' "$tmp/lp.out")
    with_lp=$(grep '^phase=with longpolls' "$tmp/lp.out")
    errors=$(($(word "$without" get_errors) + $(word "$with" get_errors) + $(word "$with_lp" errors)))
    non200=$(($(word "$without" get_non200) + $(word "$with" get_non200)))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" \
        "$(word "$f1" events_per_s)" "$(word "$f1" page_p50_ms)" "$(word "$f1" page_p99_ms)" \
        "$(word "$f4" events_per_s)" "$(word "$f4" page_p50_ms)" "$(word "$f4" page_p99_ms)" \
        "$events" "$(word "$without_rss" hwm_kib)" "$(word "$opened" rss_kib)" \
        "$(word "$with_lp" hwm_kib)" "$(word "$without" get_p99_ms)" "$(word "$with" get_p99_ms)" \
        "$(word "$without" get_p50_ms)" "$(word "$with" get_p50_ms)" \
        "$(word "$with_lp" answered_200)" "$errors" "$non200" >>"$results"
    kill -TERM "$srv"
    wait "$srv" || log "round $r: server exit status $?"
    pids=()
    grep -v '"method"' "$tmp/server.log" | grep -v '^dropline' | head -5 >&2 || true
done

out="$data/events-$(date -u +%Y%m%dT%H%M%SZ).md"
{
    echo "# bench/events.sh, $started to $(date -u +%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo
    echo "- $(nproc) cores, $(uname -sr); load average (1, 5, 15 min) at each round's start: $loads"
    echo "- $ORDERS orders; feed: limit=250, $DURATION s a run; $LONGPOLLS long-polls (wait=30), GET one order on 8 connections for $HOLD_SECONDS s without and with them"
    echo
    echo "| round | events in the feed | feed, 1 reader: events/s | page p50 / p99 ms | feed, 4 readers: events/s | page p50 / p99 ms | RSS before (VmHWM) MiB | RSS with the long-polls held MiB | VmHWM with them MiB | GET p99 without / with ms | GET p50 without / with ms | long-polls answered 200 | errors | non-200 GET |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '{printf "| %s | %s | %s | %s / %s | %s | %s / %s | %.1f | %.1f | %.1f | %s / %s | %s / %s | %s | %s | %s |\n",
        $1, $8, $2, $3, $4, $5, $6, $7, $9 / 1024, $10 / 1024, $11 / 1024, $12, $13, $14, $15, $16, $17, $18}' "$results"
    echo
    awk -F'\t' -v n="$LONGPOLLS" '{ if ($11 / 1024 > mx) mx = $11 / 1024; d = ($11 - $9) / 1024; if (d > dmx) dmx = d }
        END { printf "Target: %d idle long-polls held with RSS within the budget (64 MiB) plus 64 MiB = 128 MiB: largest VmHWM %.1f MiB: %s; largest growth over the same server without them %.1f MiB: %s.\n",
              n, mx, (mx <= 128 ? "MET" : "MISSED"), dmx, (dmx <= 64 ? "MET" : "MISSED") }' "$results"
} | tee "$out"
log "saved to $out"
