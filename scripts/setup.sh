#!/usr/bin/env bash
# Installs what Pipeline and its tests need on Debian 12 (run as root), then restores NuGet packages.
#   libgtk-3-0                      OpenCV's native library (OpenCvSharp4.official.runtime.linux-x64) links it
#   libturbojpeg0                   the JPEG decoder (TurboJPEG API): the same libjpeg-turbo as OpenCV, with each image's warnings kept for its row
#   python3-torch, -torchvision     the gradient oracle of the tests, scripts/export_grad_onnx.py, the torch baseline of `bench`
#   python3-onnx                    handy for looking inside models
#   chromium                        renders report.html in the report tests and runs web/ in the web tests (headless)
#   (Node 20 and npm are expected on the machine: scripts/setup_web.sh installs the web page's and web tests' npm packages)
#   python3-numpy, python3-opencv   the tests' independent reader of .npy maps and second MaxBoxAcc computation (scripts/maxboxacc_check.py)
#   libopenblas0-pthread            a fast BLAS for torch (without it Debian's torch uses the reference BLAS)
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libgtk-3-0 libturbojpeg0 python3-torch python3-torchvision python3-onnx python3-numpy python3-opencv libopenblas0-pthread chromium)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
dotnet restore Pipeline.sln --verbosity quiet
bash scripts/setup_web.sh
