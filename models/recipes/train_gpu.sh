#!/usr/bin/env bash
# Train and export the lamina-tiny pack on one CUDA GPU (sized for ~10 minutes of an H100).
#   models/recipes/train_gpu.sh [CKPT_DIR] [OUT_DIR]
# Resumable: rerun the same command. CONFIG=tiny DEVICE=cpu runs the same script at toy
# scale (used to test it without a GPU). Extra train arguments go in TRAIN_ARGS.
set -euo pipefail
cd "$(dirname "$0")/../.."
CKPT="${1:-/work/ckpt/gpu}"
OUT="${2:-models/lamina-tiny}"
CONFIG="${CONFIG:-gpu}"
DEVICE="${DEVICE:-cuda}"
mkdir -p "$CKPT"
"${PYTHON:-python3}" -m models.recipes.train --config "$CONFIG" --ckpt "$CKPT" --device "$DEVICE" ${TRAIN_ARGS:-} 2>&1 | tee -a "$CKPT/stdout.log"
"${PYTHON:-python3}" -m models.recipes.export_onnx --ckpt "$CKPT" --out "$OUT" --eval
