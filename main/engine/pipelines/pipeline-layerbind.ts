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
import ort from 'onnxruntime-node';
import { GenerationSpec, type GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { encodePng } from '../imaging/image-codec.ts';
import { maskTensor } from '../runtime/mask-tensor.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { Device } from '../runtime/execution-providers.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { normalNoise } from '../runtime/prng.ts';
import { sharedSessionPool, type SessionPool } from '../runtime/session-pool.ts';
import { FlowMatchEulerScheduler } from '../schedulers/scheduler-flow-euler.ts';
import { instanceBias, layeredBias, regionalMaskBias, textLayout, uncondBias, type TextLayout } from './layerbind/attention-bias.ts';
import { anchorToBackground, compositeLayerUpdates, fuseByOrder } from './layerbind/latent-fusion.ts';
import { resolveNursingParams, stepPhases, transparencySchedule, type NursingParams, type StepPhase, type TransparencyShape } from './layerbind/nursing-schedule.ts';
import { regionGrids, validateLayout } from './layerbind/region-masks.ts';
import { PackComponents } from './pack-components.ts';
import type { GeneratedLayer } from './pipeline-text-to-image.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

export type LayerBindMode = 'layerbind' | 'regional-mask' | 'global';
export const LAYERBIND_MODES: readonly LayerBindMode[] = ['layerbind', 'regional-mask', 'global'];

/** Method parameters (all optional; docs/layerbind.md gives the defaults and why). */
export interface LayerBindParams {
  mode?: LayerBindMode;
  /** phase 1 steps; the branches are fused before this step. Default 10% of the steps (at least 1). */
  fuseStep?: number;
  /** phase 2 (semantic nursing) steps after the fusion. Default 20% of the steps (at least 1). */
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


export interface LayerBindOptions extends LayerBindParams {
  pool?: SessionPool;
  /** decoded x0 preview every this many steps (0 = none); default ~4 per run */
  previewEvery?: number;
  previewSize?: number;
  /** after every step: the latent the next step starts from, and the phase that ran */
  onStepEnd?: (info: { i: number; n: number; phase: StepPhase | 'regional'; sigma: number; latents: Float32Array; opacity: number }) => void;
  /** phase 1 end (layerbind mode): background, per-region branch latents and the fused latent */
  onFuse?: (info: { background: Float32Array; branches: Float32Array[]; fused: Float32Array; backToFront: number[] }) => void;
}

/** The composite layer; provenance carries the regions, their order and how LayerBind ran. */
export type LayerBindLayer = Omit<GeneratedLayer, 'provenance'> & {
  provenance: Omit<GeneratedLayer['provenance'], 'regions'> & { regions: { id: string; box: [number, number, number, number]; prompt: string }[]; order: string[] };
};

export interface LayerBindResult {
  layers: LayerBindLayer[];
  timings: { load_ms: number; encode_ms: number; denoise_ms: number; step_ms: number; decode_ms: number; resample_ms: number; total_ms: number; network_calls: number; batch_items: number };
  provider: string;
  notes: string[];
}

/** One batch item of a transformer call: its text [textLen, dim], text mask (valid tokens), bias, text layout. */
interface Item {
  text: Float32Array;
  mask: Float32Array;
  bias: Float32Array | null;
  layout: TextLayout;
}

/** Feeds for one kind of step (fixed batch), built once per run and reused. */
interface StepPlan {
  items: Item[];
  /** conditional items (one per branch); the unconditional items follow them */
  branches: number;
  /** one unconditional item shared by every branch (same latent in all of them) */
  sharedUncond: boolean;
  feeds: Record<string, ort.Tensor>;
  latentIn: ort.Tensor;
  timestepIn: ort.Tensor;
  bindings: Record<string, number>;
}

export class LayerBindPipeline implements Pipeline {
  readonly task = 'layerbind';

  constructor(
    readonly pack: Pack,
    readonly options: LayerBindOptions = {},
  ) {}

  async run(specInput: GenerationSpec | GenerationSpecInput, ctx: JobContext): Promise<LayerBindResult> {
    const t0 = performance.now();
    const notes: string[] = [];
    let o = this.options;

    // 1. Check the spec, the layout (regions inside the canvas, prompts, ids, a full
    //    front-to-back order) and the method parameters; tokenize every prompt.
    const spec = parseOrReject(GenerationSpec, specInput, 'generation spec');
    if (spec.layerbind) o = { ...o, ...spec.layerbind }; // validated with the spec
    const mode = o.mode ?? 'layerbind';
    if (!LAYERBIND_MODES.includes(mode)) throw new LaminaError('bad_request', `layerbind mode must be one of ${LAYERBIND_MODES.join(', ')} (got ${String(mode)})`);
    const backToFront = validateLayout(spec.regions, spec.order, spec.width, spec.height);
    const R = spec.regions.length;
    const nursing: NursingParams = resolveNursingParams(spec.steps, o);
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
    const model = parts.model;
    const tokenizer = parts.tokenizer();
    tokenizer.encode(spec.prompt);
    for (const r of spec.regions) {
      try {
        tokenizer.encode(r.prompt);
      } catch (err) {
        if (err instanceof LaminaError) throw new LaminaError(err.code, `region "${r.id}": ${err.message}`, err.details);
        throw err;
      }
    }
    const doCfg = spec.guidance > 1;

    try {
      // 2. Load the graphs; the transformer must take the joint attention bias.
      ctx.progress({ state: 'loading' });
      const [transformer] = await Promise.all([parts.graph('transformer', 'layerbind'), parts.graph('text_encoder', 'layerbind'), parts.graph('vae_decoder', 'layerbind')]);
      throwIfCancelled(ctx.signal);
      const names = {
        latent: transformer.inputNamed('latent', 'hidden_states', 'sample', 'x') ?? 'latent',
        timestep: transformer.inputNamed('timestep', 't', 'sigma') ?? 'timestep',
        text: transformer.inputNamed('text_embeds', 'encoder_hidden_states', 'context') ?? 'text_embeds',
        mask: transformer.inputNamed('text_mask', 'encoder_attention_mask'),
        bias: transformer.inputNamed('attn_bias', 'attention_bias', 'joint_attention_bias'),
      };
      if (!names.bias || !names.mask) {
        throw new LaminaError('bad_pack', `model pack "${model.id}": its transformer takes no ${names.bias ? 'text_mask' : 'attn_bias'} input, which layerbind needs (inputs: ${transformer.inputs.map((i) => i.name).join(', ')})`);
      }
      const tLoad = performance.now();

      // 3. Encode the prompts as one batch [global, region 1..R, empty], each trimmed to
      //    its real tokens (the encoder masks padding, so they do not depend on it).
      const enc = await parts.encodePrompts([spec.prompt, ...spec.regions.map((r) => r.prompt), '']);
      if (enc.truncated.length) notes.push(`${enc.truncated.length} prompt(s) truncated to the text encoder's length`);
      const dim = enc.embeds.dims[2] as number;
      const src = enc.embeds.data as Float32Array;
      const lengths = Array.from({ length: R + 2 }, (_, b) => {
        let n = 0;
        for (let t = 0; t < enc.length; t++) n += enc.mask[b * enc.length + t];
        return Math.max(1, n);
      });
      const promptRows = (b: number) => src.subarray(b * enc.length * dim, (b * enc.length + lengths[b]) * dim);
      const emptyLen = lengths[R + 1];
      const tEncode = performance.now();

      // 4. Geometry: latent grid, token grid, each region's token mask and latent alpha.
      const { channels } = model.latent;
      const lh = Math.round(model.native.height / model.latent.vaeScaleFactor);
      const lw = Math.round(model.native.width / model.latent.vaeScaleFactor);
      const size = channels * lh * lw;
      const patch = model.transformer.patchSize;
      const th = Math.floor(lh / patch);
      const tw = Math.floor(lw / patch);
      const N = th * tw;
      if (model.transformer.imageTokens !== null && model.transformer.imageTokens !== N) {
        throw new LaminaError('bad_pack', `model pack "${model.id}": ${lh}x${lw} latents in ${patch}x${patch} patches make ${N} image tokens, manifest says ${model.transformer.imageTokens}`);
      }
      const grids = regionGrids(spec.regions, spec, model.native, { width: lw, height: lh }, { width: tw, height: th }, threshold);

      // 5. Seeded noise (the same as text-to-image's for this seed) and the timesteps.
      const noise = normalNoise(spec.seed, size);
      const scheduler = new FlowMatchEulerScheduler({ shift: model.scheduler.shift, numTrainTimesteps: model.scheduler.numTrainTimesteps });
      const { timesteps, sigmas } = scheduler.setTimesteps(spec.steps, { spacing: model.scheduler.spacing });
      const timestepScale = model.scheduler.timestepScale / model.scheduler.numTrainTimesteps;

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
          text.set(promptRows(prompt), layout.offsets[slot] * dim);
          mask.fill(1, layout.offsets[slot], layout.offsets[slot] + lengths[prompt]);
        }
        return { text, mask };
      };
      const globalLayout = textLayout([Math.max(lengths[0], emptyLen)]);
      const branchLayout = textLayout([lengths[0], Math.max(...lengths.slice(1, R + 1))]);
      const fullLayout = textLayout(lengths.slice(0, R + 1));
      const item = (layout: TextLayout, slots: { slot: number; prompt: number }[], bias: Float32Array | null): Item => ({ ...texts(layout, slots), bias, layout });
      const uncondOf = (c: Item): Item => ({ ...texts(c.layout, [{ slot: 0, prompt: R + 1 }]), bias: c.bias ? uncondBias(c.bias, c.layout.textLen, N) : null, layout: c.layout });
      const makePlan = (conds: Item[], sharedUncond: boolean): StepPlan => {
        const items = !doCfg ? conds : sharedUncond ? [...conds, uncondOf(conds[0])] : [...conds, ...conds.map(uncondOf)];
        const B = items.length;
        const tLen = conds[0].layout.textLen;
        const jLen = tLen + N;
        const text = new Float32Array(B * tLen * dim);
        const mask = new Float32Array(B * tLen);
        const bias = new Float32Array(B * jLen * jLen);
        items.forEach((it, b) => {
          text.set(it.text, b * tLen * dim);
          mask.set(it.mask, b * tLen);
          if (it.bias) bias.set(it.bias, b * jLen * jLen);
        });
        const latentIn = new ort.Tensor('float32', new Float32Array(B * size), [B, channels, lh, lw]);
        const tsDtype = transformer.spec(names.timestep).dtype;
        const timestepIn = tsDtype === 'int64' ? new ort.Tensor('int64', new BigInt64Array(B), [B]) : new ort.Tensor('float32', new Float32Array(B), [B]);
        const feeds: Record<string, ort.Tensor> = {
          [names.latent]: latentIn,
          [names.timestep]: timestepIn,
          [names.text]: new ort.Tensor('float32', text, [B, tLen, dim]),
          [names.mask!]: maskTensor(transformer.spec(names.mask!).dtype, mask, [B, tLen]),
          [names.bias!]: new ort.Tensor('float32', bias, [B, 1, jLen, jLen]),
        };
        return { items, branches: conds.length, sharedUncond, feeds, latentIn, timestepIn, bindings: { batch: B, text_len: tLen, joint_len: jLen, latent_height: lh, latent_width: lw } };
      };
      const regionIdx = spec.regions.map((_, r) => r);
      const sharedUncond = o.sharedUncond ?? true;
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
      //    afterwards there is one latent.
      const out = transformer.outputNamed('velocity', 'sample', 'noise_pred');
      let latents: Float32Array = Float32Array.from(noise);
      let branchLatents: Float32Array[] = phases[0] === 'instance' ? regionIdx.map(() => Float32Array.from(noise)) : [];
      const previewEvery = o.previewEvery ?? Math.max(1, Math.round(spec.steps / 4));
      let stepTotal = 0;
      let calls = 0;
      let batchItems = 0;
      const runPlan = async (plan: StepPlan, inputs: Float32Array[], ts: number): Promise<Float32Array[]> => {
        const lat = plan.latentIn.data as Float32Array;
        plan.items.forEach((_, b) => lat.set(inputs.length === 1 ? inputs[0] : inputs[b % plan.branches], b * size));
        if (plan.timestepIn.data instanceof BigInt64Array) plan.timestepIn.data.fill(BigInt(Math.round(ts)));
        else (plan.timestepIn.data as Float32Array).fill(ts);
        const s0 = performance.now();
        const v = (await transformer.run(plan.feeds, { bindings: plan.bindings, fetch: [out] }))[out].data as Float32Array;
        stepTotal += performance.now() - s0;
        calls++;
        batchItems += plan.items.length;
        throwIfCancelled(ctx.signal);
        // classifier-free guidance per branch: v = v_u + g (v_c - v_u)
        return Array.from({ length: plan.branches }, (_, b) => {
          const g = new Float32Array(size);
          const c = b * size;
          if (doCfg) {
            const u = (plan.sharedUncond ? plan.branches : b + plan.branches) * size;
            for (let k = 0; k < size; k++) g[k] = v[u + k] + spec.guidance * (v[c + k] - v[u + k]);
          } else g.set(v.subarray(c, c + size));
          return g;
        });
      };
      for (let i = 0; i < spec.steps; i++) {
        throwIfCancelled(ctx.signal);
        const phase = phases[i];
        const ts = Math.fround(timesteps[i] * timestepScale);
        const dt = Math.fround(sigmas[i + 1] - sigmas[i]);
        if (phase !== 'instance' && branchLatents.length) {
          // fusion: background branch, then each region's branch back to front (front wins)
          const fused = fuseByOrder(latents, branchLatents, grids.latentAlphas, backToFront);
          o.onFuse?.({ background: latents, branches: branchLatents, fused, backToFront: [...backToFront] });
          latents = fused;
          branchLatents = [];
        }
        let velocity: Float32Array;
        if (phase === 'instance') {
          const [vBg, ...vRegions] = await runPlan(plans.get('instance')!, [latents, ...branchLatents], ts);
          eulerStep(latents, vBg, dt);
          branchLatents.forEach((x, r) => {
            eulerStep(x, vRegions[r], dt);
            anchorToBackground(x, latents, grids.latentAlphas[r]);
          });
          velocity = vBg;
        } else if (phase === 'nursing') {
          const [vGlobal, ...vLayers] = await runPlan(plans.get('nursing')!, [latents], ts);
          velocity = compositeLayerUpdates(vGlobal, vLayers, grids.latentAlphas, backToFront, opacity[i]);
          eulerStep(latents, velocity, dt);
        } else {
          [velocity] = await runPlan(plans.get(phase)!, [latents], ts);
          eulerStep(latents, velocity, dt);
        }
        o.onStepEnd?.({ i, n: spec.steps, phase, sigma: sigmas[i], latents, opacity: opacity[i] });
        let preview: string | undefined;
        if (previewEvery > 0 && i < spec.steps - 1 && (i + 1) % previewEvery === 0) {
          const view = branchLatents.length ? fuseByOrder(latents, branchLatents, grids.latentAlphas, backToFront) : latents;
          preview = await parts.previewPng(view, lh, lw, this.options.previewSize ?? 64);
        }
        ctx.progress({ state: 'step', i: i + 1, n: spec.steps, ...(preview ? { preview } : {}) });
      }
      const tDenoise = performance.now();

      // 8. VAE decode; resample to the canvas when it differs from the native size.
      throwIfCancelled(ctx.signal);
      const { image, native, resampled, decodeMs } = await parts.decodeToCanvas(latents, lh, lw, spec.width, spec.height);
      const tDecode = tDenoise + decodeMs;
      if (resampled) notes.push(`generated at the pack's native ${native.width}x${native.height} and resampled to ${spec.width}x${spec.height}${resampled === 'fill' ? '' : ' (scaled to cover, centre-cropped: aspect ratios differ; region boxes were mapped through the same crop)'}`);
      const png = await encodePng(image);
      const tEnd = performance.now();
      const provider = transformer.provider;
      return {
        layers: [{
          name: spec.prompt.trim() ? spec.prompt.trim().slice(0, 60) : `LayerBind (${R} regions)`,
          width: image.width,
          height: image.height,
          x: 0,
          y: 0,
          pngBase64: Buffer.from(png).toString('base64'),
          provenance: {
            packId: model.id, pipeline: this.task, prompt: spec.prompt, seed: spec.seed, steps: spec.steps, guidance: spec.guidance,
            regions: spec.regions.map((r) => ({ id: r.id, box: [...r.box] as [number, number, number, number], prompt: r.prompt })),
            order: [...spec.order], provider, createdAt: new Date().toISOString(),
            packVersion: model.version, sampler: 'flow_match_euler', shift: model.scheduler.shift, spacing: model.scheduler.spacing,
            noise: 'philox4x32-10 + box-muller', native: model.native,
            layerbind: mode === 'layerbind'
              ? { mode, ...nursing, maskThreshold: threshold, sharedUncond, branchPooling }
              : { mode, ...(mode === 'regional-mask' ? { maskThreshold: threshold, regionalSteps } : {}) },
          },
        }],
        timings: {
          load_ms: round(tLoad - t0), encode_ms: round(tEncode - tLoad), denoise_ms: round(tDenoise - tEncode),
          step_ms: round(stepTotal / spec.steps), decode_ms: round(tDecode - tDenoise), resample_ms: round(tEnd - tDecode), total_ms: round(tEnd - t0),
          network_calls: calls, batch_items: batchItems,
        },
        provider,
        notes,
      };
    } finally {
      parts.release();
    }
  }
}

/** Flow-matching Euler, in place, with the scheduler's float32 arithmetic: x += fround(dt * v). */
function eulerStep(x: Float32Array, v: Float32Array, dt: number): void {
  for (let k = 0; k < x.length; k++) x[k] = x[k] + Math.fround(dt * v[k]);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

registerPipeline('layerbind', (pack) => new LayerBindPipeline(pack));
