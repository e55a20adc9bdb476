// LayerBind (Chen et al., "Layer-wise Instance Binding for Regional and Occlusion Control
// in Text-to-Image Diffusion Transformers", arXiv 2603.05769), training-free, on the
// pack's joint-attention DiT. Written like diffusers' __call__ (numbered steps); every
// network step is one ONNX call whose batch holds all branches; the branch logic is the
// additive attention bias over the joint [text; image] sequence plus latent compositing
// in TypeScript (kernels in ./layerbind/). docs/layerbind.md explains the method as built.
//
// Modes (same seed, same noise, same sampler; the measurement compares them):
//   layerbind      phase 1 instance branches + fusion by layer order, phase 2 nursing
//   regional-mask  baseline (b): plain attention-mask regional prompting, no phases
//   global         baseline (a): the global prompt alone (= text-to-image)
import { GenerationSpec, type GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import type { GenerationResult } from '../../../common/contract/task-results.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { Device } from '../runtime/execution-providers.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { sharedSessionPool, type SessionPool } from '../runtime/session-pool.ts';
import { eulerStep } from '../schedulers/scheduler-flow-euler.ts';
import { decodeImage } from './denoise/decode-image.ts';
import { DenoiserBatch } from './denoise/denoiser-batch.ts';
import { checkPrompts } from './denoise/encode-prompt.ts';
import { loadAndEncode } from './denoise/load-and-encode.ts';
import { generatedLayerName, generationProvenance } from './denoise/generation-provenance.ts';
import { guidanceFor, guidedVelocities, type Guidance } from './denoise/guided-step.ts';
import { PipelineTimer, type PipelineTimings } from './denoise/pipeline-timer.ts';
import { latentGeometry, prepareLatents } from './denoise/prepare-latents.ts';
import { prepareTimesteps } from './denoise/prepare-timesteps.ts';
import { StepProgress, type PreviewOptions } from './denoise/step-progress.ts';
import { instanceBias, layeredBias, regionalMaskBias, textLayout, uncondBias, type TextLayout } from './layerbind/attention-bias.ts';
import { anchorToBackground, compositeLayerUpdates, fuseByOrder } from './layerbind/latent-fusion.ts';
import { phaseLevels, resolveNursingParams, stepPhases, transparencySchedule, type NursingParams, type StepPhase, type TransparencyShape } from './layerbind/nursing-schedule.ts';
import { regionGrids, validateLayout } from './layerbind/region-masks.ts';
import { PackComponents } from './pack-components.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

export type LayerBindMode = 'layerbind' | 'regional-mask' | 'global';
export const LAYERBIND_MODES: readonly LayerBindMode[] = ['layerbind', 'regional-mask', 'global'];

/** Method parameters (all optional; docs/layerbind.md gives the defaults and why). */
export interface LayerBindParams {
  mode?: LayerBindMode;
  /** phase 1 runs the steps that start above this noise level; the branches are fused after them. Default 0.9 (docs/layerbind.md). */
  fuseSigma?: number;
  /** phase 2 (semantic nursing) runs from the fusion through the steps that start above this noise level. Default 0.7. */
  nursingEndSigma?: number;
  /** phase 1 steps, instead of fuseSigma. */
  fuseStep?: number;
  /** phase 2 steps after the fusion, instead of nursingEndSigma. */
  nursingSteps?: number;
  /** layer-transparency shape over the nursing window. Default 'cosine'. */
  schedule?: TransparencyShape;
  /** layer opacity at the start of nursing, [0, 1]. Default 1. */
  strength?: number;
  /** share of a token's area a box must cover for the token to join the region's attention mask. Default 0.5. */
  maskThreshold?: number;
  /** regional-mask mode: masked steps from the start (default all; Regional-Prompting-FLUX's mask_inject_steps). */
  regionalSteps?: number;
  /** text a branch conditions on: its region prompt alone (default) or the global prompt too (see docs/layerbind.md) */
  branchPooling?: 'region' | 'global+region';
  /** phases 1 and 2: guide every branch against the background / global path's unconditional velocity (one uncond item per step, default true) instead of one per branch. */
  sharedUncond?: boolean;
}


export interface LayerBindOptions extends LayerBindParams, PreviewOptions {
  pool?: SessionPool;
  /** after every step: the latent the next step starts from, and the phase that ran */
  onStepEnd?: (info: { i: number; n: number; phase: StepPhase | 'regional'; sigma: number; latents: Float32Array; opacity: number }) => void;
  /** phase 1 end (layerbind mode): background, per-region branch latents and the fused latent */
  onFuse?: (info: { background: Float32Array; branches: Float32Array[]; fused: Float32Array; backToFront: number[] }) => void;
}

/** The generate task's result: the composite layer, whose provenance carries the regions,
 * their order and how LayerBind ran (params.layerbind); with this pipeline's timings. */
export type LayerBindResult = GenerationResult & { timings: PipelineTimings };

/** One batch item of a transformer call: its text [textLen, dim], text mask (valid tokens), bias, text layout. */
interface Item {
  text: Float32Array;
  mask: Float32Array;
  /** pooled text (SD3, FLUX): the pooled vector of the item's prompt(s) */
  pooled: Float32Array | null;
  bias: Float32Array | null;
  layout: TextLayout;
}

/** One kind of step (fixed batch): its conditional branches, how they are guided, its feeds. */
interface StepPlan {
  branches: number;
  guidance: Guidance;
  batch: DenoiserBatch;
}

export class LayerBindPipeline implements Pipeline {
  readonly name = 'layerbind';

  constructor(
    readonly pack: Pack,
    readonly options: LayerBindOptions = {},
  ) {}

  async run(specInput: GenerationSpec | GenerationSpecInput, ctx: JobContext): Promise<LayerBindResult> {
    const timer = new PipelineTimer();
    const notes: string[] = [];
    let o = this.options;

    // 1. Check the spec, the layout (regions inside the canvas, prompts, ids, a full
    //    front-to-back order) and the method parameters; tokenize every prompt.
    const spec = parseOrReject(GenerationSpec, specInput, 'generation spec');
    if (spec.init) throw new LaminaError('unsupported', 'regenerating a picture (init) with regions is not supported yet: leave out the regions, and use the mask for the area');
    if (spec.layerbind) o = { ...o, ...spec.layerbind }; // validated with the spec
    const mode = o.mode ?? 'layerbind';
    if (!LAYERBIND_MODES.includes(mode)) throw new LaminaError('bad_request', `layerbind mode must be one of ${LAYERBIND_MODES.join(', ')} (got ${String(mode)})`);
    const backToFront = validateLayout(spec.regions, spec.order, spec.width, spec.height);
    const R = spec.regions.length;
    const threshold = o.maskThreshold ?? 0.5;
    if (!(threshold > 0 && threshold <= 1)) throw new LaminaError('bad_request', `layerbind maskThreshold must be in (0, 1] (got ${threshold})`);
    if (o.branchPooling !== undefined && o.branchPooling !== 'region' && o.branchPooling !== 'global+region') {
      throw new LaminaError('bad_request', `layerbind branchPooling must be 'region' or 'global+region' (got ${String(o.branchPooling)})`);
    }
    const regionalSteps = o.regionalSteps ?? spec.steps;
    if (!Number.isInteger(regionalSteps) || regionalSteps < 0 || regionalSteps > spec.steps) {
      throw new LaminaError('bad_request', `layerbind regionalSteps must be an integer in [0, ${spec.steps}] (got ${regionalSteps})`);
    }
    const parts = new PackComponents(this.pack, o.pool ?? sharedSessionPool(), spec.device as Device);
    parts.useAdapters(spec.adapters); // unknown adapter ids -> bad_request before any session loads
    const model = parts.model;
    // the phases are noise levels (fuseSigma, nursingEndSigma) turned into steps with the
    // pack's own sigmas, so a pack's sampling shift does not move them
    const geometry = latentGeometry(model, spec);
    const { sigmas, model: modelTimesteps } = prepareTimesteps(model, spec.steps, geometry.imageTokens);
    const nursing: NursingParams = resolveNursingParams(spec.steps, o, sigmas);
    checkPrompts(parts, [{ text: spec.prompt }, ...spec.regions.map((r) => ({ text: r.prompt, label: `region "${r.id}"` }))]);
    const sharedUncond = o.sharedUncond ?? true;
    const guidance = guidanceFor(model, spec.guidance, sharedUncond);
    const io = model.transformer.io;
    // Lamina's MMDiT pools its text under text_mask; SD3 / FLUX take pooled text as an input
    // and attend to every text token, so the bias alone routes text to regions there
    const needsMask = model.transformer.family === 'lamina-mmdit';
    if (!io.attentionBias || (needsMask && !io.textMask)) {
      throw new LaminaError('bad_pack', `model pack "${model.id}": its transformer takes no ${io.attentionBias ? 'text_mask' : 'attn_bias'} input, which layerbind needs`);
    }

    try {
      // 2-3. Load the graphs (from the pool, in sequence when its budget needs it) and
      //      encode the prompts as one batch [global, region 1..R, uncond], each used
      //      trimmed to its real tokens (the encoder masks padding, so they do not depend on it).
      const { transformer, text: enc } = await loadAndEncode(parts, [spec.prompt, ...spec.regions.map((r) => r.prompt), model.scheduler.uncondPrompt], ctx, timer, 'layerbind');
      if (enc.truncated.length) notes.push(`${enc.truncated.length} prompt(s) truncated to the text encoder's length`);
      const { dim, lengths } = enc;
      const emptyLen = lengths[R + 1];

      // 4. Geometry: latent grid, token grid, each region's token mask and latent alpha.
      const { size, lh, lw, th, tw, imageTokens: N } = geometry;
      const grids = regionGrids(spec.regions, spec, { width: lw * model.latent.vaeScaleFactor, height: lh * model.latent.vaeScaleFactor }, { width: lw, height: lh }, { width: tw, height: th }, threshold);

      // 5. Seeded noise (the same as text-to-image's for this seed) and the timesteps.
      const noise = prepareLatents(geometry, spec.seed, spec.noise);

      // 6. Step plans: the batch of each kind of step, with each item's text, text mask and
      //    bias. Text layouts (slots of the text sequence, see layerbind/attention-bias.ts):
      //    - global path: [global] alone, so those steps cost exactly text-to-image's;
      //    - branches (phase 1 instances, phase 2 layers): [global; own region's prompt],
      //      padded to the longest region prompt: the text does not grow with R;
      //    - regional-mask baseline: [global; region 1; ...; region R], as that method does.
      const texts = (layout: TextLayout, slots: { slot: number; prompt: number }[]) => {
        const text = new Float32Array(layout.textLen * dim);
        const mask = new Float32Array(layout.textLen);
        for (const { slot, prompt } of slots) {
          text.set(enc.rows(prompt), layout.offsets[slot] * dim);
          mask.fill(1, layout.offsets[slot], layout.offsets[slot] + lengths[prompt]);
        }
        return { text, mask };
      };
      const globalLayout = textLayout([Math.max(lengths[0], emptyLen)]);
      const branchLayout = textLayout([lengths[0], Math.max(...lengths.slice(1, R + 1))]);
      const fullLayout = textLayout(lengths.slice(0, R + 1));
      const P = enc.pooledDim ?? 0;
      const pooledOf = (prompts: number[]): Float32Array | null => {
        if (!enc.pooled || !P) return null;
        const v = new Float32Array(P);
        for (const p of prompts) for (let k = 0; k < P; k++) v[k] += enc.pooled[p * P + k] / prompts.length;
        return v;
      };
      const item = (layout: TextLayout, slots: { slot: number; prompt: number }[], bias: Float32Array | null): Item => ({ ...texts(layout, slots), pooled: pooledOf(slots.map((x) => x.prompt)), bias, layout });
      const uncondOf = (c: Item): Item => ({ ...texts(c.layout, [{ slot: 0, prompt: R + 1 }]), pooled: pooledOf([R + 1]), bias: c.bias ? uncondBias(c.bias, c.layout.textLen, N) : null, layout: c.layout });
      const makePlan = (conds: Item[], shared: boolean): StepPlan => {
        const g: Guidance = guidance.kind === 'cfg' ? { ...guidance, sharedUncond: shared } : guidance;
        const items = g.kind !== 'cfg' ? conds : g.sharedUncond ? [...conds, uncondOf(conds[0])] : [...conds, ...conds.map(uncondOf)];
        const B = items.length;
        const tLen = conds[0].layout.textLen;
        const jLen = tLen + N;
        const text = new Float32Array(B * tLen * dim);
        const mask = new Float32Array(B * tLen);
        const bias = new Float32Array(B * jLen * jLen);
        const pooled = P ? new Float32Array(B * P) : undefined;
        items.forEach((it, b) => {
          text.set(it.text, b * tLen * dim);
          mask.set(it.mask, b * tLen);
          if (it.bias) bias.set(it.bias, b * jLen * jLen);
          if (pooled && it.pooled) pooled.set(it.pooled, b * P);
        });
        return {
          branches: conds.length, guidance: g,
          batch: new DenoiserBatch(transformer, model, geometry, { batch: B, textLen: tLen, dim, embeds: text, mask, bias, pooled, pooledDim: P || undefined }, g.kind === 'embedded' ? g.scale : undefined),
        };
      };
      const regionIdx = spec.regions.map((_, r) => r);
      const globalSlot = [{ slot: 0, prompt: 0 }];
      // a branch's valid text: its own prompt ('region': the pooled adaLN vector is the
      // region prompt's, as if the instance were generated on its own), or the global
      // prompt too ('global+region': the global prompt also stays visible to the branch's
      // background tokens and is averaged into the pooled vector)
      const branchPooling = o.branchPooling ?? 'region';
      const ownSlots = (r: number) => (branchPooling === 'region' ? [{ slot: 1, prompt: 1 + r }] : [{ slot: 0, prompt: 0 }, { slot: 1, prompt: 1 + r }]);
      const phases: (StepPhase | 'regional')[] =
        mode === 'layerbind' ? stepPhases(spec.steps, nursing) : Array.from({ length: spec.steps }, (_, i) => (mode === 'regional-mask' && i < regionalSteps ? 'regional' : 'global'));
      const opacity = mode === 'layerbind' ? transparencySchedule(spec.steps, nursing) : new Float64Array(spec.steps);
      const plans = new Map<StepPhase | 'regional', StepPlan>([['global', makePlan([item(globalLayout, globalSlot, null)], false)]]);
      if (phases.includes('instance')) {
        // background branch + one branch per region; sharedUncond: every branch is guided
        // against the background branch's unconditional velocity (R + 2 items, not 2R + 2)
        plans.set('instance', makePlan([
          item(branchLayout, globalSlot, null),
          ...regionIdx.map((r) => item(branchLayout, ownSlots(r), instanceBias(branchLayout, [grids.tokenMasks[r]], 0))),
        ], sharedUncond));
      }
      if (phases.includes('nursing')) {
        // global path + one layered-path item per region on the same latent; a layer's
        // bias needs its own mask and the union of the regions in front of it
        plans.set('nursing', makePlan([
          item(branchLayout, globalSlot, null),
          ...regionIdx.map((r) => {
            const inFront = backToFront.slice(backToFront.indexOf(r) + 1);
            const front = new Uint8Array(N);
            for (const f of inFront) grids.tokenMasks[f].forEach((v, k) => (front[k] |= v));
            return item(branchLayout, ownSlots(r), layeredBias(branchLayout, [grids.tokenMasks[r], front], 0, [0, 1]));
          }),
        ], sharedUncond));
      }
      if (phases.includes('regional')) {
        plans.set('regional', makePlan([item(fullLayout, [0, ...regionIdx.map((r) => 1 + r)].map((k) => ({ slot: k, prompt: k })), regionalMaskBias(fullLayout, grids.tokenMasks))], false));
      }

      // 7. Denoising loop. Phase 1 keeps one latent per branch (background + each region);
      //    afterwards there is one latent. Every latent takes the same stateless Euler step.
      let latents: Float32Array = Float32Array.from(noise);
      let branchLatents: Float32Array[] = phases[0] === 'instance' ? regionIdx.map(() => Float32Array.from(noise)) : [];
      const progress = new StepProgress(ctx, parts, geometry, spec.steps, o);
      const runPlan = async (plan: StepPlan, inputs: Float32Array[], ts: number): Promise<Float32Array[]> => {
        const v = await plan.batch.run((b) => (inputs.length === 1 ? inputs[0] : inputs[b % plan.branches]), ts, timer);
        throwIfCancelled(ctx.signal);
        return guidedVelocities(v, size, plan.branches, plan.guidance);
      };
      for (let i = 0; i < spec.steps; i++) {
        throwIfCancelled(ctx.signal);
        const phase = phases[i];
        const ts = modelTimesteps[i];
        const step = (x: Float32Array, v: Float32Array) => eulerStep(x, v, sigmas[i], sigmas[i + 1], x);
        if (phase !== 'instance' && branchLatents.length) {
          // fusion: background branch, then each region's branch back to front (front wins)
          const fused = fuseByOrder(latents, branchLatents, grids.latentAlphas, backToFront);
          o.onFuse?.({ background: latents, branches: branchLatents, fused, backToFront: [...backToFront] });
          latents = fused;
          branchLatents = [];
        }
        if (phase === 'instance') {
          const [vBg, ...vRegions] = await runPlan(plans.get('instance')!, [latents, ...branchLatents], ts);
          step(latents, vBg);
          branchLatents.forEach((x, r) => {
            step(x, vRegions[r]);
            anchorToBackground(x, latents, grids.latentAlphas[r]);
          });
        } else if (phase === 'nursing') {
          const [vGlobal, ...vLayers] = await runPlan(plans.get('nursing')!, [latents], ts);
          step(latents, compositeLayerUpdates(vGlobal, vLayers, grids.latentAlphas, backToFront, opacity[i]));
        } else {
          const [velocity] = await runPlan(plans.get(phase)!, [latents], ts);
          step(latents, velocity);
        }
        o.onStepEnd?.({ i, n: spec.steps, phase, sigma: sigmas[i], latents, opacity: opacity[i] });
        await progress.preview(i, () => (branchLatents.length ? fuseByOrder(latents, branchLatents, grids.latentAlphas, backToFront) : latents));
        progress.report(i);
      }
      timer.mark('denoise');

      // 8. Decode; resample to the canvas when it differs from the native size.
      throwIfCancelled(ctx.signal);
      const { pixels } = await decodeImage(parts, latents, geometry, spec, timer, notes, '; region boxes were mapped through the same crop');
      const provider = transformer.provider;
      return {
        landing: 'add-layers',
        at: { parentId: null, index: 0 },
        layers: [{
          name: generatedLayerName(spec, `LayerBind (${R} regions)`),
          x: 0, y: 0, ...pixels,
          provenance: generationProvenance(model, spec, this.name, provider, {
            regions: spec.regions.map((r) => ({ id: r.id, box: [...r.box] as [number, number, number, number], prompt: r.prompt })),
            order: [...spec.order],
            params: {
              layerbind: mode === 'layerbind'
                ? { mode, ...nursing, ...phaseLevels(o), maskThreshold: threshold, sharedUncond, branchPooling }
                : { mode, ...(mode === 'regional-mask' ? { maskThreshold: threshold, regionalSteps } : {}) },
            },
          }),
        }],
        timings: timer.timings(spec.steps),
        provider,
        notes,
      };
    } finally {
      parts.release();
    }
  }
}

registerPipeline('layerbind', (pack) => new LayerBindPipeline(pack));
