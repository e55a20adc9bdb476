#!/usr/bin/env bash
# The README's test command: build, typecheck, layering lint, unit + integration, e2e,
# recipe smoke test (where torch is installed). Ends with one pass/fail summary line.
set -u -o pipefail
cd "$(dirname "$0")/.."
LOG_DIR=${LAMINA_TEST_LOGS:-$(mktemp -d)}
passed=0; failed=0; stage_failures=()

stage() { # name, command...
  local name=$1; shift
  echo "=== $name"
  if "$@" 2>&1 | tee "$LOG_DIR/$name.log"; then :; else stage_failures+=("$name"); fi
}
count_node() { # node --test spec reporter totals
  local f=$LOG_DIR/$1.log p q
  p=$(grep -E '^ℹ pass [0-9]+' "$f" | tail -1 | awk '{print $3}'); q=$(grep -E '^ℹ fail [0-9]+' "$f" | tail -1 | awk '{print $3}')
  passed=$((passed + ${p:-0})); failed=$((failed + ${q:-0}))
}

stage build node scripts/build-renderer.mjs
stage typecheck npm run -s typecheck
stage lint npm run -s lint
stage unit npm run -s test:unit
count_node unit
stage e2e npm run -s test:e2e
count_node e2e
if python3 -c 'import torch, onnx' 2>/dev/null; then
  stage recipes python3 -m pytest -q models/recipes
  r=$(grep -Eo '[0-9]+ passed' "$LOG_DIR/recipes.log" | tail -1 | awk '{print $1}'); passed=$((passed + ${r:-0}))
  r=$(grep -Eo '[0-9]+ failed' "$LOG_DIR/recipes.log" | tail -1 | awk '{print $1}'); failed=$((failed + ${r:-0}))
else
  echo "=== recipes: skipped (torch/onnx not installed for python3; models/recipes/requirements.txt installs them)"
fi

for s in "${stage_failures[@]}"; do echo "stage failed: $s"; done
[ ${#stage_failures[@]} -gt 0 ] && [ "$failed" -eq 0 ] && failed=${#stage_failures[@]}
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#stage_failures[@]} -eq 0 ]
