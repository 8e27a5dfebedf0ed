#!/usr/bin/env bash
# The browser page's and the web tests' npm packages, at the versions the lock files pin, from the npm
# registry only: --ignore-scripts keeps onnxruntime-node's install script from fetching CUDA
# libraries elsewhere (its CPU library is in the package). The page's three ONNX Runtime Web files
# are copied into web/vendor (git-ignored), so web/ alone is the site.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "setup_web.sh: npm not found (Node 20 with npm is needed for web/ and tests/web)" >&2; exit 1; }
for dir in web tests/web; do
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
done
mkdir -p web/vendor
for f in ort.wasm.min.mjs ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm; do
  cp web/node_modules/onnxruntime-web/dist/$f web/vendor/
done
