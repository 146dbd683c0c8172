#!/bin/sh
# tests/faults/pages/large_page_figure.sh [BUILD_DIR] [SECONDS]
#
# Reproduces the figure for issue 8's large-page case: the exporter polls a healthy vmq-sim
# node and a hostile target serving 9000 series with 8 KB label values (74 MB), both every
# second, for SECONDS (default 40). Prints the healthy target's polls (about SECONDS when it
# is not starved), the hostile target's polls and timeouts, what the caps dropped, the size
# of the exporter's own page and the exporter's peak RSS. Loopback only; stops by itself.
set -eu
build=$(cd "${1:-build}" && pwd)
seconds=${2:-40}
work=$(mktemp -d)
pids=""
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
cd "$work"

python3 - <<'PY'
node = "VerneMQ@hostile"
filler = "v" * (8 * 1024 - 8)
with open("metrics", "w") as page:
    page.write('# TYPE vernemq_mqtt_publish_error counter\n')
    page.write(f'vernemq_mqtt_publish_error{{node="{node}",mqtt_version="4"}} 0\n')
    page.write(f'vernemq_system_wallclock{{node="{node}"}} 100000\n')
    for i in range(9000):
        page.write(f'vernemq_mqtt_pubcomp_received{{node="{node}",mqtt_version="5",'
                   f'reason_code="{100000 + i}{filler}"}} 1\n')
PY
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
printf 'control_port: 0\nnodes:\n  - {name: healthy, port: 0, layout: "2.x"}\n' > scenario.yaml
"$build/bin/vmq-sim" --scenario scenario.yaml --ports-file ports.json > sim.log 2>&1 &
pids="$pids $!"
hostile_port=$(free_port)
python3 -m http.server "$hostile_port" --bind 127.0.0.1 > http.log 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do [ -s ports.json ] && break; sleep 0.1; done
healthy_port=$(python3 -c "import json; print(json.load(open('ports.json'))['nodes']['healthy'])")
exporter_port=$(free_port)
cat > config.yaml <<YAML
targets:
  - {name: healthy, url: "http://127.0.0.1:$healthy_port/metrics"}
  - {name: hostile, url: "http://127.0.0.1:$hostile_port/metrics"}
poll: {interval: 1s, timeout: 900ms, max_body_bytes: 134217728}
windows: [1m]
YAML
"$build/bin/vernemq-pubcomp-exporter" --config.file=config.yaml \
  --web.listen-address="127.0.0.1:$exporter_port" > exporter.log 2>&1 &
exporter=$!
pids="$pids $exporter"
sleep "$seconds"
curl -s "http://127.0.0.1:$exporter_port/metrics" > own.txt
grep -E '^vmq_target_(polls_total|dropped_series_total|tracked_series)|reason="timeout"' own.txt
echo "own page bytes: $(wc -c < own.txt)"
grep VmHWM "/proc/$exporter/status"
