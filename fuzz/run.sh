#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ and runs each for a bounded time.
#
#   fuzz/run.sh [SECONDS] [BUILD_DIR] [HARNESS...]
#
#   SECONDS    time per harness (libFuzzer -max_total_time), default 20
#   BUILD_DIR  where to configure and build, default <repo>/build-fuzz
#   HARNESS    which harnesses to run (default: all of them)
#
# Environment:
#   FUZZ_JOBS  harnesses run at once (default: the number of CPUs, at most 4)
#   FUZZ_CC    the compiler, default clang (libFuzzer needs clang; CC is not
#              used, so that a CC=gcc of the environment cannot get in the way)
#
# Each harness fuzzes a temporary copy of fuzz/corpus/<harness>/, so the
# repository's corpus is never modified. Inputs kept in fuzz/crashes/<harness>/
# are replayed first as regression inputs. Prints, per harness, the executions,
# executions per second, final corpus size and "crashes: 0" or the crash (the
# sanitizer report's head and the saved input, under
# BUILD_DIR/fuzz-artifacts/<harness>/). Exits 1 when any harness crashed,
# 2 when the build failed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
seconds=${1:-20}
build=${2:-$repo/build-fuzz}
shift $(($# < 2 ? $# : 2))
case $seconds in
'' | *[!0-9]* | 0)
	# (libFuzzer reads -max_total_time=0 as "no limit")
	echo "run.sh: SECONDS must be a whole number of at least 1, not '$seconds'" >&2
	exit 2
	;;
esac
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
	harnesses=(fuzz_order_body fuzz_line_changes fuzz_query fuzz_router fuzz_auth
		fuzz_money fuzz_time fuzz_cursor fuzz_catalog fuzz_request fuzz_webhook_body)
fi
cpus=$(nproc 2>/dev/null || echo 1)
jobs=${FUZZ_JOBS:-$((cpus > 4 ? 4 : cpus))}

export CC=${FUZZ_CC:-clang}
# UBSan findings with their stack, and the harness's leaks reported.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "run.sh: $CC not found; on Debian 12: apt-get install clang-14 libclang-rt-14-dev" >&2
	exit 2
fi

echo "== building the harnesses in $build"
mkdir -p "$build"
if ! cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDROPLINE_FUZZ=ON \
	-DDROPLINE_TESTS=OFF -DDROPLINE_WERROR=OFF >"$build/fuzz-configure.log" 2>&1; then
	cat "$build/fuzz-configure.log" >&2
	echo "run.sh: configure failed" >&2
	exit 2
fi
if ! cmake --build "$build" --target fuzz -j "$cpus" >"$build/fuzz-build.log" 2>&1; then
	tail -50 "$build/fuzz-build.log" >&2
	echo "run.sh: build failed" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dropline-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

# Runs one harness; leaves its log in $work/<name>.log and its status in $work/<name>.rc.
run_one() {
	local name=$1 bin=$build/fuzz/$1 rc=0
	local corpus=$work/$name-corpus log=$work/$name.log
	mkdir -p "$corpus" "$artifacts/$name" "$work/$name-tmp"
	if [ -d "$here/corpus/$name" ]; then
		cp -R "$here/corpus/$name/." "$corpus/"
	fi
	: >"$log"
	: >"$log.start"
	# Known crashing inputs first: each must not crash any more. One that
	# still does fails the harness, which is then fuzzed all the same.
	if [ -d "$here/crashes/$name" ]; then
		for input in "$here/crashes/$name"/*; do
			[ -f "$input" ] || continue
			if ! TMPDIR=$work/$name-tmp "$bin" -runs=1 "$input" >"$log.known" 2>&1; then
				rc=1
				{
					echo "KNOWN CRASH still reproduces: fuzz/crashes/$name/$(basename "$input")"
					cat "$log.known"
				} >>"$log"
			fi
		done
	fi
	local dict=()
	if [ -f "$here/dict/$name.dict" ]; then
		dict=("-dict=$here/dict/$name.dict")
	fi
	local fuzz_rc=0
	TMPDIR=$work/$name-tmp "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$name/" "${dict[@]}" \
		"$corpus" >>"$log" 2>&1 || fuzz_rc=$?
	[ $fuzz_rc -ne 0 ] && rc=$fuzz_rc
	echo $rc >"$work/$name.rc"
	ls "$corpus" | wc -l >"$work/$name.corpus"
}

echo "== fuzzing ${#harnesses[@]} harnesses, ${seconds} s each, $jobs at a time"
running=0
for name in "${harnesses[@]}"; do
	if [ ! -x "$build/fuzz/$name" ]; then
		echo "run.sh: no harness $name in $build/fuzz" >&2
		exit 2
	fi
	run_one "$name" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
printf '%-18s %12s %9s %7s  %s\n' harness executions exec/s corpus result
for name in "${harnesses[@]}"; do
	log=$work/$name.log
	rc=$(cat "$work/$name.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	corpus=$(cat "$work/$name.corpus" 2>/dev/null || echo -)
	if [ "$rc" = 0 ]; then
		printf '%-18s %12s %9s %7s  %s\n' "$name" "${execs:--}" "${rate:--}" "$corpus" "crashes: 0"
	else
		failed=1
		printf '%-18s %12s %9s %7s  %s\n' "$name" "${execs:--}" "${rate:--}" "$corpus" \
			"CRASH (exit $rc)"
	fi
done
for name in "${harnesses[@]}"; do
	rc=$(cat "$work/$name.rc" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] && continue
	echo
	echo "== $name crashed; the report:"
	grep -E -A25 'KNOWN CRASH|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz invariant failed' \
		"$work/$name.log" | grep -vE '^(INFO|MERGE|Running|Executed|#)' | head -80
	echo "-- saved inputs:"
	saved=$(find "$artifacts/$name" -type f -newer "$work/$name.log.start" 2>/dev/null)
	if [ -n "$saved" ]; then
		echo "$saved"
	elif grep -q "KNOWN CRASH" "$work/$name.log"; then
		echo "(only known inputs of fuzz/crashes/$name: fix the bugs they show)"
	else
		echo "(none saved: see the report)"
	fi
	echo "-- reproduce: $build/fuzz/$name <input>"
done
exit $failed
