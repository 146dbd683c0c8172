#!/usr/bin/env bash
# Side-by-side parser speeds on the same bytes, in one run, as one table:
#   ours (textformat::Parse), a memchr newline scan (the floor of any line parser),
#   Python prometheus_client's text parser and Go prometheus/common expfmt's TextParser.
#   bench/parser_compare.sh [build-dir] [seconds-per-parser]
# Needs textformat_bench built in build-dir; /usr/bin/python3 with python3-prometheus-client
# and golang-go with golang-github-prometheus-common-dev (scripts/install-deps.sh installs
# them; Go builds offline in GOPATH mode against /usr/share/gocode). A missing one is
# reported as skipped, not an error.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
seconds=${2:-3}
page=$root/tests/fixtures/vernemq-2.0.1.metrics.txt  # the page textformat_bench reads
python=/usr/bin/python3  # Debian's, where python3-prometheus-client is installed
here=$root/bench/parser_compare
out=$build/parser_compare
mkdir -p "$out"

declare -A speed detail
order=()

# ours and memchr: interleaved in one benchmark (BM_ParseVsMemchr); medians of 5 repetitions,
# the ratio being the median of each repetition's own ratio.
"$build/bin/textformat_bench" --benchmark_filter='^BM_ParseVsMemchr$' \
  --benchmark_min_time="$seconds" --benchmark_repetitions=5 --benchmark_format=json \
  --benchmark_out="$out/ours.json" --benchmark_out_format=json >/dev/null 2>&1
read -r ours memchr ratio ratios path < <("$python" - "$out/ours.json" <<'PY'
import json, statistics, sys
runs = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("run_type") == "iteration"]
ratios = [b["ratio"] for b in runs]
print(statistics.median(b["parse_MB/s"] for b in runs), statistics.median(b["memchr_MB/s"] for b in runs),
      statistics.median(ratios), ",".join("%.3f" % r for r in ratios),
      "page-bits" if runs[0].get("page_bits") else "by-line")
PY
)
speed[ours]=$ours detail[ours]="textformat::Parse ($path path), median of 5"
speed[memchr]=$memchr detail[memchr]="memchr per line, same loop as ours"
order+=(ours memchr)

if "$python" -c 'import prometheus_client.parser' 2>/dev/null; then
  read -r _ mbps samples < <("$python" "$here/prometheus_client_speed.py" --seconds "$seconds" "$page")
  speed[prometheus_client]=$mbps
  detail[prometheus_client]="python3-prometheus-client $(dpkg-query -W -f='${Version}' python3-prometheus-client 2>/dev/null) text_string_to_metric_families, $samples samples"
else
  detail[prometheus_client]="skipped: $python cannot import prometheus_client (apt-get install python3-prometheus-client)"
fi
order+=(prometheus_client)

if command -v go >/dev/null && [[ -d /usr/share/gocode/src/github.com/prometheus/common/expfmt ]]; then
  # GOPATH mode against Debian's packaged sources: no module download, no network.
  (cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$out/gocache" \
    go build -o "$out/expfmt_speed" expfmt_speed.go)
  read -r _ mbps metrics < <("$out/expfmt_speed" -seconds "$seconds" "$page")
  speed[expfmt]=$mbps
  detail[expfmt]="$(go version | awk '{print $3}'), prometheus/common $(dpkg-query -W -f='${Version}' golang-github-prometheus-common-dev 2>/dev/null) TextToMetricFamilies, $metrics metrics"
else
  detail[expfmt]="skipped: needs golang-go and golang-github-prometheus-common-dev"
fi
order+=(expfmt)

echo "page: ${page#"$root/"} ($(stat -c %s "$page") bytes), $seconds s per parser, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %12s %12s  %s\n' parser "MB/s" "vs ours" "what"
for name in "${order[@]}"; do
  if [[ -n ${speed[$name]:-} ]]; then
    printf '%-18s %12.1f %11.3fx  %s\n' "$name" "${speed[$name]}" \
      "$(awk -v a="${speed[$name]}" -v b="$ours" 'BEGIN { print a / b }')" "${detail[$name]}"
  else
    printf '%-18s %12s %12s  %s\n' "$name" - - "${detail[$name]}"
  fi
done
printf 'ours / memchr = %.3f, median of 5 repetitions (%s) (issue 9 asks >= 0.15, and ours >= 1000 MB/s)\n' \
  "$ratio" "$ratios"
