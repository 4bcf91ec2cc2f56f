#!/usr/bin/env bash
# Starts a private Redis for `pipeline cluster` (clustering + job state) on PORT (default 6390, so it
# never collides with a system Redis on 6379), with its data and pid file in DIR (default .data/redis
# in the repository). Append-only persistence is on, so a restarted Redis still has every job's state.
# Idempotent: when a Redis already answers on PORT it is left as it is. Installs redis-server first
# if it is missing (scripts/install-redis.sh). Prints the connection string on its last line.
#
#   scripts/start-redis.sh [PORT] [DIR]      # then: export PIPELINE_REDIS=localhost:PORT
#   scripts/stop-redis.sh  [PORT] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-6390}"
dir="${2:-$PWD/.data/redis-$port}"

bash scripts/install-redis.sh >/dev/null

if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
  echo "redis already running on port $port"
  echo "localhost:$port"
  exit 0
fi

mkdir -p "$dir"
# Loopback only: the development instance is not meant to be reached from other machines
# (a multi-machine deployment runs its own Redis; see docs/cluster.md).
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
  --appendonly yes --save "" >/dev/null

for _ in $(seq 1 100); do
  if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
    echo "redis started on port $port (data in $dir)"
    echo "localhost:$port"
    exit 0
  fi
  sleep 0.1
done
echo "redis did not answer on port $port within 10 s; see $dir/redis.log" >&2
exit 1
