#!/usr/bin/env bash
# The main job on the default model: MobileNetV2's gradient model with the guided rule (README's
# recommendation for boxes) and its model card, then `Pipeline run` on the demo photos: boxes in
# out/demo/loc.csv, maps and overlays in out/demo/maps, everything on one page in out/demo/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PIPELINE_SHARED:-../shared}
bash scripts/fetch_models.sh models/cache
dotnet build src/Pipeline -c Release --verbosity quiet -nologo -o out/bin
out/bin/Pipeline export-grad --model models/cache/mobilenet_v2_1.0_224.onnx --card models/onnx/mobilenet_v2.card.json \
  --rule guided --out out/mobilenet_v2_guided_grad.onnx
out/bin/Pipeline run --model out/mobilenet_v2_guided_grad.onnx --images "$SHARED/data/photos" --out out/demo --save-maps --restart
echo "open $(pwd)/out/demo/report.html to see the boxes and maps"
