#!/usr/bin/env bash
# Reproduces the "Cluster mode" measurements of docs/BENCHMARKS.md in one command, on the code users run
# (the Release `pipeline` executable) and the project's own Redis (scripts/start-redis.sh):
#
#   A. overhead: `pipeline caption` (one process, all cores) vs one silo (all cores) + `pipeline cluster caption`;
#   B. scaling: one silo on one core vs two silos on one core each (taskset -c 0 / -c 1, --threads 1),
#      with `pipeline caption` on one core beside them;
#   C. per-shard cost: one silo, the same images in shards of 256 and of 16; the coordinator's own busy
#      time per shard from `pipeline cluster status`.
#
# Every cluster run starts fresh silos (a new cluster and service id), so the first job on them ("cold") pays
# process start, model load and JIT once, as the single-process command does; the next job on the same silos
# is "warm", as every job after the first is on a long-running cluster. Silos run untiered
# (DOTNET_TieredCompilation=0, what `pipeline` ships since its runtimeconfig turned tiering off); the
# single-process command is measured both ways (the variable set explicitly to 1 and to 0). Rounds alternate the configurations. Wall times are the user-visible times of the
# commands (`/usr/bin/time`); CPU times add up every process of the run.
# Each measured process (single-process command, each silo) runs in a session of its own (setsid): Linux's
# autogroup scheduling shares the CPU fairly between sessions, not threads, so on a machine shared with other
# people's sessions a second silo in the same session would get no CPU that the first did not already have —
# each silo must compete for CPU as a separate machine would. On a quiet machine this changes nothing.
# The machine's load is printed before and after each block: timings on a shared machine are noisy.
#
#   bash bench/cluster/run.sh [--images 3000] [--rounds 3] [--shard-size 256] [--only A|B|C] [--keep DIR]
#                             [--model DIR] [--photos DIR]
#
# By default the input is --images synthetic 64-px scenes (`pipeline synth --seed 1`) and the model the
# synthetic-shapes captioner: a short job in which fixed costs weigh most. --model and --photos measure a real
# job instead, e.g. the shipped photo captioner on the first 2,000 Flickr8k photos (name order):
#
#   bash bench/cluster/run.sh --model data/models/captioner --photos /work/shared/data/flickr8k/images --images 2000 --rounds 2 --only A
#
# (--photos takes the first --images files of the folder, linked into the work folder; --images 0 takes all.)
set -euo pipefail
cd "$(dirname "$0")/../.."
images=3000; rounds=3; shard=256; keep=""; only="ABC"; model="data/models/captioner-shapes"; photos=""
usage="usage: $0 [--images N] [--rounds R] [--shard-size S] [--only A|B|C] [--keep DIR] [--model DIR] [--photos DIR]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --images) images=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --shard-size) shard=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --photos) photos=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[[ -d "$model" ]] || { echo "$0: no model directory $model" >&2; exit 2; }
[[ -z "$photos" || -d "$photos" ]] || { echo "$0: no photo folder $photos" >&2; exit 2; }
model=$(cd "$model" && pwd)

dotnet build src/Pipeline -c Release -v q -nologo >/dev/null
pipeline=(dotnet "$PWD/src/Pipeline/bin/Release/net10.0/pipeline.dll")
redis_start=$(bash scripts/start-redis.sh)
redis=${redis_start##*$'\n'}
work=${keep:-$(mktemp -d /tmp/pipeline-cluster-bench.XXXXXX)}
mkdir -p "$work"
silo_pids=()
cleanup() {
  for pid in "${silo_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  redis-cli -u "redis://$redis" --scan --pattern 'bench-*' | xargs -r redis-cli -u "redis://$redis" del >/dev/null || true
  if [[ "$redis_start" == *"redis started"* ]]; then bash scripts/stop-redis.sh >/dev/null; fi
  [[ -n "$keep" ]] || rm -rf "$work"
}
trap cleanup EXIT

if [[ -n "$photos" ]]; then
  # The first N image files of the folder in name order, hard-linked (copied across file systems) into one folder.
  mkdir -p "$work/images"
  find "$photos" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -printf '%f\n' | LC_ALL=C sort \
    | awk -v n="$images" 'n <= 0 || NR <= n' \
    | while read -r f; do ln "$photos/$f" "$work/images/$f" 2>/dev/null || cp "$photos/$f" "$work/images/$f"; done
  images=$(find "$work/images" -maxdepth 1 -type f | wc -l)
  input="$images photos from $photos"
else
  "${pipeline[@]}" synth --out "$work/images" --count "$images" --seed 1 --size 64 >/dev/null
  rm -f "$work/images/dataset.json"
  input="$images synthetic 64-px images"
fi
echo "# cluster benchmark: $input, model $model (beam 3), $(nproc) cores, $(date -u +%FT%TZ)"
echo "# commit $(git rev-parse --short HEAD); redis $redis"

# cpu seconds (user+sys) of a live process
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14+$15)/hz}' "/proc/$1/stat"; }

