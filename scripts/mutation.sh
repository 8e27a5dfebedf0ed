#!/usr/bin/env bash
# Mutation testing (Stryker.NET, a local dotnet tool: .config/dotnet-tools.json) of the gradient rules
# (src/GradientGraphs/Rules, and Grad-CAM in Building/ClassActivationMap.cs) and of scoring and localisation (src/Pipeline/Scoring, src/Pipeline/Localisation)
# with the fast tests (configs in stryker/). Reports: StrykerOutput/<target>/reports/mutation-report.{html,json}.
# Not part of CI: it takes tens of minutes. Usage: bash scripts/mutation.sh [gradient-rules|pipeline-scoring]...
# STRYKER_CONCURRENCY (default 1) sets the number of parallel test runners.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PIPELINE_SHARED=${PIPELINE_SHARED:-$root/../shared}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(gradient-rules pipeline-scoring)
dotnet tool restore >/dev/null
for target in "${targets[@]}"; do
  case $target in
    gradient-rules)   tests=tests/GradientGraphs.Tests ;;
    pipeline-scoring) tests=tests/Pipeline.Tests ;;
    *) echo "unknown target '$target' (gradient-rules or pipeline-scoring)" >&2; exit 2 ;;
  esac
  (cd "$tests" && dotnet stryker --config-file "$root/stryker/$target.json" \
      --concurrency "${STRYKER_CONCURRENCY:-1}" --output "$root/StrykerOutput/$target" --skip-version-check)
done
