#!/usr/bin/env bash
# The gradient benchmark of README "Speed": MobileNetV2 (the shared model; torch runs torchvision's
# mobilenet_v2) and ResNet-18 (torchvision, random weights, exported here), batch 1 and 8, K = 1 and 5,
# against torch autograd with the same thread count. Usage: bash scripts/bench.sh [threads] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-$(nproc)}
runs=${2:-10}
PY=$(bash scripts/python.sh torch torchvision)
bash scripts/fetch_models.sh models/cache
dotnet build src/Pipeline -c Release --verbosity quiet -o out/bin
[ -s out/resnet18.onnx ] || "$PY" -W ignore scripts/export_grad_onnx.py --arch resnet18 \
    --source-out out/resnet18.onnx --out out/resnet18_grad.onnx --pipeline out/bin/Pipeline
out/bin/Pipeline bench --model models/cache/mobilenet_v2_1.0_224.onnx --threads "$threads" --runs "$runs" --torch-arch mobilenet_v2 --python "$PY"
out/bin/Pipeline bench --model out/resnet18.onnx --threads "$threads" --runs "$runs" --torch-arch resnet18 --python "$PY"
