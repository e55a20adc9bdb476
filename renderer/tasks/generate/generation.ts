// Building a generation spec from the document: every visible region layer, with its box
// on the canvas and its place in the stack (front to back) as the occlusion order.
import type { AdapterUse, GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import type { PackSummary } from '../../../common/contract/contract.ts';
import type { Layer, LaminaDocument } from '../../../common/document/document-schema.ts';
import type { GenerationSettings, RegionMethodSettings } from './generate-settings.ts';
import { clampRectToCanvas } from '../../editor/geometry.ts';
import { LIMITS, outOfRange } from '../../../common/contract/limits.ts';

/** Why this document cannot be generated for as it is (its size is past the contract's
 * generation limit), or null. Never clamped silently: the panel says it. */
export function generationSizeProblem(doc: Pick<LaminaDocument, 'width' | 'height'>): string | null {
  const side = outOfRange(LIMITS.generateSide, Math.max(doc.width, doc.height));
  return side ? `${side}: this ${doc.width} × ${doc.height} canvas is too large to generate for (use Image size to make it smaller)` : null;
}

export interface RegionEntry {
  id: string;
  box: [number, number, number, number];
  prompt: string;
}

/** Visible regions, front to back, boxes in canvas pixels (group offsets applied). */
export function collectRegions(doc: LaminaDocument): RegionEntry[] {
  const out: RegionEntry[] = [];
  const visit = (layers: readonly Layer[], ox: number, oy: number) => {
    for (const l of layers) {
      if (!l.visible) continue;
      if (l.kind === 'group') visit(l.children, ox + l.x, oy + l.y);
      else if (l.kind === 'region') {
        const r = clampRectToCanvas({ x: l.x + ox, y: l.y + oy, width: l.shape.width, height: l.shape.height }, doc.width, doc.height);
        if (r) out.push({ id: l.id, box: [r.x, r.y, r.width, r.height], prompt: l.prompt });
      }
    }
  };
  visit(doc.layers, 0, 0);
  return out;
}

/** The pack's LoRA adapters at the panel's strengths (each adapter's default when its slider was never moved). */
export function adapterUses(adapters: PackSummary['adapters'], gen: Pick<GenerationSettings, 'adapterStrengths'>): AdapterUse[] {
  return (adapters ?? []).map((a) => ({ id: a.id, strength: gen.adapterStrengths?.[a.id] ?? a.defaultStrength }));
}

/** `adapters`: the selected pack's (PackSummary.adapters), applied at the panel's strengths. */
export function buildSpec(doc: LaminaDocument, gen: GenerationSettings, adapters?: PackSummary['adapters']): GenerationSpecInput {
  const regions = collectRegions(doc);
  const uses = adapterUses(adapters, gen);
  return {
    prompt: gen.prompt,
    width: doc.width,
    height: doc.height,
    seed: gen.seed,
    steps: gen.steps,
    guidance: gen.guidance,
    ...(gen.upscale && gen.upscale !== 'lanczos' ? { upscale: gen.upscale } : {}),
    ...(gen.batch && gen.batch > 1 ? { batch: gen.batch } : {}),
    regions,
    order: regions.map((r) => r.id),
    ...(gen.packId ? { packId: gen.packId } : {}),
    ...(regions.length > 0 && gen.regionMethod ? regionMethodParams(gen.regionMethod) : {}),
    ...(regions.length > 0 && gen.layers ? { layers: true } : {}),
    ...(uses.length ? { adapters: uses } : {}),
  };
}

/** The spec's `layerbind` block: only what differs from the pipeline's defaults. */
export function regionMethodParams(m: RegionMethodSettings): Pick<GenerationSpecInput, 'layerbind'> {
  const p: NonNullable<GenerationSpecInput['layerbind']> = {};
  if (m.mode !== 'layerbind') p.mode = m.mode;
  if (m.mode === 'layerbind') {
    if (m.fuseStep !== null) p.fuseStep = m.fuseStep;
    if (m.nursingSteps !== null) p.nursingSteps = m.nursingSteps;
    if (m.schedule !== null) p.schedule = m.schedule;
    if (m.strength !== null) p.strength = m.strength;
  }
  return Object.keys(p).length ? { layerbind: p } : {};
}

export function randomSeed(rand: () => number = Math.random): number {
  return Math.floor(rand() * 2 ** 32) >>> 0;
}
