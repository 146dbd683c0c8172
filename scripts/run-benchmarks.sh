#!/usr/bin/env bash
# Runs every benchmark binary of a build, then a short scale run (bench/scale.sh --short: one
# exporter polling 100 vmq-sim nodes, about 2 minutes); the figures in bench/README.md come from
# this. The full scale run (10, 100, 1000 nodes and 1000 with half hanging) is `make bench-scale`.
#   scripts/run-benchmarks.sh [build-dir]
set -euo pipefail
build=${1:-build}
for bench in textformat_bench window_bench pipeline_bench; do
  echo "== $bench"
  "$build/bin/$bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_display_aggregates_only=true
done
echo "== window history memory (bench/history_memory.cc)"
"$build/bin/history_memory" --targets 100 --series 8 --increase mixed
echo "== parsers side by side (bench/parser_compare.sh)"
"$(dirname "$0")/../bench/parser_compare.sh" "$build"
echo "== scale (short; make bench-scale for 10/100/1000 nodes)"
"$(dirname "$0")/../bench/scale.sh" --short "$build"
