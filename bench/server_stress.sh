#!/bin/sh
# Reproduces the HTTP server figures of bench/README.md against the real exporter on loopback:
# a scrape's latency under 500 idle + 100 slow-loris connections (plain and TLS), 1000
# concurrent keep-alive scrapers, memory after a 100 MB header and a million header lines, a
# correct scrape under a 64-client wrong-password flood, keep-alive latency of a small page
# (Nagle) and the listen backlog. Every load stops by itself; takes about 90 s.
#
#   bench/server_stress.sh [BUILD_DIR]     (after: ninja -C BUILD_DIR vernemq-pubcomp-exporter server_stress)
set -eu

build=${1:-build}
exporter=$build/bin/vernemq-pubcomp-exporter
stress=$build/bin/server_stress
for binary in "$exporter" "$stress"; do
  [ -x "$binary" ] || { echo "missing $binary (build it first)" >&2; exit 2; }
done

work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The exporter raises its own open-file limit; the load generator shares this shell's.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
printf 'targets:\n  - url: http://127.0.0.1:1/metrics\n' >"$work/config.yaml"
# Below Linux's ephemeral range (32768-60999), which the load generator's own connections use.
port=$((20000 + $$ % 10000))
scheme=http
curl_opts=""

# start_exporter [WEB_YML]: on the next free port (up to 5 tries).
start_exporter() {
  [ -n "$pid" ] && { kill "$pid"; wait "$pid" 2>/dev/null || true; }
  web=""
  [ $# -gt 0 ] && web="--web.config.file=$1"
  for _ in 1 2 3 4 5; do
    port=$((port + 1))
    # shellcheck disable=SC2086
    "$exporter" --config.file="$work/config.yaml" --web.listen-address="127.0.0.1:$port" $web \
      2>"$work/exporter.log" &
    pid=$!
    for _ in $(seq 50); do
      # shellcheck disable=SC2086
      curl -s -o /dev/null $curl_opts "$scheme://127.0.0.1:$port/-/healthy" && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    pid=""
  done
  echo "exporter did not start:" >&2
  cat "$work/exporter.log" >&2
  exit 1
}

# timed_scrapes COUNT [CURL_ARGS...]: COUNT scrapes of /metrics 1 s apart; prints the first and
# the slowest time.
timed_scrapes() {
  count=$1
  shift
  worst=0
  first=""
  failures=0
  for _ in $(seq "$count"); do
    # shellcheck disable=SC2086
    out=$(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}' $curl_opts "$@" \
      "$scheme://127.0.0.1:$port/metrics" || true)
    [ "${out%% *}" = 200 ] || failures=$((failures + 1))
    worst=$(echo "$worst ${out#* }" | awk '{print ($2 > $1) ? $2 : $1}')
    [ -n "$first" ] || first=${out#* }
    sleep 1
  done
  echo "  $count scrapes with curl, 1 s apart: first ${first} s, slowest ${worst} s, ${failures} not 200"
}

rss() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"; }

echo "== 500 idle + 100 slow-loris connections (1 byte per 5 s), plain HTTP"
start_exporter
"$stress" hold "$port" 500 100 15 &
hold=$!
sleep 3
timed_scrapes 8
wait "$hold"

echo "== same, TLS"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/server.key" -out "$work/server.crt" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$work/server.crt" \
  "$work/server.key" >"$work/tls.yml"
scheme=https
curl_opts="--cacert $work/server.crt"
start_exporter "$work/tls.yml"
"$stress" hold "$port" 500 100 15 tls &
hold=$!
sleep 3
timed_scrapes 8
wait "$hold"
scheme=http
curl_opts=""

echo "== 1000 concurrent keep-alive scrapers, 5 scrapes each"
start_exporter
"$stress" keepalive "$port" 1000 5 /metrics

echo "== oversize headers: memory (VmRSS, kB) before, after, peak (VmHWM)"
before=$(rss VmRSS)
"$stress" header "$port" 100000000 0
"$stress" header "$port" 0 1000000
# Eight at once.
attackers=""
for _ in 1 2 3 4; do
  "$stress" header "$port" 100000000 0 >/dev/null &
  attackers="$attackers $!"
  "$stress" header "$port" 0 1000000 >/dev/null &
  attackers="$attackers $!"
done
for attacker in $attackers; do wait "$attacker"; done
sleep 1
echo "  RSS before ${before} kB, after $(rss VmRSS) kB, peak $(rss VmHWM) kB"
timed_scrapes 1

hash=$("$stress" bcrypt s3cret 10)
printf 'basic_auth_users:\n  alice: %s\n' "$hash" >"$work/auth.yml"
for connections in kept new; do
  echo "== 64 clients sending random wrong passwords in a loop ($connections connections); correct scrapes"
  # A fresh exporter: the first correct scrape needs a bcrypt of its own.
  start_exporter "$work/auth.yml"
  "$stress" authflood "$port" 64 15 "$connections" &
  flood=$!
  sleep 3
  timed_scrapes 8 -u alice:s3cret
  wait "$flood"
  curl -s -u alice:s3cret "http://127.0.0.1:$port/metrics" | grep '^vmq_http_refused_total' |
    grep -E 'unauthorized|auth_busy' | sed 's/^/  /'
done

echo "== keep-alive latency of a small page (Nagle + delayed ACK would show ~40 ms)"
start_exporter
"$stress" sequential "$port" 200 /-/healthy

echo "== listen backlog (Send-Q of the listening socket)"
ss -ltnH "sport = :$port" | awk '{print "  backlog " $3}'
