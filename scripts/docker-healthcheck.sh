#!/bin/bash
# HEALTHCHECK of the container image: GET /-/healthy from the exporter, exit 0 when it answers
# 200. Uses bash's /dev/tcp so that the image needs no curl, and takes the address from the
# exporter's own command line so that it follows --web.listen-address.
set -u

listen_address() {
  local proc args i
  for proc in /proc/[0-9]*; do
    mapfile -d '' args <"$proc/cmdline" 2>/dev/null || continue
    [[ ${#args[@]} -gt 0 && ${args[0]##*/} == vernemq-pubcomp-exporter ]] || continue
    for ((i = 1; i < ${#args[@]}; i++)); do
      case "${args[i]}" in
        --web.listen-address=*) echo "${args[i]#*=}"; return ;;
        --web.listen-address) echo "${args[i + 1]:-}"; return ;;
      esac
    done
    break
  done
  echo ":9742"
}

address=$(listen_address)
port=${address##*:}
host=${address%:*}
host=${host#[}
host=${host%]}
case "$host" in
  "" | 0.0.0.0) host=127.0.0.1 ;;
  ::) host=::1 ;;
esac

exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET /-/healthy HTTP/1.0\r\nHost: %s\r\n\r\n' "$host" >&3
read -r _ status _ <&3 || exit 1
[[ $status == 200 ]]
