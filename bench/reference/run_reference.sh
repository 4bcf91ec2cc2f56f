#!/usr/bin/env bash
# Runs the PyTorch/numpy reference benchmarks with Debian's /usr/bin/python3.
# All arguments go to reference.py, e.g.
#   bench/reference/run_reference.sh --env tuned --threads 2 --config sgemm_2048
#   bench/reference/run_reference.sh --env default --config all
#   bench/reference/run_reference.sh --serve < requests.txt
# reference.py builds the requested environment (--env tuned|default) itself and
# re-executes before numpy/torch are loaded, so nothing needs exporting here.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PIPELINE_REF_PYTHON:-/usr/bin/python3}"
if ! "$PY" -c "import torch, numpy" >/dev/null 2>&1; then
    echo "run_reference: torch/numpy not importable by $PY; run scripts/install-reference.sh" >&2
    exit 2
fi
exec "$PY" "$HERE/reference.py" "$@"
