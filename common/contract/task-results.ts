// What a job's task returns, declared once: how its result lands in the document (one
// undo step) or, for a non-document result, what it shows. The engine parses a result
// once, with its task's schema (./tasks.ts), when the job finishes.
import { z } from 'zod';
import { Provenance } from '../document/provenance.ts';
import { RgbaBytes } from './raw-image.ts';

/** One layer of a result, raw RGBA (width x height x 4 bytes; front first when there are several). */
export const ResultLayer = z.object({
  name: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  x: z.number().int().default(0),
  y: z.number().int().default(0),
  rgba: RgbaBytes,
  provenance: Provenance,
});
export type ResultLayer = z.output<typeof ResultLayer>;

/** Where new layers go: among the children of `parentId` (null = root), index 0 = front. */
export const StackPlace = z.object({ parentId: z.string().nullable().default(null), index: z.number().int().min(0).default(0) });

const runInfo = {
  /** the execution provider that ran */
  provider: z.string(),
  timings: z.record(z.string(), z.number()).default({}),
  notes: z.array(z.string()).default([]),
};
/** New layers optionally wrapped in a named group. */
const Group = z.object({ name: z.string().min(1) });

/** Add layers (optionally as a named group) at a place in the stack: generate, layers. */
export const AddLayersResult = z.object({
  landing: z.literal('add-layers'),
  layers: z.array(ResultLayer).min(1),
  group: Group.optional(),
  at: StackPlace.default({ parentId: null, index: 0 }),
  ...runInfo,
});
export type AddLayersResult = z.output<typeof AddLayersResult>;
export type AddLayersResultInput = z.input<typeof AddLayersResult>;

/** Replace one layer by several (optionally grouped) at its place: decompose. */
export const ReplaceLayerResult = z.object({
  landing: z.literal('replace-layer'),
  layerId: z.string().min(1),
  layers: z.array(ResultLayer).min(1),
  group: Group.optional(),
  ...runInfo,
});

/** New pixels for a raster layer, in place (its id and stack place stay): text-edit. Its
 * name stays too, unless `name` is given (a text edit renames a layer that still carries the
 * name its generation gave it, so the layers panel shows the prompt it now draws). */
export const UpdatePixelsResult = z.object({
  landing: z.literal('update-pixels'),
  layerId: z.string().min(1),
  image: ResultLayer.omit({ name: true }),
  name: z.string().min(1).optional(),
  ...runInfo,
});

/** One placement of an object over a background (the place task, `lamina place`): x, y =
 * top-left of the scaled object image in background pixels, scale multiplies its size,
 * score = the heatmap probability of its cell. */
export const PlacementResult = z.object({ x: z.number(), y: z.number(), scale: z.number().positive(), score: z.number().min(0).max(1) });

/** A result that is not a document change, e.g. a placement heatmap (values row-major, [0, 1]).
 * For placement: the map of one scale (`scale`; its cells are part of a distribution over
 * every scale that sums to 1), the best `placements` over all scales, best first, and the
 * background size the cells cover (cell (i, j) is the bottom-centre of the placed object's
 * alpha box at ((j + 0.5) / width, (i + 0.5) / height) of it). */
export const ArtifactResult = z.object({
  landing: z.literal('artifact'),
  artifact: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('heatmap'),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      values: z.array(z.number()),
      label: z.string().optional(),
      scale: z.number().positive().optional(),
      scales: z.array(z.number().positive()).optional(),
      placements: z.array(PlacementResult).optional(),
      background: z.object({ width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
      box: z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() }).optional(),
    }),
  ]),
  ...runInfo,
});

export const TaskResult = z.discriminatedUnion('landing', [AddLayersResult, ReplaceLayerResult, UpdatePixelsResult, ArtifactResult]);
export type TaskResult = z.output<typeof TaskResult>;
export type ArtifactResult = z.output<typeof ArtifactResult>;
export type ReplaceLayerResult = z.output<typeof ReplaceLayerResult>;
export type PlacementResult = z.output<typeof PlacementResult>;

/** A generation's result (text-to-image, LayerBind). */
export const GenerationResult = AddLayersResult;
export type GenerationResult = AddLayersResult;
