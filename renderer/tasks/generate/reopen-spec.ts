// A past generation's spec (common/document/generation-history.ts) back as the generate
// panel's settings, and its regions back as region layers: what "reopen" in the history does.
import type { GenerationEntry } from '../../../common/document/generation-history.ts';
import type { RegionLayer } from '../../../common/document/document-schema.ts';
import { regionColourFor } from '../../editor/region-colour.ts';
import { DEFAULT_REGION_METHOD, type GenerationSettings } from './generate-settings.ts';

type Spec = GenerationEntry['spec'];

/** The settings that make the spec's picture again: its prompt, seed (locked), steps,
 * guidance, pack, enlarging and region method; one variation. */
export function settingsFromSpec(spec: Spec, current: GenerationSettings): GenerationSettings {
  const lb = spec.layerbind ?? {};
  return {
    ...current,
    prompt: spec.prompt,
    seed: spec.seed,
    seedLocked: true,
    steps: spec.steps,
    guidance: spec.guidance,
    packId: spec.packId ?? current.packId,
    upscale: spec.upscale,
    batch: 1,
    layers: !!spec.layers,
    ...(spec.adapters?.length ? { adapterStrengths: { ...current.adapterStrengths, ...Object.fromEntries(spec.adapters.map((a) => [a.id, a.strength])) } } : {}),
    regionMethod: {
      ...DEFAULT_REGION_METHOD,
      mode: lb.mode ?? 'layerbind',
      fuseStep: lb.fuseStep ?? null,
      nursingSteps: lb.nursingSteps ?? null,
      schedule: lb.schedule ?? null,
      strength: lb.strength ?? null,
    },
  };
}

/** A region of the spec as a box region layer (its id, box and prompt; the automatic colour). */
export function restoredRegion(r: Spec['regions'][number], palette: Parameters<typeof regionColourFor>[1]): RegionLayer {
  const [x, y, width, height] = r.box;
  return {
    id: r.id, kind: 'region', name: `Region: ${r.prompt || 'empty'}`, visible: true, opacity: 1, blendMode: 'normal',
    x: Math.round(x), y: Math.round(y), locked: false, provenance: null, prompt: r.prompt, color: regionColourFor(r.prompt, palette),
    shape: { type: 'box', width, height },
  };
}
