#!/usr/bin/env bash
# Stops the Redis that scripts/start-redis.sh started on PORT (default 6390), by the pid in its pid
# file. With --purge also deletes its data directory (every cluster job's state in it).
set -euo pipefail
cd "$(dirname "$0")/.."
purge=0
if [[ "${1:-}" == "--purge" ]]; then purge=1; shift; fi
port="${1:-6390}"
dir="${2:-$PWD/.data/redis-$port}"

if [[ -f "$dir/redis.pid" ]]; then
  pid=$(cat "$dir/redis.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "redis on port $port stopped (pid $pid)"
  fi
  rm -f "$dir/redis.pid"
else
  echo "no redis pid file in $dir; nothing to stop"
fi
if [[ $purge -eq 1 ]]; then rm -rf "$dir"; fi
