#!/bin/sh
# fuzz/run.sh TARGET SECONDS [LIBFUZZER_FLAGS...]
#
# Builds the libFuzzer targets (clang, ASan + UBSan, -DVMQ_FUZZ=ON) in build-fuzz/ and runs
# fuzz_TARGET for SECONDS (default 60). TARGET is textformat, config or web_config.
# New interesting inputs go to build-fuzz/corpus/TARGET (fuzz/TARGET/corpus, the seeds kept in
# the repository, is only read); a crash, timeout or out-of-memory input is written to
# fuzz/TARGET/crashes/, where the replay ctest (fuzz_replay_TARGET) picks it up.
# Extra flags go to libFuzzer, e.g. `-fork=2 -ignore_crashes=1` to collect many crashes.
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 TARGET [SECONDS] [LIBFUZZER_FLAGS...]" >&2
  exit 2
fi
target=$1
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift 1
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
fuzz=$root/fuzz/$target
if [ ! -d "$fuzz/corpus" ]; then
  echo "$0: unknown target $target (no $fuzz/corpus)" >&2
  exit 2
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++}" -DVMQ_FUZZ=ON >/dev/null
fi
cmake --build "$build" --target "fuzz_$target" -j "${JOBS:-2}"

work=$build/corpus/$target
mkdir -p "$work" "$fuzz/crashes"
set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$fuzz/crashes/" "$@"
if [ -f "$fuzz/$target.dict" ]; then set -- -dict="$fuzz/$target.dict" "$@"; fi
exec nice "$build/bin/fuzz_$target" "$@" "$work" "$fuzz/corpus"
