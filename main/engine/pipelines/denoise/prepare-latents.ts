// Step "prepare latents" (diffusers' prepare_latents): the latent grid the pack's
// transformer takes and seeded Philox noise filling it. Sizes come from the manifest.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import type { PackModel } from '../../runtime/pack-model.ts';
import { normalNoise } from '../../runtime/prng.ts';

export interface LatentGeometry {
  channels: number;
  /** latent height and width */
  lh: number;
  lw: number;
  /** elements of one item: channels * lh * lw */
  size: number;
  /** token grid (latent / patch) and image tokens */
  th: number;
  tw: number;
  imageTokens: number;
}

/** The latent grid at the pack's native size; bad_pack when it disagrees with the transformer's declared token count. */
export function latentGeometry(model: PackModel): LatentGeometry {
  const { channels, vaeScaleFactor } = model.latent;
  const lh = Math.round(model.native.height / vaeScaleFactor);
  const lw = Math.round(model.native.width / vaeScaleFactor);
  const patch = model.transformer.patchSize;
  const th = Math.floor(lh / patch);
  const tw = Math.floor(lw / patch);
  const imageTokens = th * tw;
  if (model.transformer.imageTokens !== null && model.transformer.imageTokens !== imageTokens) {
    throw new LaminaError('bad_pack', `model pack "${model.id}": ${lh}x${lw} latents in ${patch}x${patch} patches make ${imageTokens} image tokens, manifest says ${model.transformer.imageTokens}`);
  }
  return { channels, lh, lw, size: channels * lh * lw, th, tw, imageTokens };
}

/** Seeded standard-normal noise for one item (the same for every pipeline at this seed). */
export function prepareLatents(geometry: LatentGeometry, seed: number): Float32Array {
  return normalNoise(seed, geometry.size);
}
