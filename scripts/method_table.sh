#!/usr/bin/env bash
# docs/methods.md's table: every map method against boxes, MaxBoxAccV2, the pointing game, deletion and
# insertion AUC, the sanity check and seconds per image, with 95% intervals (scripts/method_table.py).
#   bash scripts/method_table.sh [tune|dev] [IMAGES] [MODEL...] [-- METHOD...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(bash scripts/python.sh json)
exec "$PY" scripts/method_table.py "$@"
