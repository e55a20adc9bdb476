// The spec of one generation, shared by `lamina generate --spec`, the editor and the server.
import { z } from 'zod';
import { Batch, GenerateSide, Guidance, Seed, Steps, Strength } from './limit-schemas.ts';
import { RawImage } from './raw-image.ts';

export const RegionSpec = z.object({
  id: z.string().min(1),
  box: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]),
  prompt: z.string(),
});

const layerBindParamShape = {
  mode: z.enum(['layerbind', 'regional-mask', 'global']).optional(),
  fuseSigma: z.number().gt(0).max(1).optional(),
  nursingEndSigma: z.number().min(0).max(1).optional(),
  fuseStep: z.number().int().min(0).optional(),
  nursingSteps: z.number().int().min(0).optional(),
  schedule: z.enum(['cosine', 'linear', 'constant']).optional(),
  strength: z.number().min(0).max(1).optional(),
  maskThreshold: z.number().gt(0).max(1).optional(),
  regionalSteps: z.number().int().min(0).optional(),
  sharedUncond: z.boolean().optional(),
  branchPooling: z.enum(['region', 'global+region']).optional(),
};

/** LayerBind method parameters riding on a spec (`lamina generate --spec`); they override
 * the pipeline's defaults (main/engine/pipelines/pipeline-layerbind.ts, docs/layerbind.md).
 * Strict: a misspelt parameter is an error, never silently ignored. */
export const LayerBindSpecParams = z.object(layerBindParamShape).strict();
export type LayerBindSpecParams = z.infer<typeof LayerBindSpecParams>;

/** The same parameters as a generated layer's provenance records them (as the pipeline
 * resolved them); keys a later version adds are kept, so files stay readable both ways. */
export const LayerBindRecord = z.object(layerBindParamShape).catchall(z.unknown());

/** How a result is enlarged from the pack's native size to the canvas (sharp's kernels). */
export const Upscale = z.enum(['lanczos', 'nearest']);
export type Upscale = z.infer<typeof Upscale>;

/** Regenerate an existing picture (img2img), or only part of it (inpainting): the image at
 * the spec's width x height, straight-alpha RGBA; the mask the same size, white =
 * regenerate, black = keep (those pixels come back unchanged); strength 0 keeps the image,
 * 1 regenerates from pure noise. Training-free on the same transformer: the image's latent
 * is noised to the strength and, outside the mask, blended back in after every step. */
export const InitImage = z.object({ image: RawImage, mask: RawImage.optional(), strength: Strength.default(0.6) }).strict();
export type InitImage = z.output<typeof InitImage>;

/** A LoRA adapter the pack ships (its manifest's components.adapters), applied with a
 * strength: 0 = the base model exactly, 1 = as trained (docs/lora.md). */
export const AdapterUse = z.object({
  id: z.string().min(1),
  strength: z.number().min(0).max(2),
}).strict();
export type AdapterUse = z.infer<typeof AdapterUse>;

export const GenerationSpec = z.object({
  prompt: z.string(),
  width: GenerateSide,
  height: GenerateSide,
  seed: Seed,
  steps: Steps,
  guidance: Guidance.default(4),
  regions: z.array(RegionSpec).default([]),
  /** Region ids, front to back. */
  order: z.array(z.string()).default([]),
  packId: z.string().optional(),
  /** initial noise as a .npy file (float32, the unpacked latent shape [1, C, h, w]) instead of the seeded noise: reproducible across tools */
  noise: z.string().min(1).optional(),
  /** LayerBind parameters (defaults chosen by measurement; see docs/layerbind.md) */
  layerbind: LayerBindSpecParams.optional(),
  device: z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']).default('auto'),
  /** the resampling from the pack's native size to width x height */
  upscale: Upscale.default('lanczos'),
  init: InitImage.optional(),
  /** variations: this many results (absent: 1), seeds seed, seed + 1, … (./variation-seeds.ts), landing as that many layers */
  batch: Batch.optional(),
  /** regions as layers: after generating, each region is peeled off front to back (its box
   * the decomposition's mask) and the result lands as a group: one transparent layer per
   * region, named after its prompt, above the cleaned background (needs regions; one result) */
  layers: z.boolean().optional(),
  /** LoRA adapters of the pack to apply, each with its strength (ids unique) */
  adapters: z.array(AdapterUse).max(4).refine((a) => new Set(a.map((u) => u.id)).size === a.length, 'adapter ids must be unique').optional(),
});
export type GenerationSpec = z.infer<typeof GenerationSpec>;
export type GenerationSpecInput = z.input<typeof GenerationSpec>;

/** A spec as a file may give it (`lamina generate --spec`): seed and steps may be left out
 * (the CLI picks a random seed and reports it, and uses the pack's default steps). */
export const GenerationSpecFile = GenerationSpec.extend({
  seed: Seed.optional(),
  steps: Steps.optional(),
  /** with `init`, the size defaults to the image's */
  width: GenerateSide.optional(),
  height: GenerateSide.optional(),
  /** file paths (relative to the spec file); the CLI reads them into `init` */
  init: z.object({ image: z.string().min(1), mask: z.string().min(1).optional(), strength: Strength.default(0.6) }).strict().optional(),
});
export type GenerationSpecFile = z.infer<typeof GenerationSpecFile>;
