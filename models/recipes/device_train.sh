#!/usr/bin/env bash
# The one command for a lent GPU machine (the `run` tool; see models/recipes/README.md):
# trains + exports lamina-tiny inside the call's limit and leaves under $OUT what comes
# back (at most 8 files of 16 MiB): the pack as a tar.gz split in 15 MiB parts, the
# training log and the stdout. Unpack here with models/recipes/unpack_device_pack.sh.
#   run: bash models/recipes/device_train.sh          (timeout_s 600)
# Budgets: VAE_SECONDS (default 80) + DIT_SECONDS (default 300) of training (a hard stop at
# TRAIN_TIMEOUT=470 s), then about a minute of export, ONNX checks and scoring: ~8 min. Same script at toy scale on CPU:
#   OUT=/tmp/dev CONFIG=tiny DEVICE=cpu VAE_SECONDS=5 DIT_SECONDS=5 bash models/recipes/device_train.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?OUT must name the folder whose files come back}"
export PYTHONUNBUFFERED=1
WORK="${WORK:-/tmp/lamina-device}"
mkdir -p "$WORK" "$OUT"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
start=$(date +%s)
TRAIN_TIMEOUT="${TRAIN_TIMEOUT:-470}" bash models/recipes/train_gpu.sh "$WORK/ckpt" "$WORK/lamina-tiny" > "$OUT/stdout.log" 2>&1
rc=$?
echo "train_gpu.sh exit $rc after $(( $(date +%s) - start )) s" | tee -a "$OUT/stdout.log"
cp "$WORK/ckpt/train.log" "$OUT/train.log" 2>/dev/null
if [ -f "$WORK/lamina-tiny/manifest.json" ]; then
  tar -C "$WORK" -czf - lamina-tiny | split -b 15m -d - "$OUT/pack.tgz.part-"
  ls -l "$OUT" | tee -a "$OUT/stdout.log"
fi
exit $rc
