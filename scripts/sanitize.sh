#!/usr/bin/env bash
# Builds the project with sanitizers and runs the tests that exercise it; any report fails.
#   scripts/sanitize.sh address   ASan + UBSan: unit, e2e and fault tests (build-asan/)
#   scripts/sanitize.sh thread    TSan: poll, expose, app, storage, e2e and fault tests (build-tsan/)
# The docker, Prometheus/Alertmanager, demo, docs and style tests add nothing under a
# sanitizer and are left to the normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: $0 address|thread}
jobs=${JOBS:-$(nproc)}

case $mode in
  address) sanitize=address,undefined dir=build-asan ;;
  thread) sanitize=thread dir=build-tsan ;;
  *) echo "usage: $0 address|thread" >&2; exit 2 ;;
esac

cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMQ_SANITIZE="$sanitize" \
  -DVMQ_BUILD_BENCH=OFF ${CMAKE_ARGS:-} >/dev/null

# Reports end the process with a failure; the tests' own children inherit these.
export ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# atexit_sleep_ms=0: TSan otherwise sleeps 1 s at exit whenever another thread still runs, and
# the exporter leaves a resolver thread stuck in getaddrinfo behind (dns_hang_sigterm).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:atexit_sleep_ms=0:suppressions=$PWD/scripts/sanitizers/tsan.supp"
# Tests that bound memory or latency know they run slower and bigger here.
export VMQ_UNDER_SANITIZER=$mode

if [[ $mode == address ]]; then
  cmake --build "$dir" -j "$jobs"
  cd "$dir"
  ctest --output-on-failure --timeout 600 -j "$jobs" -LE 'docker|integration|demo|docs|style'
else
  targets=(vernemq-pubcomp-exporter vmq-sim poll_test expose_test app_test storage_test e2e_test
           window_gap_e2e_test restart_e2e_test)
  while read -r t; do targets+=("$t"); done < <(
    sed -n 's/^vmq_add_test(NAME \([a-z_]*\).*/\1/p' tests/faults/*/CMakeLists.txt 2>/dev/null)
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  cd "$dir"
  ./bin/poll_test
  ./bin/expose_test
  ./bin/app_test
  ./bin/storage_test
  # One at a time: TSan slows every process 5-15x and these tests wait on real time. The
  # 74 MB page case needs polls that take seconds under TSan; it runs in the other builds.
  ctest --output-on-failure --timeout 600 -j 1 -L 'e2e|faults' -E NineThousandSeries
fi
