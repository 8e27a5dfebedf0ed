#!/usr/bin/env bash
# Puts the two default classifiers (ONNX, see models/onnx/*.md) into the folder given (default models/cache).
# A local copy wins: $PIPELINE_SHARED/models or ../shared/models. Otherwise the files are
# downloaded from $PIPELINE_MODEL_URL (a folder that serves them, e.g. your team's mirror of
# the converted files; the conversion from the upstream releases is described in the model cards).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-models/cache}
mkdir -p "$dest"
local_dir=${PIPELINE_SHARED:-../shared}/models
for f in mobilenet_v2_1.0_224.onnx tiny_darknet.onnx imagenet1000_labels.txt imagenet1000_synsets.txt; do
  [ -s "$dest/$f" ] && continue
  if [ -s "$local_dir/$f" ]; then
    ln -sf "$(cd "$local_dir" && pwd)/$f" "$dest/$f"
  elif [ -n "${PIPELINE_MODEL_URL:-}" ]; then
    curl -fsSL "$PIPELINE_MODEL_URL/$f" -o "$dest/$f.part" && mv "$dest/$f.part" "$dest/$f"
  else
    echo "error: $f: not in $local_dir and PIPELINE_MODEL_URL is not set" >&2
    exit 1
  fi
done
