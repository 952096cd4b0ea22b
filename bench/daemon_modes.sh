#!/usr/bin/env bash
# bench/daemon_modes.sh - compare libmicrohttpd daemon modes on this machine.
#
# Builds bench/daemon_modes.c into a temp dir, then for each round, each
# connection count and each mode (order rotated every round so the modes are
# interleaved) starts the server on a free loopback port, drives it with
# `wrk -t2 -cN -d10s --latency`, stops it with SIGTERM and prints one row:
#   mode, connections, requests/s, p50 and p99 latency (ms), server CPU µs per
#   request (getrusage of the server process / requests answered).
# Ends with a curl -v check that pool-epoll keeps the connection alive.
#
# Environment knobs: ROUNDS (default 1), DURATION (wrk -d, default 10s),
#   CONNS (default "8 64"), MODES (default all four), THREADS (wrk -t, 2).
# Only loopback traffic; every step is bounded by `timeout`.
set -euo pipefail

ROUNDS=${ROUNDS:-1}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-"8 64"}
THREADS=${THREADS:-2}
read -r -a MODES <<<"${MODES:-pool-epoll per-connection single-epoll pool-poll}"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk; then
    if ! apt-get install -y wrk >/dev/null 2>&1; then
        apt-get update >/dev/null 2>&1 || true
        apt-get install -y wrk >/dev/null
    fi
fi
for t in wrk curl gcc pkg-config timeout; do
    need "$t" || { echo "missing tool: $t" >&2; exit 1; }
done

tmp=$(mktemp -d)
srv_pid=
cleanup() {
    if [[ -n "$srv_pid" ]] && kill -0 "$srv_pid" 2>/dev/null; then
        kill -TERM "$srv_pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$srv_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck disable=SC2046
gcc -std=c17 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    "$here/daemon_modes.c" -o "$tmp/daemon_modes" \
    $(pkg-config --cflags --libs libmicrohttpd) -lpthread
bin="$tmp/daemon_modes"

# A port nothing listens on (checked by connecting to it).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    echo "no free port found" >&2
    return 1
}

# start_server MODE -> sets srv_pid, port; server stderr in $tmp/srv.err
start_server() {
    local mode=$1 try
    for try in 1 2 3; do
        port=$(free_port)
        : >"$tmp/srv.err"
        "$bin" "$mode" "$port" 2>"$tmp/srv.err" &
        srv_pid=$!
        for _ in $(seq 1 50); do
            if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
                return 0
            fi
            kill -0 "$srv_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
        echo "server $mode failed to start on $port (try $try):" >&2
        cat "$tmp/srv.err" >&2
    done
    return 1
}

# stop_server -> prints "cpu_us requests"
stop_server() {
    kill -TERM "$srv_pid"
    for _ in $(seq 1 100); do
        kill -0 "$srv_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$srv_pid" 2>/dev/null; then
        echo "server did not stop on SIGTERM, killing" >&2
        kill -KILL "$srv_pid" 2>/dev/null || true
    fi
    wait "$srv_pid" 2>/dev/null || true
    srv_pid=
    sed -n 's/^cpu_us=\([0-9]*\) requests=\([0-9]*\)$/\1 \2/p' "$tmp/srv.err"
}

# wrk latency value ("812.00us", "1.23ms", "2.00s") -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
        else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000;
        printf "%.3f", n }'
}

echo "# libmicrohttpd $(pkg-config --modversion libmicrohttpd), wrk -t$THREADS -d$DURATION --latency," \
    "$(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '| %-5s | %-14s | %5s | %10s | %8s | %8s | %11s | %6s | %5s |\n' \
    round mode conns req/s p50_ms p99_ms cpu_us/req errors load1
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------: ---------------- ------: \
    -----------: ---------: ---------: ------------: -------: ------:

nmodes=${#MODES[@]}
for ((r = 1; r <= ROUNDS; r++)); do
    for c in $CONNS; do
        for ((k = 0; k < nmodes; k++)); do
            mode=${MODES[$(((k + r - 1) % nmodes))]}
            load1=$(cut -d' ' -f1 /proc/loadavg)
            start_server "$mode"
            timeout 60 wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency \
                "http://127.0.0.1:$port/" >"$tmp/wrk.out" 2>&1 || true
            read -r cpu reqs < <(stop_server; echo) || true
            rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out")
            p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.out")
            p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
            errs=$(awk '/Socket errors:/ {gsub(",", ""); s += $4 + $6 + $8 + $10}
                        /Non-2xx/ {s += $NF} END {print s + 0}' "$tmp/wrk.out")
            if [[ -z "$rps" || -z "${reqs:-}" || "${reqs:-0}" -eq 0 ]]; then
                echo "run failed: mode=$mode conns=$c" >&2
                cat "$tmp/wrk.out" "$tmp/srv.err" >&2
                continue
            fi
            cpu_per=$(awk -v a="$cpu" -v b="$reqs" 'BEGIN {printf "%.1f", a / b}')
            printf '| %5d | %-14s | %5d | %10.0f | %8s | %8s | %11s | %6d | %5s |\n' \
                "$r" "$mode" "$c" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" \
                "$cpu_per" "$errs" "$load1"
            sleep 1
        done
    done
done

# Keep-alive check: two URLs in one curl invocation against pool-epoll.
start_server pool-epoll
timeout 20 curl -sv --max-time 10 -o /dev/null -o /dev/null \
    "http://127.0.0.1:$port/" "http://127.0.0.1:$port/again" >"$tmp/curl.out" 2>&1 || true
stop_server >/dev/null
if grep -q "Re-using existing connection" "$tmp/curl.out" &&
    ! grep -qi "^< Connection: close" "$tmp/curl.out"; then
    echo "keep-alive (pool-epoll): OK - second request re-used the connection, no 'Connection: close'"
else
    echo "keep-alive (pool-epoll): FAILED"
    grep -E '^[<>*]' "$tmp/curl.out" >&2 || true
    exit 1
fi
