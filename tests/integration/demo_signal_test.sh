#!/usr/bin/env bash
# ctest `demo_stops_on_*`: starts `make demo`'s script as a terminal would (its own process
# group), waits until everything is up, then stops it the way a user does and checks that no
# process it started is left.
#   demo_signal_test.sh SOURCE_DIR BUILD_DIR ctrl-c   SIGINT to the whole process group
#   demo_signal_test.sh SOURCE_DIR BUILD_DIR sigterm  SIGTERM to the script alone
set -euo pipefail
source_dir=$1
build_dir=$2
how=$3
# shellcheck source=tests/integration/demo_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/demo_checks.sh"

log=$(mktemp)
demo_pid=
cleanup() {
  [[ -n $demo_pid ]] && kill -KILL -- "-$demo_pid" 2>/dev/null
  rm -f "$log"
}
trap cleanup EXIT

# Job control gives the demo its own process group, as an interactive shell would, and keeps
# SIGINT from being ignored in it as it is in background jobs of scripts.
set -m
"$source_dir/scripts/demo.sh" "$build_dir" >"$log" 2>&1 &
demo_pid=$!
set +m

for ((i = 0; i < 300; i++)); do
  grep -q '^DEMO_WORK_DIR=' "$log" && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q '^DEMO_WORK_DIR=' "$log" || { cat "$log"; fail_test "the demo did not come up"; }

case $how in
  ctrl-c) kill -INT -- "-$demo_pid"; expected=130 ;;
  sigterm) kill -TERM "$demo_pid"; expected=143 ;;
  *) fail_test "unknown way to stop: $how" ;;
esac
status=0
wait "$demo_pid" || status=$?
demo_pid=
cat "$log"
[[ $status -eq $expected ]] || fail_test "demo.sh exited $status, expected $expected"
expect_nothing_left "$log"
echo "PASS"
