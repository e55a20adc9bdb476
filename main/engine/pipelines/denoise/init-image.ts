// Step "init image" (img2img and inpainting, training-free on the same transformer, after
// SDEdit and RePaint-style latent blending): the picture's latent x0 is noised to the
// strength's starting sigma, x = (1 - s) x0 + s n (flow matching's straight path); after
// every step the cells outside the mask are put back on that path at the new sigma, so
// only the masked area is generated; at the end the decoded picture is composited over
// the original at full resolution, so pixels outside the mask come back byte for byte.
import type { InitImage } from '../../../../common/contract/generation-spec.ts';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import type { PackComponents } from '../pack-components.ts';
import type { LatentGeometry } from './prepare-latents.ts';

/** Regenerate-weight of each pixel in [0, 1] from a mask image (white = 1): luminance x alpha. */
export function maskWeights(mask: { width: number; height: number; rgba: Uint8Array }): Float32Array {
  const out = new Float32Array(mask.width * mask.height);
  for (let p = 0; p < out.length; p++) {
    const r = mask.rgba[p * 4], g = mask.rgba[p * 4 + 1], b = mask.rgba[p * 4 + 2], a = mask.rgba[p * 4 + 3];
    out[p] = ((r + g + b) / (3 * 255)) * (a / 255);
  }
  return out;
}

/** The mask on the latent grid: a cell is regenerated when any pixel it covers is (so the
 * blend seam lies outside the mask, where the final composite keeps the original). */
export function latentMask(weights: Float32Array, width: number, height: number, lh: number, lw: number): Float32Array {
  const out = new Float32Array(lh * lw);
  for (let y = 0; y < height; y++) {
    const cy = Math.min(lh - 1, Math.floor((y * lh) / height));
    for (let x = 0; x < width; x++) {
      if (weights[y * width + x] > 0) out[cy * lw + Math.min(lw - 1, Math.floor((x * lw) / width))] = 1;
    }
  }
  return out;
}

/** The first step to run for a strength (diffusers' img2img: the last strength x steps steps). */
export function startStep(steps: number, strength: number): number {
  return steps - Math.min(steps, Math.round(strength * steps));
}

/** x <- (1 - sigma) x0 + sigma noise, everywhere (`cells` null) or where `keep` cells are 0. */
export function noiseTo(out: Float32Array, x0: Float32Array, noise: Float32Array, sigma: number, regen: Float32Array | null, channels: number): void {
  const plane = out.length / channels;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      if (regen && regen[p] > 0) continue;
      const i = c * plane + p;
      out[i] = (1 - sigma) * x0[i] + sigma * noise[i];
    }
  }
}

/** generated over original by the pixel mask; weight 0 keeps the original's bytes exactly. */
export function compositeByMask(generated: RgbaImage, original: RgbaImage, weights: Float32Array | null): RgbaImage {
  if (!weights) return generated;
  const data = new Uint8Array(original.data.length);
  for (let p = 0; p < weights.length; p++) {
    const w = weights[p];
    for (let ch = 0; ch < 4; ch++) {
      const i = p * 4 + ch;
      data[i] = w <= 0 ? original.data[i] : w >= 1 ? generated.data[i] : Math.round(generated.data[i] * w + original.data[i] * (1 - w));
    }
  }
  return { width: original.width, height: original.height, data };
}

export interface PreparedInit {
  /** the picture's clean latent at the pack's native size */
  x0: Float32Array;
  /** per latent cell: 1 = regenerate; null = everywhere (img2img) */
  regen: Float32Array | null;
  /** per canvas pixel regenerate weight; null = everywhere */
  weights: Float32Array | null;
  original: RgbaImage;
  start: number;
}

/** Encodes the init picture and reads its mask; sizes must be the spec's canvas. */
export async function prepareInit(parts: PackComponents, init: InitImage, canvas: { width: number; height: number }, geometry: LatentGeometry, steps: number): Promise<PreparedInit> {
  const { image, mask } = init;
  if (image.width !== canvas.width || image.height !== canvas.height) {
    throw new LaminaError('bad_request', `init image is ${image.width}x${image.height}; the spec asks for ${canvas.width}x${canvas.height}`);
  }
  if (mask && (mask.width !== image.width || mask.height !== image.height)) {
    throw new LaminaError('bad_request', `init mask is ${mask.width}x${mask.height}; the image is ${image.width}x${image.height}`);
  }
  const original: RgbaImage = { width: image.width, height: image.height, data: image.rgba };
  const { latent } = await parts.encodeImage(original);
  const weights = mask ? maskWeights(mask) : null;
  const regen = weights ? latentMask(weights, image.width, image.height, geometry.lh, geometry.lw) : null;
  return { x0: latent, regen, weights, original, start: startStep(steps, init.strength) };
}
