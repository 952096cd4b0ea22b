#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with warnings as
# errors under AddressSanitizer and UndefinedBehaviorSanitizer, and runs the
# whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DDROPLINE_SANITIZE=ON -DDROPLINE_WERROR=ON >/dev/null
cmake --build build-test -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd build-test
ctest --output-on-failure -j"$(nproc)"
