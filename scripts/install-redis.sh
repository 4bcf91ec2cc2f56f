#!/usr/bin/env bash
# Installs Debian's redis-server, the clustering and job-state store of `pipeline cluster`
# (docs/cluster.md) and of the multi-process cluster tests. Idempotent: does nothing when
# redis-server is already installed, so CI can call it on every run.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server already installed: $(redis-server --version)"
  exit 0
fi

# apt-get needs root; CI and developer machines run as root, elsewhere fall back to sudo.
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends redis-server redis-tools
# The package enables a system-wide service on port 6379 where an init system runs; this project
# starts its own instance (scripts/start-redis.sh) and does not rely on that one.
redis-server --version
