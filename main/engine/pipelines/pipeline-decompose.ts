// Decomposition (LayerDecomp, issue 16): a flat image + an object mask -> a clean
// background and a transparent foreground (the object), replacing the layer. Used by
// the decompose task (the editor), `lamina decompose` and the tests.
//
// Methods: `inpaint` (mask-and-inpaint: Telea inpainting of the mask, the mask cut out;
// no model) and `model` (the pack's fine-tuned DiT conditioned on the image and the mask,
// predicting background + RGBA foreground with the shadow: ./decompose/decompose-model.ts;
// its recipe is models/recipes/decomp.py, docs/decompose.md). The model method needs a
// pack that lists the `decompose` pipeline. "Decompose all" (`decomposeAll`, the spec's
// `all`) repeats the model with no mask, front to back, until it finds nothing more
// (./decompose/decompose-all.ts).
import { DecomposeSpec } from '../../../common/contract/task-specs.ts';
import type { ReplaceLayerResult } from '../../../common/contract/task-results.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { JobInputs } from '../jobs/job-protocol.ts';
import { resultPixels } from '../imaging/result-pixels.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { inpaintDecomposition, type Decomposition } from './decompose/decompose-inpaint.ts';
import { modelDecomposition } from './decompose/decompose-model.ts';
import type { Device } from '../runtime/execution-providers.ts';
import { readPackModel } from '../runtime/pack-model.ts';
import type { SessionPool } from '../runtime/session-pool.ts';
import { peelAll, peeledObjectName, type PeeledLayers } from './decompose/decompose-all.ts';
import { checkMask, maskFromBox, type ObjectMask } from './decompose/decompose-mask.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

export type DecomposeMethod = 'inpaint' | 'model';

export interface DecomposeRequest {
  image: RgbaImage;
  /** the object; null: the model finds the front-most one (the model method only) */
  mask: ObjectMask | null;
  method: DecomposeMethod;
  signal?: AbortSignal;
  /** the model method's sampling (defaults: seed 0, the pack's default steps) */
  seed?: number;
  steps?: number;
  onStep?: (i: number, n: number) => void;
}

export interface DecomposeOutput extends Decomposition {
  method: DecomposeMethod;
  /** the mask the result keeps to (given or predicted); null: nothing was found */
  mask: ObjectMask | null;
  provider: string;
  timings: { total_ms: number };
  notes: string[];
}

export class DecomposePipeline implements Pipeline {
  readonly name = 'decompose';

  /** `pack`: the pack whose decomposition model runs (null: the inpaint method only). */
  constructor(readonly pack: Pack | null = null, readonly options: { pool?: SessionPool; device?: Device } = {}) {}

  async decompose(req: DecomposeRequest): Promise<DecomposeOutput> {
    const t0 = performance.now();
    // 1. The mask must be the image's size (the mask kernels checked empty / full); none
    // asks the model to find the object.
    if (!req.mask && req.method !== 'model') throw new LaminaError('bad_request', 'the inpaint method needs the object marked (a box, a mask or a region): finding it needs the model');
    if (req.mask && (req.mask.width !== req.image.width || req.mask.height !== req.image.height)) {
      throw new LaminaError('bad_request', `the mask is ${req.mask.width}x${req.mask.height} px but the image is ${req.image.width}x${req.image.height} px`);
    }
    if (req.signal) throwIfCancelled(req.signal);
    // 2. The method.
    if (req.method === 'model') {
      if (!this.pack || !readPackModel(this.pack).decompose) throw new LaminaError('no_pipeline', `${this.pack ? `model pack "${this.pack.id}" has no decomposition model` : 'no model pack with a decomposition model is installed'} (docs/decompose.md): use the inpaint method`);
      const steps = req.steps ?? readPackModel(this.pack).scheduler.defaultSteps;
      const out = await modelDecomposition(this.pack, req.image, req.mask, { seed: req.seed ?? 0, steps, signal: req.signal ?? new AbortController().signal, onStep: req.onStep, ...this.options });
      return { ...out, method: 'model', timings: { total_ms: performance.now() - t0 } };
    }
    const out = inpaintDecomposition(req.image, req.mask!);
    return { ...out, method: req.method, mask: req.mask, provider: 'cpu', timings: { total_ms: performance.now() - t0 }, notes: ['inpaint method: a shadow outside the mask stays in the background'] };
  }

