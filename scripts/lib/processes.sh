# shellcheck shell=bash disable=SC2034  # STARTED_* are read by the sourcing script
# Shell helpers for scripts that start local servers and must leave nothing behind.
# Source it. Every process started with start_tracked is stopped, by its process id, by
# stop_tracked.

TRACKED_PIDS=()
TRACKED_NAMES=()
# Results of start_tracked and start_on_free_port, read by the sourcing script.
STARTED_PID=
STARTED_PORT=

# start_tracked NAME LOG COMMAND...: runs COMMAND in the background with its output in LOG.
# Sets STARTED_PID.
start_tracked() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  STARTED_PID=$!
  TRACKED_PIDS+=("$STARTED_PID")
  TRACKED_NAMES+=("$name")
}

# stop_pid PID: SIGTERM, up to 5 s to exit, then SIGKILL.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# stop_tracked: stops every tracked process, the last started first.
stop_tracked() {
  local i
  for ((i = ${#TRACKED_PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${TRACKED_PIDS[$i]}"
  done
  TRACKED_PIDS=()
  TRACKED_NAMES=()
}

# first_dead_tracked: prints the name of a tracked process that has exited; fails if none has.
first_dead_tracked() {
  local i
  for ((i = 0; i < ${#TRACKED_PIDS[@]}; i++)); do
    if ! kill -0 "${TRACKED_PIDS[$i]}" 2>/dev/null; then
      echo "${TRACKED_NAMES[$i]}"
      return 0
    fi
  done
  return 1
}

# free_port: prints a loopback port nothing listens on now. Another process may take it
# before ours binds it, which start_on_free_port handles by trying again.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
}

# wait_http URL SECONDS PID: waits until URL answers 2xx; fails early when PID exits.
wait_http() {
  local url=$1 seconds=$2 pid=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_on_free_port NAME LOG READY_PATH COMMAND...: starts COMMAND with every "{PORT}" in
# its arguments replaced by a free port, and waits until http://127.0.0.1:PORT/READY_PATH
# answers. Tries three ports in case another process took one first. Sets STARTED_PORT.
start_on_free_port() {
  local name=$1 log=$2 ready=$3 port
  shift 3
  for _ in 1 2 3; do
    port=$(free_port)
    start_tracked "$name" "$log" "${@//\{PORT\}/$port}"
    if wait_http "http://127.0.0.1:$port$ready" 30 "$STARTED_PID"; then
      STARTED_PORT=$port
      return 0
    fi
    stop_pid "$STARTED_PID"
    unset 'TRACKED_PIDS[-1]' 'TRACKED_NAMES[-1]'
  done
  echo "$name did not start; its log ($log) ends with:" >&2
  tail -n 5 "$log" >&2
  return 1
}
