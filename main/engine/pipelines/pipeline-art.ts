// ART (Anonymous Region Transformer, arXiv 2502.18364; issue 17): one global prompt and
// anonymous boxes -> a background and one transparent layer per box, generated together
// in one joint sequence. Written like diffusers' __call__: numbered steps over the shared
// denoising steps (./denoise/), the token layout in ./art/art-layout.ts. The pack's
// transformer is an ART graph (models/recipes/art.py): it takes the kept tokens of every
// layer with their grid positions and layer ids; the composite (layer 0) is generated with
// the others as the paper does, and not landed (the group composites to it).
import { LayersSpec } from '../../../common/contract/task-specs.ts';
import type { AddLayersResult } from '../../../common/contract/task-results.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { resample } from '../imaging/resample.ts';
import { resultPixels } from '../imaging/result-pixels.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { Device } from '../runtime/execution-providers.ts';
import type { PackModel } from '../runtime/pack-model.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { normalNoise } from '../runtime/prng.ts';
import { sharedSessionPool, type SessionPool } from '../runtime/session-pool.ts';
import { floatTensor, intTensor, maskTensor, timestepTensor, fillScalar, type Tensor } from '../runtime/tensors.ts';
import { eulerStep } from '../schedulers/scheduler-flow-euler.ts';
import { artLayout, canvasMap, confineAlpha, scatterLayers, tokenBox, tokenBoxOnCanvas, type ArtLayout, type PatchGeometry } from './art/art-layout.ts';
import { checkPrompts } from './denoise/encode-prompt.ts';
import { generatedLayerName } from './denoise/generation-provenance.ts';
import { guidanceFor, guidedVelocities } from './denoise/guided-step.ts';
import { loadAndEncode } from './denoise/load-and-encode.ts';
import { PipelineTimer, type PipelineTimings } from './denoise/pipeline-timer.ts';
import { latentGeometry } from './denoise/prepare-latents.ts';
import { prepareTimesteps } from './denoise/prepare-timesteps.ts';
import type { PromptBatch } from './denoise/encode-prompt.ts';
import type { GraphRunner } from '../runtime/graph-runner.ts';
import { PackComponents } from './pack-components.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

export type ArtResult = AddLayersResult & { timings: PipelineTimings & { tokens: number; full_tokens: number } };

export interface ArtOptions {
  pool?: SessionPool;
  /** every box layer on the whole grid (the full-attention baseline; the bench compares) */
  fullLayers?: boolean;
}

/** Checks the boxes against the canvas and the pack (clear errors before anything loads). */
export function checkBoxes(spec: Pick<LayersSpec, 'boxes' | 'width' | 'height' | 'only'>, model: PackModel): void {
  const art = model.art;
  if (!art) throw new LaminaError('bad_pack', `model pack "${model.id}" has no ART transformer (its manifest has no art component)`);
  if (spec.boxes.length > art.maxBoxes) throw new LaminaError('bad_request', `${spec.boxes.length} boxes: model pack "${model.id}" takes at most ${art.maxBoxes}`);
  spec.boxes.forEach(([x, y, w, h], i) => {
    const name = `box ${i + 1} [${[x, y, w, h].join(', ')}]`;
    if (!(w > 0 && h > 0)) throw new LaminaError('bad_request', `${name} has no area`);
    if (x < 0 || y < 0 || x + w > spec.width || y + h > spec.height) throw new LaminaError('bad_request', `${name} reaches outside the ${spec.width}x${spec.height} canvas`);
  });
  const missing = spec.only?.find((k) => k >= spec.boxes.length);
  if (missing !== undefined) throw new LaminaError('bad_request', `only: there is no box ${missing + 1} (${spec.boxes.length} box${spec.boxes.length > 1 ? 'es' : ''}; box indices start at 0)`);
}

/** The ART transformer's feeds for a batch of `batch` copies of one layout. */
class ArtDenoiser {
  private readonly feeds: Record<string, Tensor>;
  private readonly output: string;
  private readonly tokensIn: Tensor;
  private readonly timestepIn: Tensor;