# start_silos ID CORESPEC... : one silo per argument ("all" = unpinned, else a taskset core list with --threads 1)
start_silos() {
  local id=$1; shift
  local i=0
  silo_pids=()
  for cores in "$@"; do
    local port=$((21000 + i)) gateway=$((31000 + i)) log="$work/$id-silo$i.log"
    local cmd=(setsid env DOTNET_TieredCompilation=0 "${pipeline[@]}" cluster silo --redis "$redis" --cluster-id "$id" --service-id "$id" --silo-port "$port" --gateway-port "$gateway")
    if [[ "$cores" == all ]]; then "${cmd[@]}" >"$log" 2>&1 &
    else taskset -c "$cores" "${cmd[@]}" --threads 1 >"$log" 2>&1 &
    fi
    silo_pids+=($!)
    i=$((i + 1))
  done
  for ((j = 0; j < i; j++)); do
    until grep -qs "worker started" "$work/$id-silo$j.log"; do sleep 0.2; done
  done
}

stop_silos() {
  for pid in "${silo_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${silo_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  silo_pids=()
}

# run_single CORESPEC [TIERED] -> "wall cpu"   (TIERED: the runtime's tiered compilation, 1 by default as for any .NET app)
run_single() {
  local out="$work/single-$RANDOM.jsonl" t="$work/time" tiered=${2:-1}
  if [[ "$1" == all ]]; then /usr/bin/time -f "%e %U %S" -o "$t" setsid -w env DOTNET_TieredCompilation="$tiered" "${pipeline[@]}" caption "$work/images" --model "$model" --out "$out" >/dev/null 2>&1
  else /usr/bin/time -f "%e %U %S" -o "$t" taskset -c "$1" setsid -w env DOTNET_TieredCompilation="$tiered" "${pipeline[@]}" caption "$work/images" --model "$model" --out "$out" >/dev/null 2>&1
  fi
  rm -f "$out" "${out%.jsonl}.errors.jsonl"
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$t"
}