  /** "Decompose all": the model peels the image front to back (no masks) until it finds
   * nothing more or `maxForegrounds` objects are out. Peel k uses seed + k; onStep counts
   * every peel's steps against the most there can be. */
  async decomposeAll(req: Omit<DecomposeRequest, 'mask' | 'method'> & { maxForegrounds: number }): Promise<PeeledLayers & { provider: string; notes: string[]; timings: { total_ms: number } }> {
    const t0 = performance.now();
    const steps = req.steps ?? (this.pack ? readPackModel(this.pack).scheduler.defaultSteps : 1);
    const total = steps * (req.maxForegrounds + 1);
    let provider = 'cpu';
    const peeled = await peelAll(req.image, req.maxForegrounds, async (current, k) => {
      const out = await this.decompose({ ...req, image: current, mask: null, method: 'model', seed: (req.seed ?? 0) + k, steps, onStep: (i) => req.onStep?.(k * steps + i, total) });
      provider = out.provider;
      return out;
    });
    const n = peeled.foregrounds.length;
    const notes = [peeled.stopped === 'cap' ? `stopped at the cap of ${req.maxForegrounds} objects` : `the model found ${n} object${n === 1 ? '' : 's'} and then nothing more`];
    return { ...peeled, provider, notes, timings: { total_ms: performance.now() - t0 } };
  }

  /** The decompose task: the layer's pixels (from the engine), the object (the spec's box
   * in document pixels, or the mask the engine drew on the layer's grid from the spec's
   * mask / region), or `all` -> the layer replaced by its foregrounds over its background. */
  async run(specInput: unknown, ctx: JobContext, inputs?: JobInputs): Promise<ReplaceLayerResult> {
    const spec = parseOrReject(DecomposeSpec, specInput, 'decompose spec');
    const layer = inputs?.layer;
    if (!layer) throw new LaminaError('bad_request', 'decompose needs the layer\'s pixels (the engine gathers them from the document)');
    const image = { ...layer.image, data: new Uint8Array(layer.image.data) };
    const steps = spec.method === 'model' ? spec.steps ?? (this.pack ? readPackModel(this.pack).scheduler.defaultSteps : 1) : 1;
    const provenance = (extra: Record<string, unknown>) => ({ task: 'decompose', packId: this.pack?.id ?? 'none', pipeline: 'decompose', prompt: '', regions: [], seed: spec.seed ?? 0, steps: spec.method === 'model' ? steps : 0, params: { decompose: { method: spec.method, ...extra } } });
    const onStep = (i: number, n: number) => ctx.progress({ state: 'step', i, n });
    if (spec.all) {
      ctx.progress({ state: 'step', i: 0, n: steps * (spec.maxForegrounds + 1) });
      const out = await this.decomposeAll({ image, signal: ctx.signal, seed: spec.seed, steps, maxForegrounds: spec.maxForegrounds, onStep });
      const n = out.foregrounds.length;
      if (n === 0) throw new LaminaError('bad_op', `the model found no object in "${layer.name}": nothing to decompose (mark one with a box, a mask or a region)`);
      const place = { x: layer.x, y: layer.y };
      // front first: the last peeled (the back-most object) lies just above the background
      const objects = out.foregrounds.map((fg, k) => ({ name: peeledObjectName(k, n), ...resultPixels(fg), ...place, provenance: provenance({ all: true, object: k + 1, of: n }) })).reverse();
      return {
        landing: 'replace-layer',
        layerId: spec.layerId,
        layers: [...objects, { name: 'Background', ...resultPixels(out.background), ...place, provenance: provenance({ all: true, background: true, of: n }) }],
        group: { name: `${layer.name} (decomposed)` },
        provider: out.provider,
        timings: out.timings,
        notes: out.notes,
      };
    }
    let mask: ObjectMask;
    if (inputs?.objectMask) mask = checkMask(inputs.objectMask);
    else if (spec.box) mask = maskFromBox([spec.box[0] - layer.x, spec.box[1] - layer.y, spec.box[2], spec.box[3]], layer.image);
    else throw new LaminaError('bad_request', 'decompose needs the object: give a box [x, y, width, height], a mask or a region (or all: true with the model)');
    ctx.progress({ state: 'step', i: 0, n: steps });
    const out = await this.decompose({ image, mask, method: spec.method, signal: ctx.signal, seed: spec.seed, steps, onStep });
    if (out.method === 'inpaint') ctx.progress({ state: 'step', i: 1, n: 1 });
    const marked = spec.box ? { box: spec.box } : spec.regionId ? { regionId: spec.regionId } : { mask: 'painted' };
    const place = { x: layer.x, y: layer.y, provenance: provenance(marked) };
    return {
      landing: 'replace-layer',
      layerId: spec.layerId,
      layers: [
        { name: `${layer.name} (object)`, ...resultPixels(out.foreground), ...place },
        { name: `${layer.name} (background)`, ...resultPixels(out.background), ...place },
      ],
      provider: out.provider,
      timings: out.timings,
      notes: out.notes,
    };
  }
}

/** The decompose task's inpaint method needs no pack: the job runs it without one. */
export function isPacklessDecompose(payload: { task: string; spec: unknown }): boolean {
  return payload.task === 'decompose' && (payload.spec as { method?: string }).method === 'inpaint';
}

registerPipeline('decompose', (pack) => new DecomposePipeline(pack));