  constructor(private readonly transformer: GraphRunner, model: PackModel, layout: ArtLayout, P: number, text: PromptBatch, readonly batch: number) {
    const io = model.transformer.io;
    if (!io.layerIds || !io.gatherIndices || !io.tokenMask) throw new LaminaError('bad_pack', `model pack "${model.id}": its ART transformer declares no layer / position / token-mask inputs`);
    const N = layout.length;
    const rep = (a: Int32Array) => Array.from({ length: batch * N }, (_, i) => a[i % N]);
    this.tokensIn = floatTensor(new Float32Array(batch * N * P), [batch, N, P]);
    this.timestepIn = timestepTensor(transformer.spec(io.timestep).dtype, batch);
    this.feeds = {
      [io.latent]: this.tokensIn,
      [io.gatherIndices]: intTensor(transformer.spec(io.gatherIndices).dtype, rep(layout.pos), [batch, N]),
      [io.layerIds]: intTensor(transformer.spec(io.layerIds).dtype, rep(layout.layer), [batch, N]),
      [io.tokenMask]: maskTensor(transformer.spec(io.tokenMask).dtype, new Float32Array(batch * N).fill(1), [batch, N]),
      [io.timestep]: this.timestepIn,
      [io.text]: text.embeds,
    };
    if (io.textMask) this.feeds[io.textMask] = maskTensor(transformer.spec(io.textMask).dtype, text.mask, [batch, text.length]);
    this.output = io.output;
  }

  async run(tokens: Float32Array, timestep: number, timer: PipelineTimer): Promise<Float32Array> {
    const t = this.tokensIn.data as Float32Array;
    for (let b = 0; b < this.batch; b++) t.set(tokens, b * tokens.length);
    fillScalar(this.timestepIn, timestep);
    return timer.network(this.batch, async () => (await this.transformer.run(this.feeds, { fetch: [this.output] }))[this.output].data as Float32Array);
  }
}

export class ArtPipeline implements Pipeline {
  readonly name = 'art';

  constructor(readonly pack: Pack, readonly options: ArtOptions = {}) {}

