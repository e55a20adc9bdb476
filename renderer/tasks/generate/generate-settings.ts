// The generate panel's settings: prompt, seed, steps, guidance, pack and how regions are bound.
/** How regions are bound: LayerBind or a baseline, and LayerBind's parameters; null =
 * the pipeline's measured default (docs/layerbind.md). */
export interface RegionMethodSettings {
  mode: 'layerbind' | 'regional-mask' | 'global';
  fuseStep: number | null;
  nursingSteps: number | null;
  schedule: 'cosine' | 'linear' | 'constant' | null;
  strength: number | null;
}

export const DEFAULT_REGION_METHOD: RegionMethodSettings = { mode: 'layerbind', fuseStep: null, nursingSteps: null, schedule: null, strength: null };

export interface GenerationSettings {
  prompt: string;
  seed: number;
  seedLocked: boolean;
  steps: number;
  guidance: number;
  packId: string | null;
  /** used when the document has regions */
  regionMethod?: RegionMethodSettings;
  /** how the result is enlarged from the pack's native size to the canvas */
  upscale?: 'lanczos' | 'nearest';
  /** Re-bind replaces the previous result instead of stacking a new layer */
  replacePrevious?: boolean;
  /** variations per run (common/contract/limits.ts `batch`): seeds seed, seed + 1, … */
  batch?: number;
  /** with regions: land as a group of one layer per region over the cleaned background */
  layers?: boolean;
  /** the strength slider of each LoRA adapter the pack ships, by id (absent: its default strength) */
  adapterStrengths?: Record<string, number>;
}
