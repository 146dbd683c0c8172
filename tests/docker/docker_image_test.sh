#!/usr/bin/env bash
# The container image, for real: builds it from the Dockerfile, runs it against vmq-sim on the
# host and checks from outside the container that it serves exact window counts, runs as
# non-root on a read-only root filesystem, links every library it needs, becomes healthy and
# stops cleanly on SIGTERM.
#
#   tests/docker/docker_image_test.sh SOURCE_DIR BUILD_DIR
#
# It starts its own dockerd (data root under BUILD_DIR/docker-test, which keeps the layer cache
# between runs; own exec root, socket, pid file, config file and key file), so it neither needs
# nor touches a system docker. Image registries are out of reach, so `debian:bookworm-slim` is
# a stand-in made with debootstrap from this machine's Debian mirror, cached as a tarball.
# Exit 77 (ctest SKIP) with the reason when dockerd cannot run here; any other problem fails.
set -euo pipefail

readonly kSkip=77
readonly kImage=vernemq-pubcomp-exporter:test
readonly kBuildStage=vernemq-pubcomp-exporter:test-build-stage
readonly kContainer=vernemq-pubcomp-exporter-test
readonly kBaseImage=debian:bookworm-slim
readonly kDocker=/usr/bin/docker  # Debian's client, same version as its dockerd
readonly kCgroupParent=/vernemq-pubcomp-exporter-test-$$  # one per run: removed at the end

source_dir=$(cd "$1" && pwd)
build_dir=$(cd "$2" && pwd)
work=$build_dir/docker-test
mkdir -p "$work"
started=$SECONDS
exec 9>"$work/lock"
flock -n 9 || { echo "docker-test: another run uses $work" >&2; exit 1; }

log() { echo "docker-test [$((SECONDS - started))s]: $*" >&2; }
fail() {
  log "FAIL: $*"
  exit 1
}
skip() {
  log "SKIP: $*"
  exit "$kSkip"
}

# --- cleanup: only what this script started, by pid -------------------------------------------
dockerd_pid=""
had_run_containerd=false
[[ -e /run/containerd ]] && had_run_containerd=true
sim_pid=""
run_dir=""
tmp=$(mktemp -d "$work/run.XXXXXX")
chmod 755 "$tmp"  # the container's user reads the mounted config from here

docker() { DOCKER_CONFIG=$work/client "$kDocker" -H "unix://$run_dir/docker.sock" "$@"; }

