// Step "prepare latents" (diffusers' prepare_latents): the latent grid the pack's
// transformer takes and seeded Philox noise filling it. Sizes come from the manifest.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { generationSize } from '../../../../common/models/generation-size.ts';
import type { PackModel } from '../../runtime/pack-model.ts';
import { readNpyFloat32 } from '../../runtime/npy.ts';
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

/** The latent grid at generationSize (the canvas's own size when the pack takes any size and
 * the canvas is a multiple of its step, else the native size; the decode step resamples);
 * bad_pack when it disagrees with the transformer's declared token count. */
export function latentGeometry(model: PackModel, canvas?: { width: number; height: number }): LatentGeometry {
  const { channels, vaeScaleFactor } = model.latent;
  const size = generationSize(model.resolution, model.native, canvas);
  const lh = Math.round(size.height / vaeScaleFactor);
  const lw = Math.round(size.width / vaeScaleFactor);
  const patch = model.transformer.patchSize;
  const th = Math.floor(lh / patch);
  const tw = Math.floor(lw / patch);
  const imageTokens = th * tw;
  if (model.transformer.imageTokens !== null && model.transformer.imageTokens !== imageTokens) {
    throw new LaminaError('bad_pack', `model pack "${model.id}": ${lh}x${lw} latents in ${patch}x${patch} patches make ${imageTokens} image tokens, manifest says ${model.transformer.imageTokens}`);
  }
  return { channels, lh, lw, size: channels * lh * lw, th, tw, imageTokens };
}

/** The initial noise of one item: the spec's .npy file when it names one (its shape must be
 * [1, C, h, w] of this latent grid), else seeded standard-normal noise (the same for every
 * pipeline at this seed). */
export function prepareLatents(geometry: LatentGeometry, seed: number, noisePath?: string): Float32Array {
  if (noisePath === undefined) return normalNoise(seed, geometry.size);
  const { shape, data } = readNpyFloat32(noisePath);
  const want = [1, geometry.channels, geometry.lh, geometry.lw];
  if (shape.length !== 4 || shape.some((d, i) => d !== want[i])) {
    throw new LaminaError('bad_request', `${noisePath}: noise of shape (${shape.join(', ')}), this pack and canvas need (${want.join(', ')})`);
  }
  return data;
}
