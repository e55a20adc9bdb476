// Decomposition (LayerDecomp, issue 16): a flat image + an object mask -> a clean
// background and a transparent foreground (the object), replacing the layer. Used by
// the decompose task (the editor), `lamina decompose` and the tests.
//
// Methods: `inpaint` (mask-and-inpaint: Telea inpainting of the mask, the mask cut out;
// no model) and `model` (the pack's fine-tuned DiT conditioned on the image and the mask,
// predicting background + RGBA foreground with the shadow: ./decompose/decompose-model.ts;
// its recipe is models/recipes/decomp.py, docs/decompose.md). The model method needs a
// pack that lists the `decompose` pipeline.
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
import { maskFromBox, type ObjectMask } from './decompose/decompose-mask.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

export type DecomposeMethod = 'inpaint' | 'model';

export interface DecomposeRequest {
  image: RgbaImage;
  mask: ObjectMask;
  method: DecomposeMethod;
  signal?: AbortSignal;
  /** the model method's sampling (defaults: seed 0, the pack's default steps) */
  seed?: number;
  steps?: number;
  onStep?: (i: number, n: number) => void;
}

export interface DecomposeOutput extends Decomposition {
  method: DecomposeMethod;
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
    // 1. The mask must be the image's size (the mask kernels checked empty / full).
    if (req.mask.width !== req.image.width || req.mask.height !== req.image.height) {
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
    const out = inpaintDecomposition(req.image, req.mask);
    return { ...out, method: req.method, provider: 'cpu', timings: { total_ms: performance.now() - t0 }, notes: ['inpaint method: a shadow outside the mask stays in the background'] };
  }

  /** The decompose task: the layer's pixels (from the engine) and the spec's box, in
   * document pixels, -> the layer replaced by its foreground over its background. */
  async run(specInput: unknown, ctx: JobContext, inputs?: JobInputs): Promise<ReplaceLayerResult> {
    const spec = parseOrReject(DecomposeSpec, specInput, 'decompose spec');
    const layer = inputs?.layer;
    if (!layer) throw new LaminaError('bad_request', 'decompose needs the layer\'s pixels (the engine gathers them from the document)');
    if (!spec.box) throw new LaminaError('bad_request', 'decompose needs the object: give a box [x, y, width, height] (a mask, or none for "decompose all", needs the model)');
    const [bx, by, bw, bh] = spec.box;
    const mask = maskFromBox([bx - layer.x, by - layer.y, bw, bh], layer.image);
    const steps = spec.method === 'model' ? spec.steps ?? (this.pack ? readPackModel(this.pack).scheduler.defaultSteps : 1) : 1;
    ctx.progress({ state: 'step', i: 0, n: steps });
    const out = await this.decompose({
      image: { ...layer.image, data: new Uint8Array(layer.image.data) }, mask, method: spec.method, signal: ctx.signal, seed: spec.seed, steps,
      onStep: (i, n) => ctx.progress({ state: 'step', i, n }),
    });
    if (out.method === 'inpaint') ctx.progress({ state: 'step', i: 1, n: 1 });
    const provenance = { task: 'decompose', packId: this.pack?.id ?? 'none', pipeline: 'decompose', prompt: '', regions: [], seed: spec.seed ?? 0, steps: out.method === 'model' ? steps : 0, params: { decompose: { method: out.method, box: spec.box } } };
    const place = { x: layer.x, y: layer.y, provenance };
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
