#!/usr/bin/env bash
# The ablation table of docs/CLASSIFICATION.md: each row is `pipeline train classifier` on SST-2 with the
# flags shown, for seeds 1, 2 and 3; prints mean ± sample std of the best dev accuracy (the epoch kept) and,
# for rows marked "test", of the test accuracy of that model (and of the ML.NET baseline trained on the same
# training split). Dev is the only split used for choices; test is scored only for the final rows.
#
# Usage: scripts/classification-ablation.sh [SST2_DIR] [RUNS_DIR] [ROW_FILTER]
#   SST2_DIR    folder with train.tsv, dev.tsv, test.tsv (default ../shared/data/sst2)
#   RUNS_DIR    where the model folders and logs go (default runs/ablation, git-ignored)
#   ROW_FILTER  only rows whose name contains this text
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/sst2}"
runs="${2:-runs/ablation}"
filter="${3:-}"
mkdir -p "$runs"
dotnet build src/Pipeline -c Release -v quiet >/dev/null
pipeline="dotnet src/Pipeline/bin/Release/net10.0/pipeline.dll"

# The defaults before issue 13, spelled out: N(0, 1) vectors, batch 32, 10 epochs / patience 3, constant LR,
# no word dropout, no n-gram branch.
old="--embedding-init 0 --batch-size 32 --epochs 10 --patience 3 --lr-decay 1 --word-dropout 0 --ngrams 0"
rows=(
  # name | flags | test?
  "cnn: old defaults|--arch textcnn $old|test"
  "cnn: + U(±0.25) word vectors|--arch textcnn --embedding-init 0.25 --batch-size 32 --epochs 10 --patience 3 --lr-decay 1 --word-dropout 0 --ngrams 0|"
  "cnn: + batch 50, 30 epochs / patience 5, LR ×0.5 on plateau|--arch textcnn --word-dropout 0 --ngrams 0|"
  "cnn: + word dropout 0.1 (= defaults without n-grams)|--arch textcnn --ngrams 0|"
  "cnn: + NB bigram branch (= defaults)|--arch textcnn|test"
  "cnn: defaults + word2vec (train text), non-static|--arch textcnn --vectors $runs/w2v-train.txt|test"
  "cnn: --preset kim (CNN-rand)|--arch textcnn --preset kim|test"
  "birnn: old defaults|--arch birnn $old|test"
  "birnn: defaults without n-grams|--arch birnn --ngrams 0|"
  "birnn: defaults|--arch birnn|test"
  "birnn: defaults + word2vec (train text), non-static|--arch birnn --vectors $runs/w2v-train.txt|test"
)

if [[ ! -f "$runs/w2v-train.txt" ]]; then
  # Vectors from the training sentences only (131 k tokens): what a user without outside text can do.
  $pipeline train embeddings --corpus "$data/train.tsv" --column 1 --out "$runs/w2v-train.txt" --embedding-dim 128 --epochs 15 \
    --min-count 2 --threads 1 --seed 42 > "$runs/w2v-train.log" 2>&1
fi

stats() { awk '{s+=$1; ss+=$1*$1; n++} END {m=s/n; sd=(n>1)?sqrt((ss-n*m*m)/(n-1)):0; if (sd!=sd) sd=0; printf "%.2f ± %.2f", 100*m, 100*sd}'; }

echo "| row | dev accuracy % | test accuracy % | ML.NET baseline test % | epochs (best) | train time s | load |"
echo "|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
  IFS='|' read -r name flags test <<< "$row"
  [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
  dev=(); tst=(); base=(); ep=(); secs=(); loads=()
  for seed in 1 2 3; do
    out="$runs/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-' | tr -s '-')-s$seed"
    extra=""
    [[ "$test" == "test" ]] && extra="--test $data/test.tsv --baseline"
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $pipeline train classifier --data "$data/train.tsv" --valid "$data/dev.tsv" --out "$out" --seed $seed $flags $extra > "$out.log" 2>&1
    secs+=("$(echo "$(date +%s.%N) - $start" | bc)")
    dev+=("$(grep -o 'best validation Accuracy = [0-9.]*' "$out.log" | tail -1 | awk '{print $5}')")
    ep+=("$(grep -c 'train loss' "$out.log")($(grep -n '\*$' "$out.log" | grep 'train loss' | tail -1 | sed -E 's/.*epoch ([0-9]+):.*/\1/'))")
    if [[ "$test" == "test" ]]; then
      tst+=("$(grep -E '^│ (TextCnn|BiRnn) ' "$out.log" | awk -F'│' '{print $3}' | tr -d ' ')")
      base+=("$(grep -E '^│ ML.NET' "$out.log" | awk -F'│' '{print $3}' | tr -d ' ')")
    fi
  done
  devs=$(printf "%s\n" "${dev[@]}" | stats)
  tests="–"; bases="–"
  [[ "$test" == "test" ]] && tests=$(printf "%s\n" "${tst[@]}" | stats) && bases=$(printf "%s\n" "${base[@]}" | stats)
  printf "| %s | %s | %s | %s | %s | %s | %s |\n" "$name" "$devs" "$tests" "$bases" "${ep[*]}" "$(printf "%.0f " "${secs[@]}")" "${loads[*]}"
done
