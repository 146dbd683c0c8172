# shellcheck shell=bash
# Checks shared by the demo tests; sourced.

fail_test() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_nothing_left LOG: every pid of the DEMO_PIDS line has exited, no process runs from
# the DEMO_WORK_DIR directory, and that directory is gone.
expect_nothing_left() {
  local log=$1 pids work pid left=0
  pids=$(sed -n 's/^DEMO_PIDS=//p' "$log")
  work=$(sed -n 's/^DEMO_WORK_DIR=//p' "$log")
  [[ -n $pids && -n $work ]] || fail_test "the demo did not print DEMO_PIDS and DEMO_WORK_DIR"
  for pid in $pids; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "left running: $(ps -o pid=,args= -p "$pid")" >&2
      left=1
    fi
  done
  if pgrep -a -f -- "$work" >&2; then left=1; fi
  [[ $left -eq 0 ]] || fail_test "the demo left processes running"
  [[ ! -e $work ]] || fail_test "the demo did not remove $work"
}
