#!/usr/bin/env bash
# Static checks, run by CI: formatting (.clang-format), cppcheck, and
# clang-tidy with the check set of .clang-tidy. Exits non-zero on a finding.
set -euo pipefail
cd "$(dirname "$0")/.."

sources=$(git ls-files 'src/*.c' 'src/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h')

echo "lint: clang-format"
unformatted=""
for f in $sources; do
	clang-format --style=file "$f" | cmp -s - "$f" || unformatted="$unformatted $f"
done
if [ -n "$unformatted" ]; then
	echo "not formatted (run clang-format -i):$unformatted" >&2
	exit 1
fi

echo "lint: cppcheck"
cppcheck --quiet --enable=warning,performance,portability --inline-suppr --std=c11 \
	-I include -D_POSIX_C_SOURCE=200809L --error-exitcode=1 src

echo "lint: clang-tidy"
build=${LINT_BUILD_DIR:-build-lint}
cmake -S . -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DDROPLINE_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
clang-tidy -p "$build" --quiet $(git ls-files 'src/*.c') 2>/dev/null
echo "lint: clean"
