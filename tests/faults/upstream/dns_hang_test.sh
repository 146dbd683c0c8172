#!/usr/bin/env bash
# A target whose host name the resolver never answers: getaddrinfo blocks where no poll
# deadline reaches, and SIGTERM must still end the exporter within a second.
#   dns_hang_test.sh EXPORTER
# Runs itself again in a private mount namespace (needs root, as CI is) whose resolv.conf
# points at a loopback resolver that accepts queries and never answers. Exit 77: skipped.
set -euo pipefail
exporter=$1

if [[ ${VMQ_DNS_HANG_INNER:-} != 1 ]]; then
  if [[ $(id -u) -ne 0 ]] || ! unshare -m true 2>/dev/null; then
    echo "skipped: needs root to make a private mount namespace" >&2
    exit 77
  fi
  VMQ_DNS_HANG_INNER=1 exec unshare -m "$0" "$@"
fi

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'nameserver 127.0.0.53\noptions timeout:5 attempts:3\n' > "$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf
# A resolver that takes every query (UDP and TCP) and answers none.
python3 - <<'PY' &
import socket, time
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.53", 53))
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("127.0.0.53", 53))
tcp.listen(16)
time.sleep(60)
PY
sleep 0.5

printf 'targets:\n  - url: http://broker.resolver-never-answers.test:8888/metrics\n' > "$work/config.yaml"
"$exporter" --config.file="$work/config.yaml" --web.listen-address=127.0.0.1:0 2>"$work/log" &
pid=$!
sleep 1.5  # the first poll is now inside getaddrinfo
start=$(date +%s%N)
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "exit status $status, $elapsed_ms ms after SIGTERM"
if [[ $status -ne 0 || $elapsed_ms -gt 1000 ]]; then
  cat "$work/log" >&2
  exit 1
fi
