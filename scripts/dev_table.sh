#!/usr/bin/env bash
# README's localisation table: every method on the ILSVRC dev images, for both shared models,
# 10 crops. Saliency maps are computed once per model (the first, uncached run gives the saliency
# time) and reused for the other methods through --map-cache.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PIPELINE_SHARED:-../shared}
DEV=$SHARED/data/ilsvrc-dev
bash scripts/fetch_models.sh models/cache
dotnet build src/Pipeline -c Release --verbosity quiet -nologo -o out/bin
for model in mobilenet_v2 tiny_darknet; do
  source=models/cache/$([ $model = mobilenet_v2 ] && echo mobilenet_v2_1.0_224 || echo tiny_darknet).onnx
  out/bin/Pipeline export-grad --model "$source" --card models/onnx/$model.card.json --out out/${model}_grad.onnx >/dev/null
  rm -rf out/dev-cache-$model
  for method in mass-box paper quantile-box whole; do
    out/bin/Pipeline run --model out/${model}_grad.onnx --images "$DEV/images" --out out/dev-$model-$method --method $method \
      --truth "$DEV/LOC_val_solution.csv" --map-cache out/dev-cache-$model --device cpu >/dev/null 2>&1
    scores=$(out/bin/Pipeline eval --pred out/dev-$model-$method/loc.csv --truth "$DEV/LOC_val_solution.csv" \
      | awk -F'  +' '/error|acc/ {printf "%s | ", $2}')
    timing=$(python3 -c "import json,sys; t=json.load(open('out/dev-$model-$method/run.json'))['timings']; print('%.2f | %.3f' % (t['saliencySecondsPerImage'], t['localisationSecondsPerImage']))")
    echo "| $model | $method | $scores$timing |"
  done
done
