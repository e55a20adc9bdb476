// A document's generation history: one entry per generated result, newest first, with the
// spec it ran with (its own seed, batch 1: re-running it makes that picture again), the
// layer it landed as and a small thumbnail (an image of the document, saved in the .ora).
// The log is not undone: undo takes a generation's layers away, its entry stays, so an
// earlier result can be re-opened after trying others (common/document/history.ts).
import { z } from 'zod';
import { GenerationSpec } from '../contract/generation-spec.ts';
import { LIMITS } from '../contract/limits.ts';

export const GenerationEntry = z.object({
  id: z.string().min(1),
  createdAt: z.string(),
  /** the spec as it ran for this result, without pixels (an init image is not kept) */
  spec: GenerationSpec.omit({ init: true }),
  /** it regenerated an area of the picture (img2img) rather than the whole canvas */
  area: z.boolean().default(false),
  layerId: z.string().optional(),
  /** an image of the document's store, at most THUMBNAIL_SIDE px */
  thumbnailId: z.string().optional(),
});
export type GenerationEntry = z.output<typeof GenerationEntry>;
export type GenerationEntryInput = z.input<typeof GenerationEntry>;

export const THUMBNAIL_SIDE = 96;

/** The log with `entry` in front, the oldest past the limit forgotten. */
export function withGeneration(log: readonly GenerationEntry[] | undefined, entry: GenerationEntry): GenerationEntry[] {
  return [entry, ...(log ?? []).filter((e) => e.id !== entry.id)].slice(0, LIMITS.generationHistory.max);
}

/** `state` carrying `from`'s generation log (what undo and redo do: the log is not undone). */
export function keepGenerationLog<D extends { generations?: GenerationEntry[] }>(state: D, from: D): D {
  if (state.generations === from.generations) return state;
  return { ...state, generations: from.generations };
}

/** The thumbnails the log refers to. */
export function generationImageIds(log: readonly GenerationEntry[] | undefined): string[] {
  return (log ?? []).flatMap((e) => (e.thumbnailId ? [e.thumbnailId] : []));
}
