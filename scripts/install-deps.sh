#!/usr/bin/env bash
# Installs every Debian bookworm package the build, the tests and the demo need.
# Idempotent: packages already present are skipped, so `make` can call it every time.
#   scripts/install-deps.sh            build + test packages
#   scripts/install-deps.sh --docker   also docker.io and debootstrap (container test)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format curl ca-certificates
  prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev
  libssl-dev zlib1g-dev libbrotli-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev nlohmann-json3-dev
  prometheus prometheus-alertmanager
)
if [[ "${1:-}" == "--docker" ]]; then
  packages+=(docker.io debootstrap)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# --no-install-recommends keeps the set small; services the packages ship are not started
# by tests (policy-rc.d below), the tests run their own instances.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
