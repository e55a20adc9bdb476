// The model method of decomposition (LayerDecomp, issue 16): the pack's fine-tuned DiT
// (models/recipes/decomp.py) denoises a [background; RGBA foreground] latent pair at the
// pack's native size, conditioned on the image's latent and the object mask max-pooled to
// the latent grid, with the empty prompt; both halves are decoded and resampled back to
// the image's size. The foreground keeps what belongs to the object outside the mask
// (its shadow), which the inpaint method leaves in the background. Away from the object
// (outside the mask grown by a latent cell) the result keeps the image's own pixels.
// With no mask (null) the condition's mask channel is all zeros, which the model was
// trained to read as "peel the front-most layer": the object's mask is then predicted
// from the foreground's alpha (./decompose-all.ts), and an empty prediction means there
// is nothing left to peel. The foreground's colour is then solved from the image at the
// model's alpha (./unmix-foreground.ts), so the layers recompose the picture.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { resample } from '../../imaging/resample.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import { throwIfCancelled } from '../../jobs/job-context.ts';
import type { Device } from '../../runtime/execution-providers.ts';
import type { Pack } from '../../runtime/pack-registry.ts';
import { normalNoise } from '../../runtime/prng.ts';
import { sharedSessionPool, type SessionPool } from '../../runtime/session-pool.ts';
import { fillScalar, floatTensor, maskTensor, timestepTensor } from '../../runtime/tensors.ts';
import { eulerStep } from '../../schedulers/scheduler-flow-euler.ts';
import { loadAndEncode } from '../denoise/load-and-encode.ts';
import { PipelineTimer } from '../denoise/pipeline-timer.ts';
import { latentGeometry } from '../denoise/prepare-latents.ts';
import { prepareTimesteps } from '../denoise/prepare-timesteps.ts';
import { PackComponents } from '../pack-components.ts';
import type { Decomposition } from './decompose-inpaint.ts';
import { predictedMask } from './decompose-all.ts';
import type { ObjectMask } from './decompose-mask.ts';
import { keepGeometry, keepOriginalOutsideMask } from './keep-outside-mask.ts';
import { unmixForeground } from './unmix-foreground.ts';

export interface ModelDecomposeOptions {
  seed: number;
  steps: number;
  signal: AbortSignal;
  pool?: SessionPool;
  device?: Device;
  onStep?: (i: number, n: number) => void;
}

/** The mask on a latent grid of lw x lh cells: 1 where any mask pixel falls in the cell
 * (the image stretched onto the grid, as the image encoder stretches it). */
export function maskOnGrid(mask: ObjectMask, lw: number, lh: number): Float32Array {
  const out = new Float32Array(lw * lh);
  for (let y = 0; y < mask.height; y++) {
    const cy = Math.min(lh - 1, Math.floor((y * lh) / mask.height));
    for (let x = 0; x < mask.width; x++) if (mask.data[y * mask.width + x]) out[cy * lw + Math.min(lw - 1, Math.floor((x * lw) / mask.width))] = 1;
  }
  return out;
}

export interface ModelDecomposition extends Decomposition {
  provider: string;
  notes: string[];
  /** the mask the result was kept to: the given one, or the one predicted (null: none found) */
  mask: ObjectMask | null;
}

export async function modelDecomposition(pack: Pack, image: RgbaImage, mask: ObjectMask | null, o: ModelDecomposeOptions): Promise<ModelDecomposition> {
  const timer = new PipelineTimer();
  const notes: string[] = [];
  // 1. The pack's decomposition transformer and its geometry (the native latent grid).
  const parts = new PackComponents(pack, o.pool ?? sharedSessionPool(), o.device ?? 'auto');
  const model = parts.model;
  const io = model.transformer.io;
  if (!model.decompose || !io.imageCond) throw new LaminaError('bad_pack', `model pack "${model.id}" has no decomposition transformer (its manifest has no decompose component)`);
  const g = latentGeometry(model);
  const { channels: C, lh, lw } = g;
  const plane = lh * lw;
  if (image.width !== model.native.width || image.height !== model.native.height) notes.push(`decomposed at the model's native ${model.native.width}x${model.native.height} and resampled to ${image.width}x${image.height}`);
  try {
    // 2. The empty prompt, the image latent and the mask on the latent grid: the condition.
    const ctx = { signal: o.signal, progress: () => {} };
    const { transformer, text } = await loadAndEncode(parts, [''], ctx, timer, 'decomposition');
    const cond = new Float32Array((C + 1) * plane);
    cond.set((await parts.encodeImage(image)).latent);
    if (mask) cond.set(maskOnGrid(mask, lw, lh), C * plane); // none: zeros, "the front-most layer"
    // 3. Seeded noise for both latents and the timesteps.
    const latents = normalNoise(o.seed, 2 * C * plane);
    const { sigmas, model: timesteps } = prepareTimesteps(model, o.steps, g.imageTokens);
    // 4. Denoising loop: one network call per step (no guidance: the prompt is empty).
    const latentIn = floatTensor(new Float32Array(latents.length), [1, 2 * C, lh, lw]);
    const timestepIn = timestepTensor(transformer.spec(io.timestep).dtype, 1);
    const feeds = { [io.latent]: latentIn, [io.imageCond]: floatTensor(cond, [1, C + 1, lh, lw]), [io.timestep]: timestepIn, [io.text]: text.embeds };
    if (io.textMask) feeds[io.textMask] = maskTensor(transformer.spec(io.textMask).dtype, text.mask, [1, text.length]);
    for (let i = 0; i < o.steps; i++) {
      throwIfCancelled(o.signal);
      (latentIn.data as Float32Array).set(latents);
      fillScalar(timestepIn, timesteps[i]);
      const v = (await timer.network(1, () => transformer.run(feeds, { fetch: [io.output] })))[io.output].data as Float32Array;
      eulerStep(latents, v, sigmas[i], sigmas[i + 1], latents);
      o.onStep?.(i + 1, o.steps);
    }
    throwIfCancelled(o.signal);
    // 5. Decode [background; foreground] as a batch of two, the background opaque, both at the image's size.
    parts.releaseGraph(model.transformer.graph);
    const [bg, fg] = parts.toImages(await parts.decodeLatents(latents, 2, lh, lw), 2);
    for (let p = 3; p < bg.data.length; p += 4) bg.data[p] = 255;
    const sized = (im: RgbaImage) => (im.width === image.width && im.height === image.height ? im : resample(im, image.width, image.height, 'fill'));
    const out = { background: await sized(bg), foreground: await sized(fg) };
    // 6. No mask given: the object is where the foreground is mostly opaque (its shadow
    // is lighter); none there = nothing left to peel, the image stays as it is.
    const used = mask ?? predictedMask(out.foreground);
    if (!used) {
      notes.push('nothing left to peel: the model found no object');
      return { background: { ...image, data: new Uint8Array(image.data) }, foreground: { ...image, data: new Uint8Array(image.data.length) }, provider: transformer.provider, notes, mask: null };
    }
    // 7. Away from the object the image's own pixels stay (./keep-outside-mask.ts).
    const { radius, feather } = keepGeometry(image.width, image.height, lw, lh);
    // 8. The colour from the image at the model's alpha (./unmix-foreground.ts).
    const kept = unmixForeground(image, used, keepOriginalOutsideMask(image, used, out, radius, feather));
    notes.push(`the original pixels are kept more than ${radius + feather} px from the ${mask ? 'mask' : 'predicted mask'}`);
    return { ...kept, provider: transformer.provider, notes, mask: used };
  } finally {
    parts.release();
  }
}
