#!/usr/bin/env bash
# Put a pack trained on the GPU machine (models/recipes/device_train.sh) in place:
#   models/recipes/unpack_device_pack.sh FILES_AT [PACK_DIR]
# FILES_AT is the folder the run tool copied $OUT to. The previous pack is kept in
# PACK_DIR.prev until you delete it; the training log goes to /work/ckpt/gpu/.
set -euo pipefail
cd "$(dirname "$0")/../.."
FROM="$1"
PACK="${2:-models/lamina-tiny}"
ls "$FROM"/pack.tgz.part-* >/dev/null
tmp=$(mktemp -d)
cat "$FROM"/pack.tgz.part-* | tar -xz -C "$tmp"
test -f "$tmp/lamina-tiny/manifest.json"
rm -rf "$PACK.prev"
[ -d "$PACK" ] && mv "$PACK" "$PACK.prev"
mv "$tmp/lamina-tiny" "$PACK"
rmdir "$tmp"
mkdir -p /work/ckpt/gpu
cp "$FROM"/train.log "$FROM"/stdout.log /work/ckpt/gpu/ 2>/dev/null || true
node bin/lamina.mjs info --json | head -c 2000
