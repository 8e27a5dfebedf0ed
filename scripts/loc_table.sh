#!/usr/bin/env bash
# README's localisation table: localisation methods on an ILSVRC set, for the shared models, 10 crops.
#   bash scripts/loc_table.sh [tune|dev] [model[:rule]...] [-- extra run options]
# tune (default): the 500 images for choosing and reporting; dev: the 50 for quick checks.
# model: mobilenet_v2 or tiny_darknet; rule: gradient (default), guided or deconvnet (export-grad --rule).
# Saliency maps are computed once per model (the first, uncached run gives the saliency time) and
# reused for the other methods through --map-cache. Each error is given with its 95% interval
# (scripts/intervals.py: the Wilson score interval for a proportion of n images).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PIPELINE_SHARED:-../shared}
SET=${1:-tune}; shift || true
MODELS=(); while [ $# -gt 0 ] && [ "$1" != "--" ]; do MODELS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
EXTRA=("$@")
PY=$(bash scripts/python.sh json)
[ ${#MODELS[@]} -eq 0 ] && MODELS=(mobilenet_v2:guided mobilenet_v2 tiny_darknet:guided tiny_darknet)
METHODS=${PIPELINE_METHODS:-"mass-box paper quantile-box whole"}
DATA=$SHARED/data/ilsvrc-$SET
bash scripts/fetch_models.sh models/cache >/dev/null
dotnet build src/Pipeline -c Release --verbosity quiet -nologo -o out/bin >/dev/null
echo "| model | method | top-1 loc err | top-5 loc err | top-1 cls err | top-5 cls err | GT-known loc acc | saliency s | localisation s |"
echo "|---|---|---|---|---|---|---|---|---|"
for entry in "${MODELS[@]}"; do
  model=${entry%%:*}; rule=gradient; [ "$entry" != "$model" ] && rule=${entry#*:}
  source=models/cache/$([ "$model" = mobilenet_v2 ] && echo mobilenet_v2_1.0_224 || echo "$model").onnx
  out/bin/Pipeline export-grad --model "$source" --card "models/onnx/$model.card.json" --rule "$rule" --out "out/${model}_${rule}_grad.onnx" >/dev/null
  for method in $METHODS; do
    folder=out/$SET-$model-$rule-$method
    out/bin/Pipeline run --model "out/${model}_${rule}_grad.onnx" --images "$DATA/images" --out "$folder" --method "$method" --restart --quiet \
      --truth "$DATA/LOC_val_solution.csv" --map-cache "out/$SET-cache-$model-$rule" --device cpu "${EXTRA[@]}" >/dev/null
    out/bin/Pipeline eval --pred "$folder/loc.csv" --truth "$DATA/LOC_val_solution.csv" --json "$folder/scores.json" >/dev/null
    "$PY" - "$folder" "$model" "$method ($rule maps)" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from intervals import percent_with_interval
folder, model, method = sys.argv[1:4]
s = json.load(open(f"{folder}/scores.json")); t = json.load(open(f"{folder}/run.json"))["timings"]
n = s["images"]
def wilson(p):
    return percent_with_interval(round(p * n), n)
cells = [wilson(s[k]) for k in ("top1LocalisationError", "top5LocalisationError", "top1ClassificationError", "top5ClassificationError")]
cells.append(wilson(s["gtKnownLocalisationAccuracy"]) if s.get("gtKnownLocalisationAccuracy") is not None else "-")
print(f"| {model} | {method} | " + " | ".join(cells) + f" | {t['saliencySecondsPerImage']:.2f} | {t['localisationSecondsPerImage']:.3f} |")
PY
  done
done
