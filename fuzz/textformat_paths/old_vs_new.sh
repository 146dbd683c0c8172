#!/bin/sh
# fuzz/textformat_paths/old_vs_new.sh REV [SECONDS] [LIBFUZZER_FLAGS...]
#
# Differential fuzzing of the text-format parser across commits: builds src/textformat of REV
# (git archive, its namespace renamed to vmq::textformat_old by -Dtextformat=textformat_old)
# and of the work tree into one libFuzzer binary (clang, -O2, no sanitizer: speed is the point;
# fuzz/run.sh textformat_paths is the sanitized run) and fuzzes for SECONDS (default 300) on
# the seeds of fuzz/textformat_paths/corpus. Any difference in handler calls, statistics or
# error messages aborts and leaves the input in build-fuzz/old_vs_new/crash-*.
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 REV [SECONDS] [LIBFUZZER_FLAGS...]" >&2
  exit 2
fi
rev=$1
seconds=${2:-300}
[ $# -ge 2 ] && shift 2 || shift 1
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/fuzz/textformat_paths/old_vs_new
work=${FUZZ_BUILD_DIR:-$root/build-fuzz}/old_vs_new
cxx=${FUZZ_CXX:-clang++}
flags="-O2 -g -std=c++20 -fsanitize=fuzzer-no-link"
rm -rf "$work/old" "$work/obj"
mkdir -p "$work/old" "$work/obj" "$work/corpus"
git -C "$root" archive "$rev" src/textformat | tar -x -C "$work/old"
for f in "$work"/old/src/textformat/*.cc; do
  $cxx $flags -Dtextformat=textformat_old -I"$work/old/src" -c "$f" -o "$work/obj/old_$(basename "$f" .cc).o"
done
for f in "$root"/src/textformat/*.cc; do
  $cxx $flags -I"$root/src" -c "$f" -o "$work/obj/new_$(basename "$f" .cc).o"
done
printf '#define PARSE_LOG OldParseLog\n#include "%s/parse_log.inc"\n' "$here" >"$work/old_log.cc"
printf '#define PARSE_LOG NewParseLog\n#include "%s/parse_log.inc"\n' "$here" >"$work/new_log.cc"
$cxx $flags -Dtextformat=textformat_old -I"$work/old/src" -c "$work/old_log.cc" -o "$work/obj/old_log.o"
$cxx $flags -I"$root/src" -c "$work/new_log.cc" -o "$work/obj/new_log.o"
$cxx -O2 -std=c++20 -fsanitize=fuzzer "$here/old_vs_new_fuzz.cc" "$work"/obj/*.o -o "$work/old_vs_new"
cd "$work"
exec nice ./old_vs_new -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -dict="$root/fuzz/textformat/textformat.dict" "$@" corpus \
  "$root/fuzz/textformat_paths/corpus"
