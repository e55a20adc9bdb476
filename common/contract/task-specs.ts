// The specs of the tasks beside `generate` (common/contract/generation-spec.ts). Each is
// strict: a misspelt field is an error, never ignored.
import { z } from 'zod';
import { Box } from '../document/provenance.ts';
import { GenerateSide, Guidance, Seed, Steps } from './limit-schemas.ts';
import { LIMITS } from './limits.ts';
import { MaskRuns } from './mask-runs.ts';

const Device = z.enum(['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml']).default('auto');
const common = { packId: z.string().optional(), device: Device };

/** Multi-layer transparent generation (ART): one global prompt and anonymous boxes (no
 * prompt each: the model decides what goes where), landing as a group: the background at
 * the bottom, then one transparent layer per box in box order (the first box lowest).
 * Boxes are [x, y, width, height] in canvas pixels; the pack says how many it takes. */
const ArtBox = z.tuple([z.number(), z.number(), z.number(), z.number()])
  .refine(([, , w, h]) => w > 0 && h > 0, 'a box has no area: its width and height must be above 0');

export const LayersSpec = z.object({
  prompt: z.string().trim().min(1, 'the layers task needs a prompt: it describes the whole picture'),
  boxes: z.array(ArtBox).min(1, 'draw at least one box').max(LIMITS.artBoxes.max, `at most ${LIMITS.artBoxes.max} boxes`),
  width: GenerateSide,
  height: GenerateSide,
  seed: Seed,
  steps: Steps,
  guidance: Guidance.default(4),
  groupName: z.string().optional(),
  /** return only these boxes' layers (0-based box indices; no background, no group): the
   * whole layout is still generated together, so "re-generate this box" with a new seed
   * replaces one layer and keeps the others */
  only: z.array(z.number().int().min(0)).min(1).optional(),
  ...common,
}).strict();
export type LayersSpec = z.infer<typeof LayersSpec>;

/** A flat raster layer -> background + transparent foregrounds (LayerDecomp), replacing it.
 * The object, exactly one of: `box` ([x, y, width, height] in document pixels), `mask`
 * (a painted / lassoed mask in document pixels, ./mask-runs.ts), `regionId` (a region
 * layer: its painted mask or its box), or `all` (no mask: the model peels the picture
 * front to back until it finds nothing more, at most `maxForegrounds` objects, landing as
 * a group). `method`: `model` (the pack's decomposition model) or `inpaint`
 * (mask-and-inpaint, no model: a shadow outside the mask stays behind; not for `all`). */
export const DecomposeSpec = z.object({
  layerId: z.string().min(1),
  box: Box.optional(),
  mask: MaskRuns.optional(),
  regionId: z.string().min(1).optional(),
  all: z.boolean().default(false),
  maxForegrounds: z.number().int().min(1).max(8).default(8),
  method: z.enum(['model', 'inpaint']).default('model'),
  /** the model method's sampling (inpaint has none) */
  seed: Seed.optional(),
  steps: Steps.optional(),
  ...common,
}).strict()
  .refine((s) => [s.box, s.mask, s.regionId, s.all || undefined].filter((v) => v !== undefined).length === 1, 'mark the object with exactly one of box, mask or regionId, or ask for all: true')
  .refine((s) => !(s.all && s.method === 'inpaint'), 'decompose all finds the objects with the model: the inpaint method needs a marked object');

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

/** Change one word of a generated layer's prompt, in place (K/V patching): the layer's own
 * generation (its provenance: prompt, seed, steps, guidance, pack) re-runs with the joint
 * blocks' text keys/values of the prompt with `from` replaced by `to` patched in, in
 * `blocks` (0-based joint blocks; default: the pack's list, else every block) from step
 * `startStep` on; the same noise, so the rest of the picture stays. `box` ([x, y, width,
 * height] in layer pixels) keeps the pixels outside it as they are. */
export const TextEditSpec = z.object({
  layerId: z.string().min(1),
  from: z.string().trim().min(1, 'say which word of the prompt to change (from)'),
  to: z.string().trim().min(1, 'say what the word becomes (to)'),
  blocks: z.array(z.number().int().min(0)).max(256).optional(),
  startStep: z.number().int().min(0).default(0),
  box: Box.optional(),
  ...common,
}).strict();