# run_cluster "CORESPEC..." SHARDSIZE... -> one line per job, run one after the other on the same fresh silos
# (the first job is "cold": the silos load the model and JIT-compile; the next ones are "warm"):
#   "wall cpu shards coordinator_ms calls job_seconds"
run_cluster() {
  local cores=$1; shift
  local id="bench-$RANDOM$RANDOM" t="$work/time"
  # shellcheck disable=SC2086
  start_silos "$id" $cores
  local size
  for size in "$@"; do
    local out="$work/cluster-$RANDOM.jsonl" before=0 after=0 pid
    for pid in "${silo_pids[@]}"; do before=$(awk -v a="$before" -v b="$(cpu_of "$pid")" 'BEGIN{print a+b}'); done
    /usr/bin/time -f "%e %U %S" -o "$t" "${pipeline[@]}" cluster caption "$work/images" --model "$model" --out "$out" --shard-size "$size" \
      --redis "$redis" --cluster-id "$id" --service-id "$id" >/dev/null 2>&1
    for pid in "${silo_pids[@]}"; do after=$(awk -v a="$after" -v b="$(cpu_of "$pid")" 'BEGIN{print a+b}'); done
    local status shards calls busy elapsed
    status=$("${pipeline[@]}" cluster status --out "$out" --redis "$redis" --cluster-id "$id" --service-id "$id")
    shards=$(sed -n 's/.*shards: \([0-9,]*\) of.*/\1/p' <<<"$status" | tr -d ,)
    calls=$(sed -n 's/.*coordinator: \([0-9,]*\) shard-protocol calls.*/\1/p' <<<"$status" | tr -d ,)
    busy=$(sed -n 's/.*busy \([0-9]*\) ms.*/\1/p' <<<"$status")
    elapsed=$(sed -n 's/.*Succeeded after \([0-9.]*\) s.*/\1/p' <<<"$status")
    rm -f "$out" "${out%.jsonl}.errors.jsonl"
    awk -v silo="$(awk -v a="$after" -v b="$before" 'BEGIN{print a-b}')" -v s="$shards" -v c="${calls:-0}" -v b="${busy:-0}" -v e="${elapsed:-0}" \
      '{printf "%s %.2f %s %s %s %s\n", $1, $2 + $3 + silo, s, b, c, e}' "$t"
  done
  stop_silos
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A wall cpu job
record() { wall[$1]+="$2 "; cpu[$1]+="$3 "; job[$1]+="${4:-} "; }
load() { uptime | sed 's/.*load average: //'; }

if [[ "$only" == *A* ]]; then
echo; echo "## A. overhead, 2 cores: single process vs one silo   (load: $(load))"
for ((r = 1; r <= rounds; r++)); do
  read -r w c < <(run_single all); record single "$w" "$c"; echo "round $r  single process            wall $w s  cpu $c s"
  read -r w c < <(run_single all 0); record single_untiered "$w" "$c"; echo "round $r  single process, untiered  wall $w s  cpu $c s"
  { read -r w c s b n e; record cold1 "$w" "$c"; echo "round $r  1 silo + client, cold    wall $w s  cpu $c s  (job $e s, $s shards)"
    read -r w c s b n e; record warm1 "$w" "$c"; echo "round $r  1 silo + client, warm    wall $w s  cpu $c s  (job $e s, $s shards)"; } < <(run_cluster all "$shard" "$shard")
done
echo "(load after: $(load))"
fi

if [[ "$only" == *B* ]]; then
echo; echo "## B. scaling, one core per silo   (load: $(load))"
for ((r = 1; r <= rounds; r++)); do
  read -r w c < <(run_single 0); record single0 "$w" "$c"; echo "round $r  single process, core 0          wall $w s  cpu $c s"
  { read -r w c s b n e; record one_cold "$w" "$c" "$e"; echo "round $r  1 silo, core 0, cold            wall $w s  cpu $c s  (job $e s)"
    read -r w c s b n e; record one "$w" "$c" "$e"; echo "round $r  1 silo, core 0, warm            wall $w s  cpu $c s  (job $e s)"; } < <(run_cluster 0 "$shard" "$shard")
  { read -r w c s b n e; record two_cold "$w" "$c" "$e"; echo "round $r  2 silos, cores 0 and 1, cold   wall $w s  cpu $c s  (job $e s)"
    read -r w c s b n e; record two "$w" "$c" "$e"; echo "round $r  2 silos, cores 0 and 1, warm   wall $w s  cpu $c s  (job $e s)"; } < <(run_cluster "0 1" "$shard" "$shard")
done
echo "(load after: $(load))"
fi

small=16 big_shards=0 small_shards=0
if [[ "$only" == *C* ]]; then
echo; echo "## C. per-shard cost, one warm silo on 2 cores   (load: $(load))"
for ((r = 1; r <= rounds; r++)); do
  { read -r _; read -r w c s b n e; record big "$w" "$c"; big_shards=$s
    echo "round $r  shards of $shard: $s shards  wall $w s  job $e s  coordinator busy $b ms over $n calls  ($(awk -v b="$b" -v s="$s" 'BEGIN{printf "%.2f", b/s}') ms per shard)"
    read -r w c s b n e; record small "$w" "$c"; small_shards=$s
    echo "round $r  shards of $small:  $s shards  wall $w s  job $e s  coordinator busy $b ms over $n calls  ($(awk -v b="$b" -v s="$s" 'BEGIN{printf "%.2f", b/s}') ms per shard)"; } \
    < <(run_cluster all "$shard" "$shard" "$small")
done
echo "(load after: $(load))"
fi

m() { tr ' ' '\n' <<<"${wall[$1]:-}" | grep . | median; }
have() { [[ -n "${wall[$1]:-}" ]]; }
echo; echo "## medians (wall seconds of the command; images/s)"
for k in single single_untiered cold1 warm1 single0 one_cold one two_cold two big small; do
  have "$k" && printf "%-16s %7.2f s  %7.1f img/s\n" "$k" "$(m $k)" "$(awk -v n="$images" -v t="$(m $k)" 'BEGIN{print n/t}')"
done
if have single; then
  awk -v a="$(m single)" -v b="$(m cold1)" -v c="$(m warm1)" 'BEGIN{printf "1 silo vs single process (2 cores): cold %.3f x (time %+.1f %%), warm %.3f x (%+.1f %%)\n", a/b, (b/a-1)*100, a/c, (c/a-1)*100}'
  awk -v a="$(m single_untiered)" -v b="$(m cold1)" -v c="$(m warm1)" 'BEGIN{printf "1 silo vs single process, both untiered: cold %.3f x (time %+.1f %%), warm %.3f x (%+.1f %%)\n", a/b, (b/a-1)*100, a/c, (c/a-1)*100}'
fi
if have one; then
  awk -v a="$(m one)" -v b="$(m two)" -v c="$(m one_cold)" -v d="$(m two_cold)" 'BEGIN{printf "2 one-core silos vs 1, command wall time: warm %.2f x, cold %.2f x\n", a/b, c/d}'
  j() { tr ' ' '\n' <<<"${job[$1]:-}" | grep . | median; }
  awk -v a="$(j one)" -v b="$(j two)" -v c="$(j one_cold)" -v d="$(j two_cold)" 'BEGIN{printf "2 one-core silos vs 1, job time (submit to output, no client start): warm %.2f x (%.1f vs %.1f s), cold %.2f x\n", a/b, a, b, c/d}'
fi
if have big; then
  awk -v a="$(m big)" -v b="$(m small)" -v sa="$big_shards" -v sb="$small_shards" 'BEGIN{printf "per-shard cost, end to end: %.0f ms ((%.2f - %.2f) s over %d more shards)\n", (b-a)/(sb-sa)*1000, b, a, sb-sa}'
fi
