#!/usr/bin/env bash
# README "Speed": how the cost of run's saliency stage grows. Seconds per image (a forward pass of
# the crops to rank the classes, then the gradient model for K classes) and the process's peak
# memory, for torchvision's MobileNetV2 (random weights: speed does not depend on them) exported at
# each image side, K classes, crops per image and threads. Writes docs/speed_growth.csv and
# docs/speed_growth.png (needs python3-matplotlib) and prints a Markdown table.
#   bash scripts/bench_growth.sh [runs] [arch]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
arch=${2:-mobilenet_v2}
SIDES=${PIPELINE_GROWTH_SIDES:-"224 320 416 512"}
PY=$(bash scripts/python.sh torch torchvision)
dotnet build src/Pipeline -c Release --verbosity quiet -nologo -o out/bin >/dev/null
mkdir -p out/growth docs
csv=docs/speed_growth.csv
echo "arch,side,crops,classes,threads,seconds,forwards,peak_mb" > "$csv"
for side in $SIDES; do
  model=out/growth/${arch}_$side.onnx
  [ -s "$model" ] || "$PY" -W ignore scripts/export_grad_onnx.py --arch "$arch" --size "$side" \
      --source-out "$model" --out "out/growth/${arch}_${side}_grad.onnx" --pipeline out/bin/Pipeline >/dev/null
  for threads in 1 2; do for crops in 1 10; do for k in 1 5 10; do
    out=$(out/bin/Pipeline bench --model "$model" --stage-only --crops "$crops" --stage-classes "$k" --threads "$threads" --runs "$runs")
    seconds=$(sed -n 's/^saliency stage[^:]*: \([0-9.]*\) = \([0-9.]*\) forward.*/\1,\2/p' <<<"$out")
    peak=$(sed -n 's/^peak memory of this process: \([0-9]*\) MB/\1/p' <<<"$out")
    echo "$arch,$side,$crops,$k,$threads,$seconds,$peak" | tee -a "$csv"
  done; done; done
done
"$PY" - "$csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| side | crops | threads | K=1 s (forwards) | K=5 s (forwards) | K=10 s (forwards) | peak MB, K=1 / 5 / 10 |")
print("|---|---|---|---|---|---|---|")
key = lambda r: (int(r["side"]), int(r["crops"]), int(r["threads"]))
for group in sorted({key(r) for r in rows}):
    cells = sorted((r for r in rows if key(r) == group), key=lambda r: int(r["classes"]))
    print(f"| {group[0]} | {group[1]} | {group[2]} | " + " | ".join(f"{float(r['seconds']):.3f} ({float(r['forwards']):.1f})" for r in cells)
          + " | " + " / ".join(r["peak_mb"] for r in cells) + " |")
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit("python3-matplotlib is missing (apt-get install python3-matplotlib): no plot")
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
for crops, style in ((10, "-"), (1, "--")):
    for threads, marker in ((1, "o"), (2, "s")):
        for k, colour in ((1, "tab:blue"), (5, "tab:orange"), (10, "tab:green")):
            cells = sorted((r for r in rows if int(r["crops"]) == crops and int(r["threads"]) == threads and int(r["classes"]) == k), key=lambda r: int(r["side"]))
            sides = [int(r["side"]) for r in cells]
            left.plot(sides, [float(r["seconds"]) for r in cells], style, marker=marker, color=colour,
                      label=f"{crops} crops, {threads} thr, K={k}")
            right.plot(sides, [float(r["peak_mb"]) for r in cells], style, marker=marker, color=colour)
left.set(xlabel="image side (px)", ylabel="seconds per image", yscale="log", title="saliency stage: ranking forward + gradients")
right.set(xlabel="image side (px)", ylabel="peak memory (MB)", title="peak memory of the process")
for axis in (left, right):
    axis.set_xticks(sorted({int(r["side"]) for r in rows}))
    axis.grid(alpha=0.3)
left.legend(fontsize=6, ncol=2)
fig.suptitle(f"{rows[0]['arch']}: cost against image side, classes K, crops and threads (solid 10 crops, dashed 1)", fontsize=9)
fig.tight_layout()
fig.savefig(sys.argv[1].replace(".csv", ".png"), dpi=110)
PY
