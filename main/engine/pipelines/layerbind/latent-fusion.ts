// Latent compositing kernels for LayerBind (data in, results out). Latents of one item are
// [channels, H, W] (channel planes); alphas are one plane [H * W] in [0, 1] (a region's
// area coverage of each latent pixel). Blends use (1 - a) * under + a * over, so a = 1
// gives `over` exactly and a = 0 leaves `under` untouched.

/** out = (1 - a) * under + a * over per pixel, for every channel plane. out may alias under. */
export function blendPlanes(under: Float32Array, over: Float32Array, alpha: Float32Array, out: Float32Array = new Float32Array(under.length), scale = 1): Float32Array {
  const plane = alpha.length;
  if (under.length !== over.length || under.length % plane !== 0 || out.length !== under.length) {
    throw new RangeError(`blendPlanes: lengths differ (under ${under.length}, over ${over.length}, out ${out.length}, alpha plane ${plane})`);
  }
  for (let c = 0; c < under.length / plane; c++) {
    const base = c * plane;
    for (let p = 0; p < plane; p++) {
      const a = scale === 1 ? alpha[p] : Math.fround(scale * alpha[p]);
      if (a === 0) out[base + p] = under[base + p];
      else if (a === 1) out[base + p] = over[base + p];
      else out[base + p] = (1 - a) * under[base + p] + a * over[base + p];
    }
  }
  return out;
}

/**
 * Phase 1 fusion: start from the background branch and lay each region's branch over it,
 * back to front, inside the region's alpha. The front region wins where regions overlap.
 * `branches[r]` and `alphas[r]` are indexed by region; `backToFront` lists region indices.
 */
export function fuseByOrder(background: Float32Array, branches: readonly Float32Array[], alphas: readonly Float32Array[], backToFront: readonly number[]): Float32Array {
  const out = Float32Array.from(background);
  for (const r of backToFront) blendPlanes(out, branches[r], alphas[r], out);
  return out;
}

/**
 * Phase 1 anchoring: an instance branch keeps its own latent inside its region and takes
 * the shared background branch's latent outside it (in place on `branch`).
 */
export function anchorToBackground(branch: Float32Array, background: Float32Array, alpha: Float32Array): Float32Array {
  return blendPlanes(background, branch, alpha, branch);
}

/**
 * Phase 2 compositing: the global path's update, then each layer's update laid over it
 * back to front inside its region, at opacity `transparency` (the schedule's value for
 * this step). Returns a new array.
 */
export function compositeLayerUpdates(globalUpdate: Float32Array, layerUpdates: readonly Float32Array[], alphas: readonly Float32Array[], backToFront: readonly number[], transparency: number): Float32Array {
  const out = Float32Array.from(globalUpdate);
  if (transparency <= 0) return out;
  for (const r of backToFront) blendPlanes(out, layerUpdates[r], alphas[r], out, transparency);
  return out;
}
