#!/usr/bin/env bash
# Installs the PyTorch/numpy reference side of the benchmarks (bench/reference/).
#
# Uses Debian's packages and Debian's system interpreter /usr/bin/python3 (not a pyenv
# python that may come first on PATH). Idempotent: does nothing when torch and numpy
# already import under /usr/bin/python3 and libopenblas0-pthread is installed (threadpoolctl is optional and only reports
# which OpenBLAS kernel is in use; it is added when missing but never required).
#
# Usage: bash scripts/install-reference.sh        (needs root for apt-get)
set -euo pipefail

PY=/usr/bin/python3
PACKAGES=(python3-torch python3-numpy libopenblas0-pthread python3-threadpoolctl)

have_core() { [ -x "$PY" ] && "$PY" -c "import torch, numpy" >/dev/null 2>&1; }
have_tpc()  { [ -x "$PY" ] && "$PY" -c "import threadpoolctl" >/dev/null 2>&1; }
# numpy/torch import with any libblas.so.3 (even the slow reference BLAS): make sure
# the OpenBLAS pthreads build the benchmarks are meant to use is installed too.
have_openblas() { dpkg -s libopenblas0-pthread >/dev/null 2>&1; }

if have_core && have_openblas && have_tpc; then
    echo "install-reference: torch and numpy already importable by $PY; nothing to do"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

if have_core && have_openblas; then
    # Core is there; only the optional helper is missing. Failure here is not fatal.
    echo "install-reference: adding optional python3-threadpoolctl"
    $SUDO apt-get install -y --no-install-recommends python3-threadpoolctl \
        || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends python3-threadpoolctl; } \
        || echo "install-reference: python3-threadpoolctl unavailable (optional), continuing"
    exit 0
fi

echo "install-reference: installing ${PACKAGES[*]}"
$SUDO apt-get update
$SUDO apt-get install -y "${PACKAGES[@]}"

have_core || { echo "install-reference: torch/numpy still not importable by $PY" >&2; exit 1; }
"$PY" -c "import torch, numpy; print('install-reference: torch', torch.__version__, 'numpy', numpy.__version__)"
