#!/usr/bin/env bash
# Runs every benchmark binary of a build; the figures in bench/README.md come from this.
#   scripts/run-benchmarks.sh [build-dir]
set -euo pipefail
build=${1:-build}
for bench in textformat_bench window_bench pipeline_bench; do
  echo "== $bench"
  "$build/bin/$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_display_aggregates_only=true
done
echo "== parsers side by side (bench/parser_compare.sh)"
"$(dirname "$0")/../bench/parser_compare.sh" "$build"
