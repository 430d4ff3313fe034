#!/usr/bin/env bash
# The image's HEALTHCHECK: GET $SLUICE_HEALTH_URL (default http://127.0.0.1:8080/health/live) with
# bash's /dev/tcp, so the image needs no curl or wget. Exit 0 on an HTTP 2xx answer, else 1.
set -euo pipefail
url=${SLUICE_HEALTH_URL:-http://127.0.0.1:8080/health/live}
rest=${url#http://}
authority=${rest%%/*}
path=/${rest#*/}
if [ "$authority" = "$rest" ]; then path=/; fi
host=${authority%%:*}
port=80
if [ "$authority" != "$host" ]; then port=${authority#*:}; fi
exec 3<>"/dev/tcp/$host/$port"
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$authority" >&3
read -r -t 5 _ status _ <&3
[[ "$status" =~ ^2[0-9][0-9]$ ]]
