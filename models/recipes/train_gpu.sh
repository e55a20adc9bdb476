#!/usr/bin/env bash
# Train and export the lamina-tiny pack on one CUDA GPU, inside a wall-clock budget.
#   models/recipes/train_gpu.sh [CKPT_DIR] [OUT_DIR]
# Each stage stops at its step count or its time budget (VAE_SECONDS, DIT_SECONDS; the LR
# schedule anneals over the budget), then the pack is exported, checked against ONNX
# Runtime and scored (--eval). Resumable: rerun the same command. CONFIG=tiny DEVICE=cpu
# runs the same script at toy scale (how it is tested without a GPU). Extra train
# arguments go in TRAIN_ARGS; PACK_VERSION names the exported pack's version.
set -euo pipefail
cd "$(dirname "$0")/../.."
CKPT="${1:-/work/ckpt/gpu}"
OUT="${2:-models/lamina-tiny}"
CONFIG="${CONFIG:-gpu}"
DEVICE="${DEVICE:-cuda}"
VAE_SECONDS="${VAE_SECONDS:-80}"
DIT_SECONDS="${DIT_SECONDS:-300}"
mkdir -p "$CKPT"
# TRAIN_TIMEOUT (seconds, 0 = none) is a hard stop for the training process; the export
# then runs on the last checkpoint, so a slow start never costs the whole run
timeout "${TRAIN_TIMEOUT:-0}" "${PYTHON:-python3}" -m models.recipes.train --config "$CONFIG" --ckpt "$CKPT" --device "$DEVICE" \
  --vae-seconds "$VAE_SECONDS" --dit-seconds "$DIT_SECONDS" ${TRAIN_ARGS:-} 2>&1 | tee -a "$CKPT/stdout.log" \
  || echo "training stopped early (exit ${PIPESTATUS[0]}); exporting the last checkpoint" | tee -a "$CKPT/stdout.log"
"${PYTHON:-python3}" -m models.recipes.export_onnx --ckpt "$CKPT" --out "$OUT" --eval --version "${PACK_VERSION:-0.2.0}"