stop_pid() {  # pid, seconds
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid did not stop in $2 s, killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

unmount_under() {  # path prefix
  awk -v prefix="$1" 'index($2, prefix) == 1 {print $2}' /proc/mounts | sort -r |
    while read -r mount_point; do
      umount "$mount_point" || log "could not unmount $mount_point"
    done
}

# What a stopped dockerd and containerd 1.6 leave behind: the bind mount of the host's network
# namespace in the exec root (and, had dockerd to be killed, its mounts in the data root), the
# empty parent cgroups and containerd's shim socket folder (a path built into containerd).
# Called once this run's dockerd has exited; folders go only if empty.
remove_leftovers() {
  local cgroup
  [[ -n $run_dir ]] || return 0
  unmount_under "$run_dir/"
  unmount_under "$work/data-root"
  grep -q " $run_dir/" /proc/mounts || rm -rf --one-file-system "$run_dir"
  for cgroup in /sys/fs/cgroup/*"$kCgroupParent" "/sys/fs/cgroup$kCgroupParent"; do
    [[ -d $cgroup ]] && rmdir "$cgroup"
  done
  if ! $had_run_containerd; then rmdir /run/containerd/s /run/containerd 2>/dev/null; fi
}

cleanup() {
  local status=$?
  set +e
  if [[ -n $dockerd_pid ]]; then
    if [[ $status -ne 0 && $status -ne $kSkip ]] && docker inspect "$kContainer" &>/dev/null; then
      log "container log:"
      docker logs "$kContainer" 2>&1 | tail -n 30 >&2
    fi
    docker rm -f "$kContainer" >/dev/null 2>&1
    local containerd_pid
    containerd_pid=$(cat "$run_dir/containerd/containerd.pid" 2>/dev/null)
    stop_pid "$dockerd_pid" 30
    wait "$dockerd_pid" 2>/dev/null
    # dockerd stops the containerd it started; this only matters if dockerd had to be killed.
    [[ -n $containerd_pid ]] && stop_pid "$containerd_pid" 10
  fi
  [[ -n $sim_pid ]] && stop_pid "$sim_pid" 10
  remove_leftovers
  rm -rf "$tmp"
  log "finished with status $status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- prerequisites -------------------------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || skip "dockerd needs root and this test runs as uid $(id -u)"
"$source_dir/scripts/install-deps.sh" --docker
for binary in vmq-sim vernemq-pubcomp-exporter; do
  [[ -x $build_dir/bin/$binary ]] || fail "$build_dir/bin/$binary is not built"
done

# --- a private dockerd ---------------------------------------------------------------------------
start_dockerd() {
  # Unix socket paths are limited to 108 bytes and containerd nests its sockets in the exec
  # root, so a deep build directory gets a short one under /tmp instead.
  if [[ ${#work} -le 48 ]]; then
    run_dir=$work/run
    mkdir -p "$run_dir"
  else
    run_dir=$(mktemp -d /tmp/vmq-dockerd.XXXXXX)
  fi
  local pidfile=$run_dir/dockerd.pid
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    fail "a dockerd from an earlier run still holds $pidfile (pid $(cat "$pidfile")); stop it first"
  fi
  # Its own config and key file: dockerd would otherwise read /etc/docker/daemon.json and
  # write /etc/docker/key.json.
  printf '{"deprecated-key-path": "%s"}\n' "$work/key.json" >"$work/daemon.json"
  dockerd --config-file "$work/daemon.json" --data-root "$work/data-root" \
    --exec-root "$run_dir" -H "unix://$run_dir/docker.sock" --pidfile "$pidfile" \
    --iptables=false --ip-masq=false --bridge=none --userland-proxy=false \
    --cgroup-parent="$kCgroupParent" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  local i
  for ((i = 0; i < 600; i++)); do
    docker version >/dev/null 2>&1 && return 0
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      wait "$dockerd_pid" || true
      dockerd_pid=""
      skip "dockerd cannot run here: $(grep -E 'level=(fatal|error)|failed' "$work/dockerd.log" |
        tail -n 3)"
    fi
    sleep 0.1
  done
  fail "dockerd did not answer on $run_dir/docker.sock within 60 s (log: $work/dockerd.log)"
}

# The mirror this machine's apt uses for bookworm (not the security archive).
host_mirror() {
  local mirror=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z $mirror && -f /etc/apt/sources.list ]]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

# debian:bookworm-slim stand-in: a minbase bootstrap with the real image's apt sources (this
# machine's deb822 file, which the official image also uses) and, like it, no package lists.
make_base_tarball() {
  local tarball=$1 rootfs=$work/rootfs.tmp mirror
  mirror=$(host_mirror)
  log "debootstrap bookworm from $mirror (once; cached in $tarball)"
  # An interrupted earlier debootstrap may have left /proc or /sys mounted in its target.
  unmount_under "$rootfs/"
  rm -rf --one-file-system "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    fail "debootstrap failed: $(tail -n 5 "$work/debootstrap.log")"
  if grep -qs bookworm /etc/apt/sources.list.d/debian.sources; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf --one-file-system "$rootfs"
}

ensure_base_image() {
  docker image inspect "$kBaseImage" >/dev/null 2>&1 && return 0
  local tarball=$work/debian-bookworm-minbase.tar
  if [[ ! -s $tarball ]]; then make_base_tarball "$tarball"; fi
  docker import -c 'CMD ["bash"]' "$tarball" "$kBaseImage" >/dev/null
}

# --- helpers for the checks ----------------------------------------------------------------------
wait_until() {  # seconds, description, command...
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 5; i++)); do
    "$@" && return 0
    if ! [[ $(docker inspect -f '{{.State.Running}}' "$kContainer" 2>/dev/null) == true ]] &&
      docker inspect "$kContainer" >/dev/null 2>&1; then
      fail "the container stopped while waiting for: $what"
    fi
    sleep 0.2
  done
  fail "timed out after $seconds s waiting for: $what"
}

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  echo "$port"
}

json_port() {  # key, file
  sed -n "s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p" "$2" | head -n 1
}

metrics() { curl -fsS "http://127.0.0.1:$exporter_port/metrics"; }
metric_line() { metrics | grep -E "$1"; }
http_status() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$exporter_port$1"; }

# --- the test ------------------------------------------------------------------------------------
start_dockerd
log "dockerd $(docker version -f '{{.Server.Version}}') up (pid $dockerd_pid)"
docker rm -f "$kContainer" >/dev/null 2>&1 || true
ensure_base_image
# A container that does nothing tells the sandbox's limits apart from faults of the image.
if ! out=$(docker run --rm --network host "$kBaseImage" true 2>&1); then
  skip "dockerd runs but cannot start a container here: $out"
fi

log "building $kImage (log: $work/build.log)"
build_image() {  # docker build options
  DOCKER_BUILDKIT=0 docker build --network host "$@" "$source_dir" >>"$work/build.log" 2>&1 ||
    fail "docker build failed: $(tail -n 20 "$work/build.log")"
}
: >"$work/build.log"
# The build stage gets a tag of its own so that pruning the images earlier builds left behind
# keeps the layer cache of the current one (its dependency layer is over 1 GB).
revision=$(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
build_image --target build --build-arg VMQ_REVISION="$revision" -t "$kBuildStage"
build_image --build-arg VMQ_REVISION="$revision" -t "$kImage"
docker image prune -f >/dev/null
log "image built, $(docker image inspect -f '{{.Size}}' "$kImage") bytes"

[[ $(docker image inspect -f '{{.Config.User}}' "$kImage") == 10001:10001 ]] ||
  fail "image user is not 10001:10001"
missing=$(docker run --rm --entrypoint ldd "$kImage" /usr/bin/vernemq-pubcomp-exporter |
  grep 'not found' || true)
[[ -z $missing ]] || fail "runtime stage lacks shared libraries: $missing"
docker run --rm "$kImage" --version | grep -q '^vernemq-pubcomp-exporter ' ||
  fail "--version did not print the program name"
# Replacing CMD keeps the packaged config, found from WORKDIR.
docker run --rm "$kImage" --config.check | grep -q 'OK' || fail "packaged config is not valid"

cat >"$tmp/scenario.yaml" <<'EOF'
control_port: 0
nodes:
  - name: vmq-1
    port: 0
    layout: "2.x"
    background: {qos2_per_s: 2}
EOF
"$build_dir/bin/vmq-sim" --scenario "$tmp/scenario.yaml" --ports-file "$tmp/ports.json" \
  >"$tmp/vmq-sim.log" 2>&1 &
sim_pid=$!
for ((i = 0; i < 100; i++)); do
  [[ -s $tmp/ports.json ]] && break
  kill -0 "$sim_pid" 2>/dev/null || fail "vmq-sim exited: $(cat "$tmp/vmq-sim.log")"
  sleep 0.1
done
control_port=$(json_port control "$tmp/ports.json")
node_port=$(json_port vmq-1 "$tmp/ports.json")
[[ -n $control_port && -n $node_port ]] || fail "no ports from vmq-sim: $(cat "$tmp/ports.json")"

cat >"$tmp/config.yaml" <<EOF
targets:
  - {name: vmq-1, url: "http://127.0.0.1:$node_port/metrics"}
poll: {interval: 1s, timeout: 800ms}
windows: [1m]
EOF
chmod 644 "$tmp/config.yaml"
exporter_port=$(free_port)

# As in docs/deploy/README.md, plus a fast health interval so the test need not wait 15 s.
docker run -d --name "$kContainer" --network host --read-only --cap-drop ALL \
  --security-opt no-new-privileges --health-interval 1s \
  -v "$tmp/config.yaml:/etc/vernemq-pubcomp-exporter/config.yaml:ro" \
  "$kImage" \
  --config.file=/etc/vernemq-pubcomp-exporter/config.yaml \
  --web.listen-address="127.0.0.1:$exporter_port" >/dev/null
log "container started, exporter on 127.0.0.1:$exporter_port, vmq-sim node on :$node_port"

ready() { [[ $(http_status /-/ready) == 200 ]]; }
wait_until 30 "/-/ready answers 200" ready
metric_line '^vmq_target_up\{[^}]*target="vmq-1"[^}]*\} 1$' >/dev/null ||
  fail "vmq_target_up is not 1: $(metrics | grep vmq_target_up)"

curl -fsS -X POST \
  "http://127.0.0.1:$control_port/nodes/vmq-1/events?event=v4_pubcomp_unknown_id&count=5" \
  >/dev/null || fail "vmq-sim refused the event"
readonly kFiveUnexpected='^vmq_pubcomp_unexpected_received\{[^}]*target="vmq-1"'\
'[^}]*mqtt_version="4"[^}]*window="1m"[^}]*\} 5$'
counted_five() { metric_line "$kFiveUnexpected" >/dev/null; }
wait_until 30 "5 unexpected PUBCOMPs in the 1m window" counted_five

[[ $(docker exec "$kContainer" id -u) == 10001 ]] || fail "the exporter runs as root"
container_pid=$(docker inspect -f '{{.State.Pid}}' "$kContainer")
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$container_pid/status")
[[ $uids == "10001 10001 10001 10001" ]] || fail "process uids seen from the host: $uids"

healthy() { [[ $(docker inspect -f '{{.State.Health.Status}}' "$kContainer") == healthy ]]; }
wait_until 60 "HEALTHCHECK reports healthy" healthy

docker stop -t 10 "$kContainer" >/dev/null
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$kContainer")
[[ $exit_code == 0 ]] || fail "exporter exit code on docker stop: $exit_code (not a clean SIGTERM)"

log "PASS"
