#!/usr/bin/env bash
# Figure for docs/polling.md: one exporter, 500 targets on one vmq-sim node and 500 on an
# upstream that accepts and never answers (vmq-hostile-upstream silent), poll 5 s / 4 s.
# Prints the exporter's threads and memory after SECS seconds and the polls it did.
#   tests/poll/half_hanging_figure.sh [BIN_DIR] [SECS]
set -euo pipefail
B=$(realpath "${1:-build/bin}"); SECS=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'control_port: 0\nnodes:\n  - {name: vmq-1, port: 0, layout: "2.x"}\n' > sim.yaml
"$B/vmq-sim" --scenario sim.yaml --ports-file ports.json > sim.out 2>&1 & SIM=$!
"$B/vmq-hostile-upstream" silent > hostile.out 2>&1 & HOS=$!
sleep 1
P=$(python3 -c "import json;print(json.load(open('ports.json'))['nodes']['vmq-1'])"); H=$(head -1 hostile.out)
{ echo "targets:"; for i in $(seq 1 500); do echo "  - {name: up-$i, url: \"http://127.0.0.1:$P/metrics\"}"; echo "  - {name: hang-$i, url: \"http://127.0.0.1:$H/metrics\"}"; done
  echo "poll: {interval: 5s, timeout: 4s}"; echo "windows: [1m]"; } > cfg.yaml
"$B/vernemq-pubcomp-exporter" --config.file=cfg.yaml --web.listen-address=127.0.0.1:19556 > exp.log 2>&1 & EXP=$!
sleep "$SECS"
M=$(curl -s localhost:19556/metrics)
T=$(awk '{print $14+$15}' /proc/$EXP/stat)
echo "cpu $(python3 -c "print(round($T/$(getconf CLK_TCK)/$SECS*100,1))")% of a core (start-up included)"
echo "threads $(grep Threads /proc/$EXP/status | awk '{print $2}') rss_kb $(grep VmRSS /proc/$EXP/status | awk '{print $2}') hwm_kb $(grep VmHWM /proc/$EXP/status | awk '{print $2}')"
echo "$M" | python3 -c "
import sys,re
up=ok=hang=0;upu=0
for l in sys.stdin:
  m=re.match(r'vmq_target_polls_total\{target=\"(up|hang)-\d+\"\} (\S+)',l)
  if m:
    if m.group(1)=='up': ok+=float(m.group(2))
    else: hang+=float(m.group(2))
  m=re.match(r'vmq_target_up\{target=\"up-\d+\"\} (\S+)',l)
  if m: upu+=float(m.group(1))
print(f'answering targets up: {upu:.0f}/500; polls of answering targets: {ok:.0f}, of hanging: {hang:.0f} (due in $SECS s: about {500*($SECS/5+0.5):.0f} each: one at once, then one per slot from 5 s on)')"
kill $EXP $SIM $HOS; wait 2>/dev/null || true
