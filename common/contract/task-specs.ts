// The specs of the tasks beside `generate` (common/contract/generation-spec.ts). Each is
// strict: a misspelt field is an error, never ignored.
import { z } from 'zod';
import { Box } from '../document/provenance.ts';
import { GenerateSide, Guidance, Seed, Steps } from './limit-schemas.ts';

const Device = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']).default('auto');
const common = { packId: z.string().optional(), device: Device };

/** Multi-layer transparent generation (ART): a global prompt and one prompt per layer, landing as a group. */
export const LayersSpec = z.object({
  prompt: z.string(),
  layers: z.array(z.object({ prompt: z.string().min(1), box: Box.optional() })).min(1).max(16),
  width: GenerateSide,
  height: GenerateSide,
  seed: Seed,
  steps: Steps,
  guidance: Guidance.default(4),
  groupName: z.string().optional(),
  ...common,
}).strict();

/** A flat raster layer -> background + transparent foregrounds (LayerDecomp), replacing it.
 * `box`: the object, in document pixels; `method`: `model` (the pack's decomposition model)
 * or `inpaint` (mask-and-inpaint, no model: a shadow outside the box stays behind). */
export const DecomposeSpec = z.object({
  layerId: z.string().min(1),
  box: Box.optional(),
  method: z.enum(['model', 'inpaint']).default('model'),
  foregrounds: z.number().int().min(1).max(8).default(1),
  /** the model method's sampling (inpaint has none) */
  seed: Seed.optional(),
  steps: Steps.optional(),
  ...common,
}).strict();

/** Where an object layer fits in the scene below it (TopNet): a heatmap, not a document
 * change. The background is the composite of the visible layers below the object layer;
 * `scale` picks the heatmap's scale (relative to the layer's current size; default 1 = as
 * it is), `top` how many placements come back (best first, over every scale). */
export const PlaceSpec = z.object({
  layerId: z.string().min(1),
  scale: z.number().positive().max(100).default(1),
  top: z.number().int().min(1).max(50).default(5),
  ...common,
}).strict();

/** A localized edit of rendered text inside a raster layer, in place. */
export const TextEditSpec = z.object({
  layerId: z.string().min(1),
  box: Box,
  text: z.string().min(1),
  seed: Seed,
  steps: Steps,
  ...common,
}).strict();
