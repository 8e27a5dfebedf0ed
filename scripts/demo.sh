#!/usr/bin/env bash
# The main job on the default model: MobileNetV2's gradient model, then saliency maps of the
# top-5 classes of each demo photo, written to out/maps (PNG: the map, and an overlay).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${PIPELINE_SHARED:-../shared}
bash scripts/fetch_models.sh models/cache
dotnet build src/Pipeline -c Release --verbosity quiet -o out/bin
out/bin/Pipeline export-grad --model models/cache/mobilenet_v2_1.0_224.onnx --out out/mobilenet_v2_grad.onnx
for photo in parrot.jpg hot_dog.jpg dog.jpg; do
  out/bin/Pipeline saliency --model out/mobilenet_v2_grad.onnx --image "$SHARED/data/photos/$photo" \
    --labels models/cache/imagenet1000_labels.txt --out out/maps
done
