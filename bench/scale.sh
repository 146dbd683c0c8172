#!/usr/bin/env bash
# Scale benchmark of issue 9: one exporter polling N simulated VerneMQ 2.x nodes (vmq-sim)
# every 5 s with windows 1m and 5m. After a warm-up long enough for the 1m windows to fill, it
# measures for a span and prints one row per N and mode:
#   CPU%      exporter utime+stime over the span, % of one core (/proc/PID/stat)
#   RSS, HWM  exporter VmRSS and VmHWM at the end of the span (MiB)
#   thr       exporter threads
#   ok/s, fail/s, due/s   successful and failed polls per second over the span (deltas of the
#             exporter's vmq_target_polls_total and vmq_target_poll_errors_total) against the
#             N/5 per second the interval asks for; ok%due = ok/s over due/s. ok/s times each
#             target's polls by its vmq_target_last_success_timestamp_seconds, so that it is
#             not off by a poll per target when all targets poll at the same instant
#             (bench/scale_report.py ok_rate)
#   1m cov=1  targets whose vmq_window_coverage_ratio{window="1m"} is 1 at the end of the span
#             (an absent gauge counts as 0), and the lowest value
#   scrape s  curl time of that last /metrics scrape
#   sim CPU%, sim thr, sim fds   the same for vmq-sim, to tell who is loaded
#   bar       pass when CPU <= 25 %, RSS <= 64 MiB, ok%due >= 95 and every 1m window covered
# Mode half-hang puts every second node into `down` mode `hang` (it accepts and never answers)
# before the exporter starts, and reports the answering and the hanging half on their own rows.
#
#   bench/scale.sh [options] [BUILD_DIR]     (after: ninja -C BUILD_DIR vmq-sim vernemq-pubcomp-exporter)
#     --nodes LIST      comma-separated N (default 10,100,1000)
#     --modes LIST      all-up and/or half-hang (default all-up,half-hang; half-hang runs only
#                       for the largest N unless --hang-all-sizes)
#     --hang-all-sizes  run half-hang for every N
#     --warmup S        seconds from the exporter's start to the measuring span (default 70, >= 65)
#     --measure S       length of the measuring span, a multiple of the 5 s interval (default 60)
#     --perf DIR        also `perf record -g` the exporter for 20 s of each span into DIR
#                       (perf's own overhead then shows in CPU%)
#     --perf-opts OPTS  perf record options instead of -g (e.g. "--call-graph dwarf,16384":
#                       the build has no frame pointers, so -g stacks stop at libstdc++)
#     --short           = --nodes 100 --modes all-up --measure 30 (what `make bench` runs)
# Every wait is bounded; on exit, Ctrl-C or SIGTERM it stops everything it started. A full
# run takes about (warm-up + measure + ~15 s) per row: ~10 min by default.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
report="$here/scale_report.py"
nodes_list=10,100,1000
modes_list=all-up,half-hang
hang_all=0
warmup=70
measure=60
perf_dir=""
perf_opts=-g
build=build
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes_list=$2; shift 2 ;;
    --modes) modes_list=$2; shift 2 ;;
    --hang-all-sizes) hang_all=1; shift ;;
    --warmup) warmup=$2; shift 2 ;;
    --measure) measure=$2; shift 2 ;;
    --perf) perf_dir=$2; shift 2 ;;
    --perf-opts) perf_opts=$2; shift 2 ;;
    --short) nodes_list=100; modes_list=all-up; measure=30; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "scale.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
exporter=$build/bin/vernemq-pubcomp-exporter
sim=$build/bin/vmq-sim
for binary in "$exporter" "$sim"; do
  [[ -x $binary ]] || { echo "missing $binary (build it first)" >&2; exit 2; }
done
if ((measure <= 0 || measure % 5 != 0)); then
  echo "scale.sh: --measure must be a multiple of the 5 s poll interval" >&2
  exit 2
fi
if ((warmup < 65)); then
  echo "scale.sh: warning: a warm-up under 65 s leaves the 1m windows partly covered" >&2
fi

