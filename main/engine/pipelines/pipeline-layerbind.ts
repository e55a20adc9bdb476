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
import sharp from 'sharp';
import { GenerationSpec, type GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { describeZodError } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { encodePng } from '../imaging/image-codec.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { Device } from '../runtime/execution-providers.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { normalNoise } from '../runtime/prng.ts';
import { sharedSessionPool, type SessionPool } from '../runtime/session-pool.ts';
import { FlowMatchEulerScheduler } from '../schedulers/scheduler-flow-euler.ts';
import { instanceBias, layeredBias, regionalMaskBias, slotTextMask, textLayout, uncondBias } from './layerbind/attention-bias.ts';
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
  /** phase 1 steps; the branches are fused before this step. Default ~15% of the steps. */
  fuseStep?: number;
  /** phase 2 (semantic nursing) steps after the fusion. Default ~25% of the steps. */
  nursingSteps?: number;
  /** layer-transparency shape over the nursing window. Default 'cosine'. */
  schedule?: TransparencyShape;
  /** layer opacity at the start of nursing, [0, 1]. Default 1. */
  strength?: number;
  /** share of a token's area a box must cover for the token to join the region's attention mask. Default 0.5. */
  maskThreshold?: number;
  /** regional-mask mode: masked steps from the start (default all; Regional-Prompting-FLUX's mask_inject_steps). */
  regionalSteps?: number;
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

/** One batch item of a transformer call: cond or uncond text, which text slots are valid, its bias. */
interface Item {
  uncond: boolean;
  textMask: Float32Array;
  bias: Float32Array | null;
}

/** Feeds for one kind of step (fixed batch), built once per run and reused. */
interface StepPlan {
  items: Item[];
  /** branches per CFG half (items = branches or 2 * branches) */
  branches: number;
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
    const o = this.options;

    // 1. Check the spec, the layout (regions inside the canvas, prompts, ids, a full
    //    front-to-back order) and the method parameters; tokenize every prompt.
    const parsed = GenerationSpec.safeParse(specInput);
    if (!parsed.success) throw new LaminaError('bad_request', `generation spec: ${describeZodError(parsed.error)}`);
    const spec = parsed.data;
    const mode = o.mode ?? 'layerbind';
    if (!LAYERBIND_MODES.includes(mode)) throw new LaminaError('bad_request', `layerbind mode must be one of ${LAYERBIND_MODES.join(', ')} (got ${String(mode)})`);
    const backToFront = validateLayout(spec.regions, spec.order, spec.width, spec.height);
    const R = spec.regions.length;
    const nursing: NursingParams = resolveNursingParams(spec.steps, o);
    const threshold = o.maskThreshold ?? 0.5;
    if (!(threshold > 0 && threshold <= 1)) throw new LaminaError('bad_request', `layerbind maskThreshold must be in (0, 1] (got ${threshold})`);
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

      // 3. Encode the prompts as one batch [global, region 1..R, empty]; lay the text
      //    sequence out as slots (global, then each region), each trimmed to its tokens.
      const enc = await parts.encodePrompts([spec.prompt, ...spec.regions.map((r) => r.prompt), '']);
      if (enc.truncated.length) notes.push(`${enc.truncated.length} prompt(s) truncated to the text encoder's length`);
      const dim = enc.embeds.dims[2] as number;
      const lengths = Array.from({ length: R + 2 }, (_, b) => {
        let n = 0;
        for (let t = 0; t < enc.length; t++) n += enc.mask[b * enc.length + t];
        return Math.max(1, n);
      });
      const layout = textLayout(lengths.slice(0, R + 1));
      const emptyLen = lengths[R + 1];
      const T = layout.textLen;
      const src = enc.embeds.data as Float32Array;
      const condText = new Float32Array(T * dim);
      for (let s = 0; s <= R; s++) condText.set(src.subarray(s * enc.length * dim, (s * enc.length + layout.lengths[s]) * dim), layout.offsets[s] * dim);
      const uncondText = new Float32Array(T * dim);
      uncondText.set(src.subarray((R + 1) * enc.length * dim, ((R + 1) * enc.length + Math.min(emptyLen, T)) * dim), 0);
      const uncondMask = new Float32Array(T).fill(1, 0, Math.min(emptyLen, T));
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
      const J = T + N;

      // 5. Seeded noise (the same as text-to-image's for this seed) and the timesteps.
      const noise = normalNoise(spec.seed, size);
      const scheduler = new FlowMatchEulerScheduler({ shift: model.scheduler.shift, numTrainTimesteps: model.scheduler.numTrainTimesteps });
      const { timesteps, sigmas } = scheduler.setTimesteps(spec.steps, { spacing: model.scheduler.spacing });
      const timestepScale = model.scheduler.timestepScale / model.scheduler.numTrainTimesteps;

      // 6. Step plans: the batch of each kind of step, with its text masks and biases.
      const globalMask = slotTextMask(layout, [0]);
      const item = (textMask: Float32Array, bias: Float32Array | null): Item[] => [{ uncond: false, textMask, bias }];
      const withUncond = (conds: Item[]): Item[] => (doCfg ? [...conds, ...conds.map((c) => ({ uncond: true, textMask: uncondMask, bias: c.bias ? uncondBias(c.bias, T, N) : null }))] : conds);
      const makePlan = (conds: Item[]): StepPlan => {
        const items = withUncond(conds);
        const B = items.length;
        const text = new Float32Array(B * T * dim);
        const mask = new Float32Array(B * T);
        const bias = new Float32Array(B * J * J);
        items.forEach((it, b) => {
          text.set(it.uncond ? uncondText : condText, b * T * dim);
          mask.set(it.textMask, b * T);
          if (it.bias) bias.set(it.bias, b * J * J);
        });
        const latentIn = new ort.Tensor('float32', new Float32Array(B * size), [B, channels, lh, lw]);
        const tsDtype = transformer.spec(names.timestep).dtype;
        const timestepIn = tsDtype === 'int64' ? new ort.Tensor('int64', new BigInt64Array(B), [B]) : new ort.Tensor('float32', new Float32Array(B), [B]);
        const feeds: Record<string, ort.Tensor> = {
          [names.latent]: latentIn,
          [names.timestep]: timestepIn,
          [names.text]: new ort.Tensor('float32', text, [B, T, dim]),
          [names.mask!]: maskTensor(transformer.spec(names.mask!).dtype, mask, [B, T]),
          [names.bias!]: new ort.Tensor('float32', bias, [B, 1, J, J]),
        };
        return { items, branches: conds.length, feeds, latentIn, timestepIn, bindings: { batch: B, text_len: T, joint_len: J, latent_height: lh, latent_width: lw } };
      };
      const regionIdx = spec.regions.map((_, r) => r);
      const globalPlan = makePlan(item(globalMask, null));
      const phases: (StepPhase | 'regional')[] =
        mode === 'layerbind' ? stepPhases(spec.steps, nursing) : Array.from({ length: spec.steps }, (_, i) => (mode === 'regional-mask' && i < regionalSteps ? 'regional' : 'global'));
      const opacity = mode === 'layerbind' ? transparencySchedule(spec.steps, nursing) : new Float64Array(spec.steps);
      const plans = new Map<StepPhase | 'regional', StepPlan>([['global', globalPlan]]);
      if (phases.includes('instance')) {
        plans.set('instance', makePlan([...item(globalMask, null), ...regionIdx.flatMap((r) => item(slotTextMask(layout, [0, 1 + r]), instanceBias(layout, grids.tokenMasks, r)))]));
      }
      if (phases.includes('nursing')) {
        plans.set('nursing', makePlan([...item(globalMask, null), ...regionIdx.flatMap((r) => item(slotTextMask(layout, [0, 1 + r]), layeredBias(layout, grids.tokenMasks, r, backToFront)))]));
      }
      if (phases.includes('regional')) {
        plans.set('regional', makePlan(item(slotTextMask(layout, [0, ...regionIdx.map((r) => 1 + r)]), regionalMaskBias(layout, grids.tokenMasks))));
      }

      // 7. Denoising loop. Phase 1 keeps one latent per branch (background + each region);
      //    afterwards there is one latent.
      const out = transformer.outputNamed('velocity', 'sample', 'noise_pred');
      let latents = Float32Array.from(noise);
      let branchLatents: Float32Array[] = phases[0] === 'instance' ? regionIdx.map(() => Float32Array.from(noise)) : [];
      const previewEvery = o.previewEvery ?? Math.max(1, Math.round(spec.steps / 4));
      let stepTotal = 0;
      let calls = 0;
      let batchItems = 0;
      const runPlan = async (plan: StepPlan, inputs: Float32Array[], ts: number): Promise<Float32Array[]> => {
        const lat = plan.latentIn.data as Float32Array;
        plan.items.forEach((_, b) => lat.set(inputs[b % plan.branches], b * size));
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
            const u = (b + plan.branches) * size;
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
        let velocity: Float32Array<ArrayBufferLike>;
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
          preview = await this.preview(parts, view, lh, lw);
        }
        ctx.progress({ state: 'step', i: i + 1, n: spec.steps, ...(preview ? { preview } : {}) });
      }
      const tDenoise = performance.now();

      // 8. VAE decode; resample to the canvas when it differs from the native size.
      throwIfCancelled(ctx.signal);
      const decoded = await parts.decodeLatents(latents, 1, lh, lw);
      let image = parts.toImages(decoded, 1)[0];
      const tDecode = performance.now();
      if (image.width !== spec.width || image.height !== spec.height) {
        const sameAspect = Math.abs(image.width / image.height - spec.width / spec.height) < 1e-6;
        image = await resample(image, spec.width, spec.height, sameAspect ? 'fill' : 'cover');
        notes.push(`generated at the pack's native ${decoded.width}x${decoded.height} and resampled to ${spec.width}x${spec.height}${sameAspect ? '' : ' (scaled to cover, centre-cropped: aspect ratios differ; region boxes were mapped through the same crop)'}`);
      }
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
            layerbind: { mode, ...nursing, maskThreshold: threshold, ...(mode === 'regional-mask' ? { regionalSteps } : {}) },
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

  private async preview(parts: PackComponents, x: Float32Array, lh: number, lw: number): Promise<string> {
    const img = parts.toImages(await parts.decodeLatents(x, 1, lh, lw), 1)[0];
    const max = this.options.previewSize ?? 64;
    const scale = Math.min(1, max / Math.max(img.width, img.height));
    const small = scale < 1 ? await resample(img, Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)), 'fill') : img;
    return Buffer.from(await encodePng(small)).toString('base64');
  }
}

/** Flow-matching Euler, in place, with the scheduler's float32 arithmetic: x += fround(dt * v). */
function eulerStep(x: Float32Array, v: Float32Array, dt: number): void {
  for (let k = 0; k < x.length; k++) x[k] = x[k] + Math.fround(dt * v[k]);
}

async function resample(img: RgbaImage, width: number, height: number, fit: 'fill' | 'cover'): Promise<RgbaImage> {
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(width, height, { fit, kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function maskTensor(dtype: string, mask: Float32Array, dims: number[]): ort.Tensor {
  if (dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(mask, (v) => BigInt(v)), dims);
  if (dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(mask), dims);
  return new ort.Tensor('float32', mask, dims);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

registerPipeline('layerbind', (pack) => new LayerBindPipeline(pack));
