// How a generated layer was made, built in one place from the spec, the pack and the
// sampler actually used.
import type { GenerationSpec } from '../../../../common/contract/generation-spec.ts';
import type { PackModel } from '../../runtime/pack-model.ts';

export function generationProvenance<E extends object = object>(model: PackModel, spec: GenerationSpec, pipeline: string, provider: string, extra: E = {} as E) {
  return {
    packId: model.id, pipeline, prompt: spec.prompt, seed: spec.seed, steps: spec.steps, guidance: spec.guidance,
    regions: [] as { id: string; box: [number, number, number, number]; prompt: string }[], provider, createdAt: new Date().toISOString(),
    packVersion: model.version, sampler: 'flow_match_euler', shift: model.scheduler.shift, spacing: model.scheduler.spacing,
    noise: 'philox4x32-10 + box-muller', native: model.native,
    ...extra,
  };
}
