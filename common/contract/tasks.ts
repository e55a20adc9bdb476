// Jobs by task: each task names its spec and its result schema here, once. `jobs.start`
// takes { task, docId?, spec } checked against the task's spec; the engine routes by task
// (main/engine/jobs/task-routes.ts) and parses the result with the task's result schema.
// Adding a task: a spec (./task-specs.ts), a result (./task-results.ts), an entry here,
// and a route in the engine.
import { z } from 'zod';
import { Strength } from './limit-schemas.ts';
import { GenerationSpec } from './generation-spec.ts';
import { RawImage } from './raw-image.ts';
import { AddLayersResult, ArtifactResult, ReplaceLayerResult, UpdatePixelsResult } from './task-results.ts';
import { DecomposeSpec, LayersSpec, PlaceSpec, TextEditSpec } from './task-specs.ts';

export const TASKS = {
  /** text -> image; with regions, regional generation (LayerBind) */
  generate: { spec: GenerationSpec, result: AddLayersResult, label: 'Generate' },
  layers: { spec: LayersSpec, result: AddLayersResult, label: 'Generate Layers' },
  decompose: { spec: DecomposeSpec, result: ReplaceLayerResult, label: 'Decompose' },
  place: { spec: PlaceSpec, result: ArtifactResult, label: 'Placement' },
  'text-edit': { spec: TextEditSpec, result: UpdatePixelsResult, label: 'Edit Text' },
} as const;

export type TaskName = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];
export const TaskName = z.enum(TASK_NAMES as [TaskName, ...TaskName[]]);
export type TaskSpec<T extends TaskName> = z.output<(typeof TASKS)[T]['spec']>;
export type TaskSpecInput<T extends TaskName> = z.input<(typeof TASKS)[T]['spec']>;
export type TaskOutput<T extends TaskName> = z.output<(typeof TASKS)[T]['result']>;

const DocId = z.string().min(1);
const start = <T extends TaskName>(task: T) => z.object({
  task: z.literal(task),
  docId: DocId.optional(),
  spec: TASKS[task].spec,
  /** land the new layers in place of this one (one undo step), e.g. "Re-bind, replacing the previous result";
   * a layers job for one box (spec.only) puts its pixels into this layer in place instead ("re-generate this box") */
  replaceLayerId: z.string().min(1).optional(),
  /** generate only: regenerate this area of the document as it looks now (the engine flattens
   * the visible layers into the spec's init image, the box is the mask); the result lands as
   * a new layer holding just the box */
  regenerateArea: z.object({
    box: z.tuple([z.number().int(), z.number().int(), z.number().int().positive(), z.number().int().positive()]),
    strength: Strength.default(0.6),
    /** a pixel selection, canvas-sized (its red channel; white = regenerate): the mask inside the box,
     * and the result keeps only the selected pixels */
    mask: RawImage.optional(),
    /** land by replacing the selected pixels of this raster layer (one undo step) instead of adding a layer */
    into: z.string().min(1).optional(),
  }).strict().optional(),
});

/** The input of `jobs.start`: one branch per task. */
export const JobStart = z.discriminatedUnion('task', [start('generate'), start('layers'), start('decompose'), start('place'), start('text-edit')]);
export type JobStart = z.output<typeof JobStart>;
