// How a layer was made: one general record for every task, kept with the layer through
// landing, undo, .ora save/reopen and PSD metadata. Every field a pipeline computes has a
// place here (tests check that a pipeline's record parses to itself); the parameters of
// a task or method live under `params[name]` and keep every key they carry.
import { z } from 'zod';
import { LayerBindRecord } from '../contract/generation-spec.ts';

/** Pixel box on the canvas: [x, y, width, height]. */
export const Box = z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]);
export type Box = z.infer<typeof Box>;
const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });

export const RegionProvenance = z.object({ id: z.string(), box: Box, prompt: z.string() });

/** Per-task (or per-method) parameters, by name: e.g. params.layerbind. Keys a later version adds are kept. */
export const ProvenanceParams = z.object({ layerbind: LayerBindRecord.optional() }).catchall(z.record(z.string(), z.unknown()));

export const Provenance = z.object({
  /** the job task that made the layer (files from before tasks: 'generate') */
  task: z.string().min(1).default('generate'),
  packId: z.string(),
  /** pack version that made the layer */
  packVersion: z.string().optional(),
  pipeline: z.string(),
  /** the global prompt */
  prompt: z.string(),
  /** regional prompts (front-to-back order in `order`) */
  regions: z.array(RegionProvenance).default([]),
  order: z.array(z.string()).optional(),
  seed: z.number().int(),
  steps: z.number().int(),
  guidance: z.number().optional(),
  /** the sampler that ran and its schedule */
  sampler: z.string().optional(),
  shift: z.number().optional(),
  spacing: z.string().optional(),
  timestepScale: z.number().optional(),
  /** the noise generator (seeded) */
  noise: z.string().optional(),
  /** the pack's native size the image was generated at (before any resample to the canvas) */
  native: Size.optional(),
  /** how it was enlarged from `native` to its size (sharp's lanczos or nearest) */
  upscale: z.enum(['lanczos', 'nearest']).optional(),
  provider: z.string().optional(),
  createdAt: z.string().optional(),
  params: ProvenanceParams.default({}),
  /** files from before `params` kept LayerBind's parameters here; read into params.layerbind */
  layerbind: LayerBindRecord.optional(),
}).transform(({ layerbind, ...p }) => (layerbind && !p.params.layerbind ? { ...p, params: { ...p.params, layerbind } } : p));
export type Provenance = z.output<typeof Provenance>;
export type ProvenanceInput = z.input<typeof Provenance>;
