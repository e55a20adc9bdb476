// How a generated layer was made, built in one place from the spec, the pack and the
// sampler actually used, in the general provenance record (common/document/provenance.ts).
import type { GenerationSpec } from '../../../../common/contract/generation-spec.ts';
import type { Provenance } from '../../../../common/document/provenance.ts';
import type { PackModel } from '../../runtime/pack-model.ts';
import { generationSize } from '../../../../common/models/generation-size.ts';

export function generationProvenance(
  model: PackModel, spec: GenerationSpec, pipeline: string, provider: string,
  extra: Partial<Pick<Provenance, 'regions' | 'order' | 'params'>> = {},
): Provenance {
  const s = model.scheduler;
  return {
    task: 'generate', packId: model.id, packVersion: model.version, pipeline,
    prompt: spec.prompt, regions: [], seed: spec.seed, steps: spec.steps, guidance: spec.guidance,
    sampler: 'flow_match_euler', shift: s.shift, spacing: s.spacing, timestepScale: s.timestepScale,
    noise: 'philox4x32-10 + box-muller', native: generationSize(model.resolution, model.native, spec), upscale: spec.upscale,
    provider, createdAt: new Date().toISOString(),
    ...extra,
    // the LoRA adapters applied ({id: {strength}}; strength 0 included: the designer set it), next to the task's own params
    params: { ...(spec.adapters?.length ? { adapters: Object.fromEntries(spec.adapters.map((a) => [a.id, { strength: a.strength }])) } : {}), ...extra.params },
  };
}

/** A generated layer's name: its prompt (or `fallback`) and its seed, so that results of
 * several runs tell themselves apart in the layers panel. */
export function generatedLayerName(spec: Pick<GenerationSpec, 'prompt' | 'seed'>, fallback = 'Generated'): string {
  const prompt = spec.prompt.trim();
  return `${prompt ? (prompt.length > 48 ? `${prompt.slice(0, 47)}…` : prompt) : fallback} · seed ${spec.seed}`;
}
