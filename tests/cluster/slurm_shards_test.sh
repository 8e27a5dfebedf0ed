#!/usr/bin/env bash
# End-to-end test of sharded runs on Slurm (needs root: it starts a one-node cluster on this machine).
#
#   bash tests/cluster/slurm_shards_test.sh
#
# Builds the tool, makes the MobileNetV2 gradient model, starts the cluster (scripts/slurm_cluster.sh),
# submits a 4-shard array over ../shared/data/ilsvrc-dev/images plus its merge job (deploy/slurm/submit.sh),
# and while it runs:
#   - cancels shard 1 (scancel) once its loc.csv has a finished row, then requeues it (scontrol requeue);
#     a cancelled task fails the merge job's afterok on the whole array for good, so the merge job's
#     dependency is pointed at the array's tasks one by one (what a person would do by hand, see deploy/README.md);
#   - requeues shard 2 while it runs (scontrol requeue: what preemption or a node failure does).
# Then it waits for the merge job, checks that each task took its share by `--shard auto` (its run.json),
# runs one single-process `Pipeline run` over the same images, and checks that the merged loc.csv,
# errors.csv and loc_gt.csv are byte-identical to it.
# Prints `N passed, M failed` last; exits 1 if anything failed.
#
# Environment: PIPELINE_CLUSTER_CROPS (10; 1 is faster but a shard may then finish before it can be
# cancelled), PIPELINE_CLUSTER_WORK (a new /tmp/pipeline-cluster-test.XXXXXX; a given folder is emptied first),
# PIPELINE_CLUSTER_KEEP=1
# (leave the cluster running if this script started it), PIPELINE_CLUSTER_BIN (use this executable instead
# of building out/bin/Pipeline; for working on this script only).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
repo=$PWD
t0=$SECONDS

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
log() { echo "[$(( SECONDS - t0 ))s] $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
# A step that the rest cannot do without: on failure show the logs, and stop.
must() { if "$@"; then return 0; fi; fail "$*"; show_logs; finish; }

data=$repo/../shared/data/ilsvrc-dev
images=$data/images
truth=$data/LOC_val_solution.csv
crops=${PIPELINE_CLUSTER_CROPS:-10}
work=${PIPELINE_CLUSTER_WORK:-$(mktemp -d /tmp/pipeline-cluster-test.XXXXXX)}
shards=4
model=$repo/out/mnv2_grad.onnx
out=$work/out
array="" merge=""

show_logs() {
  [ -d "$out/logs" ] || return 0
  local f
  for f in "$out"/logs/*; do echo "--- $f"; tail -n 20 "$f"; done
}

# scontrol's view of one field of a job (or array task A_I); records stay MinJobAge (600 s) after the end.
field() { scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.2 s.
wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  while [ $SECONDS -lt $end ]; do "$@" && return 0; sleep 0.2; done
  return 1
}

rows() { [ -f "$1" ] && echo $(( $(wc -l < "$1") - 1 )) || echo 0; }
has_row() { [ "$(rows "$out/shard-$1/loc.csv")" -ge 1 ]; }
is_state() { [ "$(field "$1" JobState)" = "$2" ]; }

# A requeued job waits about two minutes (EligibleTime, Reason=BeginTime) before it may start again; make it
# eligible now. Its new begin time is set only once it is PENDING again, so wait for that first. Returns once
# the job runs, or waits only for a free CPU.
start_now() {
  local task=$1 end=$((SECONDS + 60)) state eligible
  while [ $SECONDS -lt $end ]; do
    state=$(field "$task" JobState)
    case "$state" in
      RUNNING|COMPLETED) return 0 ;;
      PENDING)
        eligible=$(date -d "$(field "$task" EligibleTime)" +%s 2>/dev/null || echo 0)
        if [ "$eligible" -gt "$(date +%s)" ] || [ "$(field "$task" Reason)" = BeginTime ]; then
          scontrol update JobId="$task" StartTime=now
        elif [ "$eligible" -gt 0 ]; then
          return 0
        fi ;;
    esac
    sleep 0.3
  done
  return 1
}

cleanup() {
  [ -n "$array$merge" ] && scancel $array $merge 2>/dev/null
  if [ "${started_cluster:-0}" = 1 ] && [ "${PIPELINE_CLUSTER_KEEP:-0}" != 1 ]; then bash scripts/slurm_cluster.sh stop >/dev/null; fi
}
trap cleanup EXIT

[ -d "$images" ] || { fail "no test images at $images"; finish; }
rm -rf "$work" && mkdir -p "$work"
log "work folder $work"
# One run at a time: two runs on the one 2-CPU node would cancel and time each other's shards.
exec 9>/tmp/pipeline-cluster-test.lock
if ! flock -n 9; then
  log "another slurm_shards_test.sh holds /tmp/pipeline-cluster-test.lock; waiting for it (up to 15 min)"
  flock -w 900 9 || { fail "another slurm_shards_test.sh still running after 15 min"; finish; }
fi

# 1. The tool and the gradient model
if [ -n "${PIPELINE_CLUSTER_BIN:-}" ]; then
  bin=$PIPELINE_CLUSTER_BIN
  log "using $bin (PIPELINE_CLUSTER_BIN), not building"
else
  log "building out/bin/Pipeline"
  must dotnet build src/Pipeline -c Release -o out/bin --verbosity quiet -nologo
  bin=$repo/out/bin/Pipeline
fi
must "$bin" export-grad --model ../shared/models/mobilenet_v2_1.0_224.onnx --card models/onnx/mobilenet_v2.card.json --out "$model"
if "$bin" run --help 2>&1 | grep -q -- '--shard' && "$bin" merge --help >/dev/null 2>&1; then
  pass "the tool has run --shard and merge"
else
  fail "the tool has no 'run --shard' or no 'merge' command yet"
  finish
fi

# 2. The cluster
scontrol ping >/dev/null 2>&1 || started_cluster=1
must bash scripts/slurm_cluster.sh start
log "cluster up"

# 3. The array and its merge job
run_args=(--crops "$crops" --device cpu --truth "$truth")
ids=$(bash deploy/slurm/submit.sh --bin "$bin" --model "$model" --images "$images" --out "$out" --shards $shards -- "${run_args[@]}")
echo "$ids"
array=$(sed -n 's/^array_job_id=//p' <<<"$ids")
merge=$(sed -n 's/^merge_job_id=//p' <<<"$ids")
must test -n "$array" -a -n "$merge"

# 4. Cancel shard 1 mid-run, then requeue it
if wait_until 300 has_row 1; then
  if is_state "${array}_1" RUNNING; then
    scancel "${array}_1"
    wait_until 30 is_state "${array}_1" CANCELLED
    total=$(find "$images" -maxdepth 1 -type f | wc -l)
    size1=$(( (total - 1 + shards - 1) / shards ))  # images with index % shards == 1
    log "cancelled ${array}_1 with $(rows "$out/shard-1/loc.csv") of its $size1 rows done"
    if [ "$(rows "$out/shard-1/loc.csv")" -lt "$size1" ] && is_state "${array}_1" CANCELLED; then pass "shard 1 cancelled mid-run"
    else fail "shard 1 cancelled mid-run (state $(field "${array}_1" JobState))"; fi
    # A task that ended CANCELLED is requeued like any finished batch job.
    scontrol requeue "${array}_1"
    start_now "${array}_1" || fail "requeued ${array}_1 did not start again"
    # afterok:<array> has failed for good with the cancelled task (Slurm keeps DependencyNeverSatisfied even
    # after the task succeeds on requeue); afterok on each task is evaluated afresh.
    deps=afterok$(for ((i = 0; i < shards; i++)); do printf ':%s_%d' "$array" "$i"; done)
    scontrol update JobId="$merge" Dependency="$deps" || fail "repoint the merge job's dependency"
  else
    fail "shard 1 was already $(field "${array}_1" JobState) when it had its first row (use more images or crops)"
  fi
else
  fail "shard 1 wrote no row in 300 s"; show_logs
fi

# 5. Requeue shard 2 while it runs
if wait_until 300 has_row 2 && is_state "${array}_2" RUNNING; then
  scontrol requeue "${array}_2"
  log "requeued running ${array}_2 at $(rows "$out/shard-2/loc.csv") rows"
  if start_now "${array}_2"; then pass "shard 2 requeued while running"; else fail "requeued ${array}_2 did not start again"; fi
else
  fail "shard 2 not caught running with a finished row (state $(field "${array}_2" JobState))"
fi

# 6. The merge job
merge_done() {
  local state
  state=$(field "$merge" JobState)
  case "$state" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) return 0 ;;
    PENDING) [ "$(field "$merge" Reason)" = DependencyNeverSatisfied ] ;;
    *) return 1 ;;
  esac
}
wait_until 420 merge_done || fail "merge job $merge not done after 420 s ($(field "$merge" JobState))"
log "array and merge jobs done"
for ((i = 0; i < shards; i++)); do
  state=$(field "${array}_$i" JobState) code=$(field "${array}_$i" ExitCode) restarts=$(field "${array}_$i" Restarts)
  if [ "$state" = COMPLETED ] && [ "$code" = 0:0 ]; then pass "task ${array}_$i completed (restarts $restarts)"
  else fail "task ${array}_$i: $state, exit $code"; fi
done
# Each task ran `--shard auto` (deploy/slurm/pipeline_array.sbatch): its run.json names its own share.
for ((i = 0; i < shards; i++)); do
  if grep -q "\"shard\": \"$i/$shards\"" "$out/shard-$i/run.json" 2>/dev/null && grep -q '"auto"' "$out/shard-$i/run.json"; then
    pass "shard-$i ran --shard auto as shard $i/$shards"
  else fail "shard-$i/run.json does not say --shard auto and shard $i/$shards"; fi
done
state=$(field "$merge" JobState) code=$(field "$merge" ExitCode)
if [ "$state" = COMPLETED ] && [ "$code" = 0:0 ]; then pass "merge job $merge completed"
else fail "merge job $merge: $state, exit $code, $(field "$merge" Reason)"; show_logs; fi

# 7. One process over the same images, and the comparison
log "single-process run"
"$bin" run --model "$model" --images "$images" --out "$work/single" --threads 1 "${run_args[@]}" > "$work/single.log" 2>&1 \
  || { fail "single-process run"; cat "$work/single.log"; }
log "comparing"
for f in loc.csv errors.csv loc_gt.csv; do
  if [ ! -e "$work/single/$f" ] && [ ! -e "$out/merged/$f" ]; then continue; fi
  if cmp "$work/single/$f" "$out/merged/$f"; then pass "merged $f identical to the single run's ($(rows "$out/merged/$f") rows)"
  else fail "merged $f differs from the single run's"; fi
done
if [ -s "$out/merged/run.json" ]; then pass "merged run.json written"; else fail "no merged run.json"; fi
log "done"
finish
