#!/usr/bin/env bash
# Fails when the committed alerts/vernemq-pubcomp.rules.yml is not what the shipped
# config.yaml generates, and says how to regenerate it.
#   check_rules_up_to_date.sh EXPORTER_BINARY SOURCE_DIR
set -euo pipefail

exporter=$1
source_dir=$2
committed=$source_dir/alerts/vernemq-pubcomp.rules.yml
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT

"$exporter" --alerts.print-rules --config.file="$source_dir/config.yaml" >"$generated"
if ! diff -u "$committed" "$generated"; then
  cat >&2 <<MESSAGE

alerts/vernemq-pubcomp.rules.yml does not match config.yaml (diff above: - committed,
+ generated). Regenerate it from the repository root with
  build/bin/vernemq-pubcomp-exporter --alerts.print-rules --config.file=config.yaml > alerts/vernemq-pubcomp.rules.yml
(use your build directory), then update alerts/tests/ if thresholds changed.
MESSAGE
  exit 1
fi
echo "alerts/vernemq-pubcomp.rules.yml matches config.yaml"
