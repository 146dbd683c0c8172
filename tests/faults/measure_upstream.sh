#!/bin/sh
# Usage: tests/faults/measure_upstream.sh EXPORTER UPSTREAM FAULT [SECONDS [EXIT_WAIT]]
#   EXPORTER  the exporter binary to measure (e.g. build/bin/vernemq-pubcomp-exporter)
#   UPSTREAM  build/bin/vmq-hostile-upstream; FAULT one of its faults (run it alone for a list)
# Polls one hostile upstream (poll interval 1s, timeout 900ms) for SECONDS (default 10), then
# prints the exporter's peak and current RSS and how long it took to exit after SIGTERM.
# Bounded: gives up waiting for the exit after EXIT_WAIT seconds (default 120) and kills it.
set -eu
exporter=$1
upstream=$2
fault=$3
seconds=${4:-10}
exit_wait=${5:-120}
dir=$(mktemp -d)
up_pid=
ex_pid=
cleanup() {
  [ -n "$ex_pid" ] && kill -KILL "$ex_pid" 2>/dev/null
  [ -n "$up_pid" ] && kill "$up_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

"$upstream" "$fault" >"$dir/port" &
up_pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
scheme=http
extra=
if [ "$fault" = tls_stall ]; then
  scheme=https
  extra='    tls: {insecure_skip_verify: true}'
fi
cat >"$dir/config.yaml" <<YAML
targets:
  - name: hostile
    url: "$scheme://127.0.0.1:$(cat "$dir/port")/metrics"
$extra
poll: {interval: 1s, timeout: 900ms}
windows: [1m]
YAML
listen=127.0.0.1:$((20000 + $$ % 20000))
"$exporter" --config.file="$dir/config.yaml" --web.listen-address="$listen" 2>"$dir/log" &
ex_pid=$!
sleep "$seconds"
if ! kill -0 "$ex_pid" 2>/dev/null; then
  wait "$ex_pid" && status=0 || status=$?
  echo "$fault: exporter DIED after less than ${seconds}s (exit status $status)"
  ex_pid=
  exit 1
fi
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$ex_pid/status")
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$ex_pid/status")
start=$(date +%s%N)
kill -TERM "$ex_pid"
deadline=$((start + exit_wait * 1000000000))
while kill -0 "$ex_pid" 2>/dev/null && [ "$(date +%s%N)" -lt $deadline ]; do sleep 0.01; done
end=$(date +%s%N)
if kill -0 "$ex_pid" 2>/dev/null; then
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$ex_pid/status")
  echo "$fault: after ${seconds}s peak RSS ${hwm} kB; no exit ${exit_wait} s after SIGTERM (RSS then ${rss} kB)"
  exit 1
fi
ex_pid=
echo "$fault: after ${seconds}s peak RSS ${hwm} kB, RSS ${rss} kB; exit $(((end - start) / 1000000)) ms after SIGTERM"
