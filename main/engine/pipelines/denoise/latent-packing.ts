// FLUX's packed latents (diffusers' FluxPipeline._pack_latents / _unpack_latents) and its
// position ids. The sampler keeps latents unpacked ([C, h, w], like every other family:
// the Euler step is elementwise, so packing commutes with it); only the transformer's
// feed and output are packed: token (i, j) of the (h/2) x (w/2) grid carries the 2 x 2
// latent patch at (2i, 2j), features ordered (channel, dy, dx).

/** [B, C, h, w] -> [B, (h/2)(w/2), 4C], written into `out`. */
export function packLatents(src: Float32Array, B: number, C: number, h: number, w: number, out: Float32Array): Float32Array {
  const h2 = h >> 1;
  const w2 = w >> 1;
  const F = 4 * C;
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < h; y++) {
        const i = y >> 1;
        const dy = y & 1;
        const row = ((b * C + c) * h + y) * w;
        for (let x = 0; x < w; x++) out[(b * h2 * w2 + i * w2 + (x >> 1)) * F + c * 4 + dy * 2 + (x & 1)] = src[row + x];
      }
    }
  }
  return out;
}

/** [B, (h/2)(w/2), 4C] -> [B, C, h, w] (the inverse of packLatents). */
export function unpackLatents(src: Float32Array, B: number, C: number, h: number, w: number, out: Float32Array = new Float32Array(B * C * h * w)): Float32Array {
  const h2 = h >> 1;
  const w2 = w >> 1;
  const F = 4 * C;
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < h; y++) {
        const row = ((b * C + c) * h + y) * w;
        for (let x = 0; x < w; x++) out[row + x] = src[(b * h2 * w2 + (y >> 1) * w2 + (x >> 1)) * F + c * 4 + (y & 1) * 2 + (x & 1)];
      }
    }
  }
  return out;
}

/** Image token position ids [(h/2)(w/2), 3]: (0, row, column). */
export function imagePositionIds(h: number, w: number): Float32Array {
  const h2 = h >> 1;
  const w2 = w >> 1;
  const ids = new Float32Array(h2 * w2 * 3);
  for (let i = 0; i < h2; i++) for (let j = 0; j < w2; j++) {
    ids[(i * w2 + j) * 3 + 1] = i;
    ids[(i * w2 + j) * 3 + 2] = j;
  }
  return ids;
}