  async run(specInput: unknown, ctx: JobContext): Promise<ArtResult> {
    const timer = new PipelineTimer();
    const notes: string[] = [];

    // 1. Check the spec, the boxes (inside the canvas, no more than the pack takes) and the prompt's words.
    const spec = parseOrReject(LayersSpec, specInput, 'layers spec');
    const parts = new PackComponents(this.pack, this.options.pool ?? sharedSessionPool(), spec.device as Device);
    const model = parts.model;
    checkBoxes(spec, model);
    checkPrompts(parts, [{ text: spec.prompt }]);
    if (spec.boxes.length > model.art!.trainedBoxes) notes.push(`${spec.boxes.length} boxes: the model was trained with at most ${model.art!.trainedBoxes}`);
    const guidance = guidanceFor(model, spec.guidance);

    // 2. The token layout: every box snapped outward to the transformer's token grid (in the
    //    pack's native square, the canvas mapped onto it as the final resample covers it).
    const geometry = latentGeometry(model);
    const patch = model.transformer.patchSize;
    const tokenPx = model.latent.vaeScaleFactor * patch;
    const grid = geometry.th;
    const pg: PatchGeometry = { channels: geometry.channels, patch, grid };
    const P = geometry.channels * patch * patch;
    const map = canvasMap(spec, model.native);
    const tokenBoxes = spec.boxes.map((b) => tokenBox(b, map, tokenPx, grid));
    const layout = artLayout(tokenBoxes, grid, this.options.fullLayers);

    try {
      // 3. Load the graphs and encode the prompt (+ the unconditional one for CFG) as one batch.
      const prompts = guidance.kind === 'cfg' ? [spec.prompt, model.scheduler.uncondPrompt] : [spec.prompt];
      const { transformer, text } = await loadAndEncode(parts, prompts, ctx, timer, 'layer generation (ART)');
      if (text.truncated.length) notes.push(`prompt truncated to ${parts.maxTokens} tokens`);

      // 4. Seeded noise for every kept token, and the timesteps.
      const tokens = normalNoise(spec.seed, layout.length * P);
      const { sigmas, model: modelTimesteps } = prepareTimesteps(model, spec.steps, geometry.imageTokens);

      // 5. Denoising loop: one guided call over the whole multi-layer sequence per step.
      const denoiser = new ArtDenoiser(transformer, model, layout, P, text, text.batch);
      for (let i = 0; i < spec.steps; i++) {
        throwIfCancelled(ctx.signal);
        const v = await denoiser.run(tokens, modelTimesteps[i], timer);
        const [velocity] = guidedVelocities(v, tokens.length, 1, guidance);
        eulerStep(tokens, velocity, sigmas[i], sigmas[i + 1], tokens);
        ctx.progress({ state: 'step', i: i + 1, n: spec.steps });
      }
      timer.mark('denoise');
      throwIfCancelled(ctx.signal);

      // 6. Scatter every layer's tokens onto its own latent grid (outside its box: the
      //    transparent image's latent), decode all layers as one batch, confine each box
      //    layer's alpha to its box, resample to the canvas.
      parts.releaseGraph(model.transformer.graph);
      const d0 = performance.now();
      const outside = await parts.transparentLatent();
      const latents = scatterLayers(tokens, layout, pg, outside);
      const count = tokenBoxes.length + 2;
      const images = parts.toImages(await parts.decodeLatents(latents, count, geometry.lh, geometry.lw), count);
      timer.decoded(performance.now() - d0);
      const sized = await Promise.all(images.map((im) => (im.width === spec.width && im.height === spec.height ? im : resample(im, spec.width, spec.height, 'cover'))));
      if (images[0].width !== spec.width || images[0].height !== spec.height) notes.push(`generated at the pack's native ${images[0].width}x${images[0].height} and resampled to ${spec.width}x${spec.height}`);
      const background = sized[1];
      for (let p = 3; p < background.data.length; p += 4) background.data[p] = 255;
      const boxes = tokenBoxes.map((tb) => tokenBoxOnCanvas(tb, map, tokenPx, spec));
      sized.slice(2).forEach((im, k) => confineAlpha(im.data, im.width, im.height, boxes[k]));

      // 7. The result: a named group, box layers front first (the last box in front), the background at the bottom
      //    (with `only`: just those box layers, no group).
      const provider = transformer.provider;
      const s = model.scheduler;
      const provenance = {
        task: 'layers', packId: model.id, packVersion: model.version, pipeline: this.name, prompt: spec.prompt, regions: [],
        seed: spec.seed, steps: spec.steps, guidance: spec.guidance, sampler: 'flow_match_euler', shift: s.shift, spacing: s.spacing,
        timestepScale: s.timestepScale, noise: 'philox4x32-10 + box-muller', native: { ...model.native }, provider,
        createdAt: new Date().toISOString(), params: { art: { boxes: spec.boxes, tokenBoxes, fullLayers: !!this.options.fullLayers } },
      };
      // each box layer records which box it is (params.art.box): "re-generate this box" reads it
      const art = provenance.params.art;
      const boxLayers = sized.slice(2).map((im, k) => ({ name: `Box ${k + 1}`, x: 0, y: 0, ...resultPixels(im), provenance: { ...provenance, params: { art: { ...art, box: k } } } }));
      // `only`: just those boxes' layers (front first), for landing in place of existing ones
      const only = spec.only ? new Set(spec.only) : null;
      const layers = only
        ? boxLayers.filter((_, k) => only.has(k)).reverse()
        : [...boxLayers.reverse(), { name: 'Background', x: 0, y: 0, ...resultPixels(background), provenance }];
      const full = 2 * grid * grid + tokenBoxes.length * grid * grid;
      return {
        landing: 'add-layers', at: { parentId: null, index: 0 },
        ...(only ? {} : { group: { name: spec.groupName ?? generatedLayerName(spec, 'Layers') } }),
        layers, provider, notes,
        timings: { ...timer.timings(spec.steps), tokens: layout.length, full_tokens: full },
      };
    } finally {
      parts.release();
    }
  }
}

registerPipeline('art', (pack) => new ArtPipeline(pack));
