#!/usr/bin/env bash
# Regenerates docs/BENCHMARKS.md on a quiet machine: one build, then three `compare` runs of the same code;
# the third (with the default-environment reference, thread scaling, peak memory and, when a captioner
# is given, the end-to-end `pipeline caption` comparison) writes the page, with the first two runs'
# ratios beside its own and every bar judged on the median of the three.
#
#   bash bench/run-benchmarks.sh [--caption-model DIR --caption-photos FOLDER [--caption-count 200]] [other compare options]
#
# e.g. bash bench/run-benchmarks.sh --caption-model data/models/photo-captioner --caption-photos /work/shared/data/flickr8k/images
# Takes about an hour. Per-run JSON lines stay in bench/results/ (not committed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install-reference.sh
dotnet build src/Pipeline -c Release
dotnet build bench/Pipeline.Bench -c Release
BENCH=(dotnet bench/Pipeline.Bench/bin/Release/net10.0/Pipeline.Bench.dll)
RESULTS=bench/results
mkdir -p "$RESULTS"
echo "load before: $(uptime)" >&2
"${BENCH[@]}" compare --threads 2 --no-memory --json "$RESULTS/run1.jsonl"
"${BENCH[@]}" compare --threads 2 --no-memory --json "$RESULTS/run2.jsonl"
"${BENCH[@]}" compare --threads 2 --reference-env both --scaling --json "$RESULTS/run3.jsonl" \
    --previous "$RESULTS/run1.jsonl,$RESULTS/run2.jsonl" --out docs/BENCHMARKS.md "$@"
echo "load after: $(uptime)" >&2
