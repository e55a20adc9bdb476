// FLUX's packed latents (diffusers' FluxPipeline._pack_latents / _unpack_latents) and its
// position ids. The sampler keeps latents unpacked ([C, h, w], like every other family:
// the Euler step is elementwise, so packing commutes with it); only the transformer's
// feed and output are packed: token (i, j) of the (h/2) x (w/2) grid carries the 2 x 2
// latent patch at (2i, 2j), features ordered (channel, dy, dx).

const maps = new Map<string, Int32Array>();

/** For each element of one unpacked item [C, h, w], its index in the packed item [(h/2)(w/2), 4C] (cached per shape). */
function packedIndex(C: number, h: number, w: number): Int32Array {
  const key = `${C}x${h}x${w}`;
  let map = maps.get(key);
  if (map) return map;
  map = new Int32Array(C * h * w);
  const w2 = w >> 1;
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) map[(c * h + y) * w + x] = ((y >> 1) * w2 + (x >> 1)) * 4 * C + c * 4 + (y & 1) * 2 + (x & 1);
    }
  }
  maps.set(key, map);
  return map;
}

/** [B, C, h, w] -> [B, (h/2)(w/2), 4C], written into `out`. */
export function packLatents(src: Float32Array, B: number, C: number, h: number, w: number, out: Float32Array): Float32Array {
  const map = packedIndex(C, h, w);
  const n = map.length;
  for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) out[b * n + map[i]] = src[b * n + i];
  return out;
}

/** [B, (h/2)(w/2), 4C] -> [B, C, h, w] (the inverse of packLatents). */
export function unpackLatents(src: Float32Array, B: number, C: number, h: number, w: number, out: Float32Array = new Float32Array(B * C * h * w)): Float32Array {
  const map = packedIndex(C, h, w);
  const n = map.length;
  for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) out[b * n + i] = src[b * n + map[i]];
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
