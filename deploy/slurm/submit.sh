#!/usr/bin/env bash
# Submits a sharded `Pipeline run` to Slurm: an array job (one task per shard, pipeline_array.sbatch) and a
# merge job (pipeline_merge.sbatch) that starts only once every array task has succeeded
# (--dependency=afterok:<array job>). Prints the two job ids as `array_job_id=...` and `merge_job_id=...`.
#
#   deploy/slurm/submit.sh --model out/mnv2_grad.onnx --images ../shared/data/ilsvrc-dev/images --out /scratch/run1 \
#       [--shards 4] [--cpus-per-task 2] [--max-parallel P] [--tasks 0-3] [--bin out/bin/Pipeline] [--no-merge] \
#       [-- more `Pipeline run` arguments, e.g. --crops 1 --device cpu --truth LOC_val_solution.csv]
#
# Results: OUT/shard-I (one per task, resumable), OUT/merged (loc.csv, errors.csv, loc_gt.csv, run.json),
# OUT/logs/array-<job>_<task>.out and OUT/logs/merge-<job>.out.
# --tasks resubmits some shards only (e.g. `--tasks 1,3` after those were cancelled), still cut into --shards
# shares, into the same OUT; their shard folders continue where they stopped. The new merge job then waits
# for the new array job only.
# Partition, time limit, account, ...: sbatch's own environment variables (SBATCH_PARTITION,
# SBATCH_TIMELIMIT, SBATCH_ACCOUNT, ...) apply to both jobs. Paths must be visible from the compute nodes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "submit.sh: $*" >&2; exit 1; }

model="" images="" out="" shards=4 cpus=1 max_parallel="" tasks="" bin="$repo/out/bin/Pipeline" merge=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --cpus-per-task) cpus=$2; shift 2 ;;
    --max-parallel) max_parallel=$2; shift 2 ;;
    --tasks) tasks=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --no-merge) merge=0; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "submit.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$model" ] && [ -n "$images" ] && [ -n "$out" ] || usage
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "--shards '$shards': expected a positive number"
[[ "$cpus" =~ ^[1-9][0-9]*$ ]] || die "--cpus-per-task '$cpus': expected a positive number"
[ -x "$bin" ] || die "$bin: not an executable (build with: dotnet build src/Pipeline -c Release -o out/bin)"
[ -f "$model" ] || die "$model: no such model"
[ -e "$images" ] || die "$images: no such folder or list file"
for a in "${extra[@]}"; do
  [[ "$a" =~ [[:space:]] ]] && die "run argument '$a' holds whitespace (PIPELINE_ARGS is split on whitespace)"
done
command -v sbatch >/dev/null || die "sbatch not found (no Slurm here? try scripts/slurm_cluster.sh start)"

abs() { realpath -m -- "$1"; }
mkdir -p "$out/logs"
export PIPELINE_BIN PIPELINE_MODEL PIPELINE_IMAGES PIPELINE_OUT PIPELINE_SHARDS PIPELINE_ARGS
PIPELINE_BIN=$(abs "$bin")
PIPELINE_MODEL=$(abs "$model")
PIPELINE_IMAGES=$(abs "$images")
PIPELINE_OUT=$(abs "$out")
PIPELINE_SHARDS=$shards
PIPELINE_ARGS="${extra[*]}"

array_spec=${tasks:-0-$((shards - 1))}${max_parallel:+%$max_parallel}
# The variables travel in the environment (--export=ALL), not in --export=VAR=... where a comma would split them.
array_id=$(sbatch --parsable --export=ALL --array="$array_spec" --cpus-per-task="$cpus" \
  --chdir="$PIPELINE_OUT" --output="$PIPELINE_OUT/logs/array-%A_%a.out" "$here/pipeline_array.sbatch")
array_id=${array_id%%;*}
echo "array_job_id=$array_id"
if [ $merge -eq 1 ]; then
  merge_id=$(sbatch --parsable --export=ALL --dependency="afterok:$array_id" \
    --chdir="$PIPELINE_OUT" --output="$PIPELINE_OUT/logs/merge-%j.out" "$here/pipeline_merge.sbatch")
  merge_id=${merge_id%%;*}
  echo "merge_job_id=$merge_id"
fi
