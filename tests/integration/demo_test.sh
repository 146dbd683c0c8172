#!/usr/bin/env bash
# ctest `demo`: runs `make demo`'s script non-interactively (DEMO_EXIT_WHEN_FIRING=1) and
# checks that the PUBCOMP alert fired in Alertmanager before the 1m window was fully covered,
# and that none of the processes the demo started (the pids it printed, or anything running
# from its run directory) is left.
#   demo_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
# shellcheck source=tests/integration/demo_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/demo_checks.sh"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
DEMO_EXIT_WHEN_FIRING=1 "$source_dir/scripts/demo.sh" "$build_dir" >"$log" 2>&1 || status=$?
cat "$log"
[[ $status -eq 0 ]] || fail_test "demo.sh exited $status, not 0"
firing=$(grep "FIRING in Alertmanager: VerneMQPubcompUnexpected target=vmq-2 .*mqtt_version=5" "$log") ||
  fail_test "demo.sh did not report the alert firing for vmq-2, MQTT 5"
# The alert is raised on the burst itself, not once the 1m window is fully covered (about a
# minute after start): the coverage printed when it fired is still below 100%.
[[ $firing =~ coverage\ ([0-9]+)% ]] || fail_test "demo.sh did not print the coverage: $firing"
((BASH_REMATCH[1] < 100)) ||
  fail_test "the alert fired only once the window was fully covered: $firing"
expect_nothing_left "$log"
echo "PASS"
