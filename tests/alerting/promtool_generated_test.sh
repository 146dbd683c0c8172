#!/usr/bin/env bash
# Runs a promtool rule test against rules generated from a test configuration, which the
# committed rule file cannot cover (e.g. a critical level).
#   promtool_generated_test.sh PROMTOOL EXPORTER_BINARY CONFIG TEST_FILE
# TEST_FILE names the rules as NAME.rules.yml (rule_files:), NAME being CONFIG's base name
# without .config.yaml; both are placed in a temporary directory.
set -euo pipefail

promtool=$1
exporter=$2
config=$3
test_file=$4
name=$(basename "$config" .config.yaml)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$exporter" --alerts.print-rules --config.file="$config" >"$dir/$name.rules.yml"
cp "$test_file" "$dir/"
"$promtool" check rules "$dir/$name.rules.yml"
"$promtool" test rules "$dir/$(basename "$test_file")"
