#!/usr/bin/env bash
# Installs every Debian bookworm package the build, the tests and the demo need.
# Idempotent: packages already present are skipped, so `make` calls it every time.
#   scripts/install-deps.sh            build + test + demo packages (what `make` uses)
#   scripts/install-deps.sh --build    only what compiling the binaries needs (the Dockerfile)
#   scripts/install-deps.sh --docker   also docker.io and debootstrap (tests/docker runs this)
#   scripts/install-deps.sh --bench    also the other parsers bench/parser_compare.sh runs
#                                      (`make bench` uses this)
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev
  libssl-dev zlib1g-dev libbrotli-dev libcrypt-dev libboost-dev libre2-dev
)
test_packages=(
  clang-format curl openssl jq python3 ccache clang libclang-rt-14-dev llvm
  libgtest-dev libgmock-dev googletest libbenchmark-dev nlohmann-json3-dev
  prometheus prometheus-alertmanager linux-perf nodejs
)
docker_packages=(docker.io debootstrap)
# Python prometheus_client and Go prometheus/common expfmt, built offline from /usr/share/gocode.
bench_packages=(python3-prometheus-client golang-go golang-github-prometheus-common-dev)

case "${1:-}" in
  --build) packages=("${build_packages[@]}") ;;
  --docker) packages=("${build_packages[@]}" "${test_packages[@]}" "${docker_packages[@]}") ;;
  --bench) packages=("${build_packages[@]}" "${test_packages[@]}" "${bench_packages[@]}") ;;
  "") packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [--build|--docker|--bench]" >&2; exit 2 ;;
esac

# The Kubernetes manifests are validated offline against the Kubernetes and
# prometheus-operator schemas (tests/deploy/schema/validate.mjs) with npm packages pinned in
# tests/deploy/schema/package-lock.json, installed from the npm registry into
# tests/deploy/schema/node_modules (git-ignored). Again whenever the lock file changes.
install_schema_packages() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/deploy/schema"
  command -v npm >/dev/null || return 0
  if [[ ! -e $dir/node_modules/.package-lock.json ||
        $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    echo "install-deps: npm ci in $dir" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Debian's npm package, unless npm is there already (a nodejs that bundles it conflicts).
if [[ ${1:-} != --build ]] && ! command -v npm >/dev/null; then missing+=(npm); fi
if [[ ${#missing[@]} -eq 0 ]]; then
  [[ ${1:-} == --build ]] || install_schema_packages
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive

# prometheus, prometheus-alertmanager and docker.io ship services that would start on install
# (a system Prometheus on :9090 ...). The tests run their own instances; keep the packages'
# services stopped with a policy-rc.d for the duration of the install, unless one exists.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi

"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
[[ ${1:-} == --build ]] || install_schema_packages
