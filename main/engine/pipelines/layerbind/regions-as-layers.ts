// Regions as layers (issue 16 item 5, `"layers": true` in a LayerBind spec): after the
// generation, its regions are peeled off the picture front to back, each region's box as
// the decomposition's mask (../pipeline-decompose.ts: the model method when a pack has a
// decomposition model, else mask-and-inpaint), landing as one group: one transparent
// layer per region, named after its prompt, front first, above the cleaned background.
import type { GenerationSpec, GenerationSpecInput } from '../../../../common/contract/generation-spec.ts';
import { GenerationSpec as GenerationSpecSchema } from '../../../../common/contract/generation-spec.ts';
import type { GenerationResult } from '../../../../common/contract/task-results.ts';
import { parseOrReject } from '../../../../common/contract/validate.ts';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { resultPixels } from '../../imaging/result-pixels.ts';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import { throwIfCancelled, type JobContext } from '../../jobs/job-context.ts';
import type { Device } from '../../runtime/execution-providers.ts';
import type { PackRegistry } from '../../runtime/pack-registry.ts';
import { maskFromBox } from '../decompose/decompose-mask.ts';
import { DecomposePipeline, type DecomposeMethod } from '../pipeline-decompose.ts';
import type { Pipeline } from '../pipeline-registry.ts';

export interface PeeledRegion {
  id: string;
  prompt: string;
  box: [number, number, number, number];
  /** the region's object: straight RGBA at the picture's size, transparent elsewhere */
  image: RgbaImage;
}

export interface PeeledRegions {
  method: DecomposeMethod;
  /** front first, as the regions are ordered */
  regions: PeeledRegion[];
  /** the picture with every region's object taken out */
  background: RgbaImage;
  notes: string[];
}

/** Region ids front to back (`order`), each region's box a mask on what is left after the
 * ones in front of it were taken out. */
export async function peelRegions(
  image: RgbaImage,
  regions: readonly { id: string; box: readonly [number, number, number, number]; prompt: string }[],
  order: readonly string[],
  decomposer: DecomposePipeline,
  o: { signal?: AbortSignal; seed?: number; steps?: number } = {},
): Promise<PeeledRegions> {
  const method: DecomposeMethod = decomposer.pack ? 'model' : 'inpaint';
  let rest = image;
  const out: PeeledRegion[] = [];
  const notes = new Set<string>();
  for (const id of order) {
    const r = regions.find((q) => q.id === id);
    if (!r) throw new LaminaError('bad_request', `the order names region "${id}", which is not in the spec`);
    if (o.signal) throwIfCancelled(o.signal);
    const label = r.prompt.trim() || r.id;
    let mask;
    try {
      mask = maskFromBox(r.box, rest);
    } catch (err) {
      throw err instanceof LaminaError ? new LaminaError(err.code, `region "${label}": ${err.message}`) : err;
    }
    const d = await decomposer.decompose({ image: rest, mask, method, signal: o.signal, seed: o.seed, steps: o.steps });
    d.notes.forEach((n) => notes.add(n));
    out.push({ id: r.id, prompt: r.prompt, box: [...r.box], image: d.foreground });
    rest = d.background;
  }
  return { method, regions: out, background: rest, notes: [...notes] };
}

/** The decomposer regions-as-layers uses: the first pack that lists `decompose` (model
 * method), else none (inpaint). */
export function regionDecomposer(registry: PackRegistry, device: Device): DecomposePipeline {
  const listed = registry.summaries.find((s) => s.ok && s.pipelines.includes('decompose'));
  return new DecomposePipeline(listed ? registry.resolve(listed.id) : null, { device });
}

/** Checks what "layers": true needs before anything runs: regions, one result. */
export function checkLayersSpec(spec: GenerationSpec): void {
  if (!spec.regions.length) throw new LaminaError('bad_request', '"layers": true lands one layer per region: draw at least one region (or leave "layers" out)');
  if ((spec.batch ?? 1) > 1) throw new LaminaError('bad_request', '"layers": true makes one result: leave out "batch" (variations)');
}

/** Runs the generation (`pipeline`: LayerBind for a spec with regions), then peels its
 * regions into a group of layers (one undo step, like any generation). */
export async function generateRegionsAsLayers(pipeline: Pipeline, specInput: GenerationSpecInput, ctx: JobContext, decomposer: DecomposePipeline): Promise<GenerationResult> {
  const spec = parseOrReject(GenerationSpecSchema, specInput, 'generation spec');
  checkLayersSpec(spec);
  const result = (await pipeline.run(spec, ctx)) as GenerationResult;
  const composite = result.layers[0];
  const t0 = performance.now();
  const peeled = await peelRegions({ width: composite.width, height: composite.height, data: composite.rgba }, spec.regions, spec.order, decomposer, { signal: ctx.signal, seed: spec.seed });
  const provenance = composite.provenance;
  const at = { x: composite.x, y: composite.y };
  return {
    ...result,
    group: { name: composite.name },
    layers: [
      ...peeled.regions.map((r, k) => ({
        name: r.prompt.trim() || `Region ${k + 1}`, // (LayerBind refuses empty prompts)
        ...resultPixels(r.image), ...at,
        provenance: { ...provenance, params: { ...provenance.params, decompose: { method: peeled.method, box: r.box, region: r.id } } },
      })),
      { name: 'Background', ...resultPixels(peeled.background), ...at, provenance: { ...provenance, params: { ...provenance.params, decompose: { method: peeled.method, regions: peeled.regions.length } } } },
    ],
    timings: { ...result.timings, peel_ms: performance.now() - t0 },
    notes: [...result.notes, `regions landed as layers (${peeled.method} method)`, ...peeled.notes],
  };
}