work=$(mktemp -d)
sim_pid=""
exporter_pid=""
perf_pid=""
stop() {  # stop PID: TERM, then KILL after 10 s
  local pid=$1
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_all() {
  stop "$perf_pid"; perf_pid=""
  stop "$exporter_pid"; exporter_pid=""
  stop "$sim_pid"; sim_pid=""
}
cleanup() {
  stop_all
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# vmq-sim holds a socket per node plus, for a hanging node, every connection it accepted and
# never answered (one per poll); the exporter raises its own limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fds_needed() {  # fds_needed N MODE: what vmq-sim holds at the end of a run
  local hanging=0
  [[ $2 == half-hang ]] && hanging=$(($1 / 2))
  echo $(($1 + 50 + hanging * (warmup + measure + 30) / 5))
}

now() { awk '{print $1}' /proc/uptime; }
alive() { kill -0 "$1" 2>/dev/null; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# snapshot DIR: the figures bench/scale_report.py compares.
snapshot() {
  local dir=$1
  mkdir -p "$dir"
  # The counters and the clock first, as close together as a scrape allows.
  now >"$dir/t"
  date +%s.%N >"$dir/wall"
  curl -s -m 30 -o "$dir/metrics.txt" -w '%{time_total}' "http://127.0.0.1:$port/metrics" \
    >"$dir/scrape_s" || echo nan >"$dir/scrape_s"
  cp "/proc/$exporter_pid/stat" "$dir/exporter.stat"
  cp "/proc/$exporter_pid/status" "$dir/exporter.status"
  cp "/proc/$sim_pid/stat" "$dir/sim.stat"
  cp "/proc/$sim_pid/status" "$dir/sim.status"
  find "/proc/$sim_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l >"$dir/sim.fds"
}

# sleep_until T: sleeps until /proc/uptime reads T, returning early if a process died.
sleep_until() {
  local left
  for _ in $(seq 100000); do
    left=$(awk -v t="$(now)" -v u="$1" 'BEGIN {printf "%.3f", u - t}')
    awk -v l="$left" 'BEGIN {exit !(l > 1)}' || break
    alive "$exporter_pid" && alive "$sim_pid" || return 0
    sleep 1
  done
  awk -v l="$left" 'BEGIN {exit !(l > 0)}' && sleep "$left"
  return 0
}

# run N MODE: one measurement; prints its rows.
run() {
  local n=$1 mode=$2 hang_every=0 dir="$work/$1-$2"
  [[ $mode == half-hang ]] && hang_every=2
  if (($(fds_needed "$n" "$mode") > $(ulimit -n))); then
    echo "scale.sh: N=$n $mode needs about $(fds_needed "$n" "$mode") open files in vmq-sim," \
      "ulimit -n is $(ulimit -n); raise the hard limit or shorten the run" >&2
    exit 2
  fi
  mkdir -p "$dir"
  python3 "$report" scenario "$n" "$hang_every" >"$dir/scenario.yaml"
  "$sim" --scenario "$dir/scenario.yaml" --ports-file "$dir/ports.json" >"$dir/sim.log" 2>&1 &
  sim_pid=$!
  for _ in $(seq 600); do  # 60 s: 1000 listeners start in a few seconds
    [[ -s $dir/ports.json ]] && break
    alive "$sim_pid" || break
    sleep 0.1
  done
  if [[ ! -s $dir/ports.json ]]; then
    echo "vmq-sim did not start with $n nodes:" >&2
    tail -20 "$dir/sim.log" >&2
    exit 1
  fi
  python3 "$report" config "$dir/ports.json" >"$dir/config.yaml"
  local started=0
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    "$exporter" --config.file="$dir/config.yaml" --web.listen-address="127.0.0.1:$port" \
      --log.level=error >"$dir/exporter.log" 2>&1 &
    exporter_pid=$!
    for _ in $(seq 300); do  # 30 s
      if curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/-/healthy"; then
        started=1
        break
      fi
      alive "$exporter_pid" || break
      sleep 0.1
    done
    ((started)) && break
    stop "$exporter_pid"
    exporter_pid=""
  done
  if ((!started)); then
    echo "the exporter did not start with $n targets:" >&2
    tail -20 "$dir/exporter.log" >&2
    exit 1
  fi
  sleep_until "$(awk -v t="$(now)" -v w="$warmup" 'BEGIN {print t + w}')"
  if ! alive "$exporter_pid" || ! alive "$sim_pid"; then
    echo "exporter or vmq-sim exited during the warm-up (N=$n, $mode):" >&2
    tail -5 "$dir/exporter.log" "$dir/sim.log" >&2
    exit 1
  fi
  snapshot "$dir/a"
  if [[ -n $perf_dir ]]; then
    mkdir -p "$perf_dir"
    local seconds=$((measure < 20 ? measure : 20))
    # shellcheck disable=SC2086
    perf record $perf_opts -o "$perf_dir/exporter-$n-$mode.data" -p "$exporter_pid" -- sleep "$seconds" \
      >"$dir/perf.log" 2>&1 &
    perf_pid=$!
  fi
  # Exactly `measure` seconds after the first scrape: a target polled every 5 s then shows
  # measure/5 polls whatever its phase, even when all targets poll at the same instant.
  sleep_until "$(awk -v t="$(cat "$dir/a/t")" -v m="$measure" 'BEGIN {print t + m}')"
  if ! alive "$exporter_pid" || ! alive "$sim_pid"; then
    echo "exporter or vmq-sim exited while measuring (N=$n, $mode):" >&2
    tail -5 "$dir/exporter.log" "$dir/sim.log" >&2
    exit 1
  fi
  snapshot "$dir/b"
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=""
  fi
  python3 "$report" row "$n" "$mode" "$hang_every" "$dir/a" "$dir/b"
  stop_all
}

echo "# scale benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
echo "# exporter $("$exporter" --version 2>&1 | head -1), warm-up ${warmup} s, measure ${measure} s, poll 5 s, windows 1m 5m"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$report" header
IFS=, read -r -a sizes <<<"$nodes_list"
IFS=, read -r -a modes <<<"$modes_list"
largest=0
for n in "${sizes[@]}"; do ((n > largest)) && largest=$n; done
for mode in "${modes[@]}"; do
  case "$mode" in all-up | half-hang) ;; *) echo "unknown mode $mode" >&2; exit 2 ;; esac
  for n in "${sizes[@]}"; do
    [[ $mode == half-hang && $hang_all == 0 && $n != "$largest" ]] && continue
    run "$n" "$mode"
    echo "# load average after N=$n $mode: $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
