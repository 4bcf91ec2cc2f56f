#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the report browser tests
# (tests/Pipeline.Tests/Reports/ReportBrowserTests.cs). Idempotent: does nothing when
# /usr/bin/chromium already exists, so CI can call it on every run.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

# apt-get needs root; CI and developer machines run as root, elsewhere fall back to sudo.
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# fonts-dejavu-core gives the screenshots a predictable sans-serif font.
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core

/usr/bin/chromium --version
