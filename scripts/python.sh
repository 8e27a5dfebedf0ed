#!/usr/bin/env bash
# Prints a Python that imports every module named: $PIPELINE_PYTHON, else Debian's /usr/bin/python3
# (where scripts/setup.sh installs torch and numpy), else python3 on PATH; or says in one line what
# is missing and fails. Usage: PY=$(bash scripts/python.sh torch torchvision)
set -uo pipefail
modules=("$@")
imports=$(IFS=,; echo "import ${modules[*]:-sys}")
tried=()
for candidate in "${PIPELINE_PYTHON:-}" /usr/bin/python3 "$(command -v python3 || true)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  if "$candidate" -c "$imports" 2>/dev/null; then echo "$candidate"; exit 0; fi
  tried+=("$candidate")
done
# Debian's package names: python3-<module>, except OpenCV's.
packages=$(for m in "${modules[@]}"; do [ "$m" = cv2 ] && echo -n "python3-opencv " || echo -n "python3-$m "; done)
echo "no Python with ${modules[*]} (tried ${tried[*]:-no python3}): install ${packages% } (bash scripts/setup.sh) or set PIPELINE_PYTHON" >&2
exit 1
