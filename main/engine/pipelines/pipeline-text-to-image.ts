// Text -> image on a model pack, written like diffusers' __call__: numbered steps,
// components injected (pack, session pool, device), the scheduler pure and swappable.
// Each network step is one ONNX call; classifier-free guidance runs cond + uncond as a
// batch of 2 in that one call.
import ort from 'onnxruntime-node';
import { GenerationSpec, type GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { encodePng } from '../imaging/image-codec.ts';
import { maskTensor } from '../runtime/mask-tensor.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { Device } from '../runtime/execution-providers.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { normalNoise } from '../runtime/prng.ts';
import { sharedSessionPool, type SessionPool } from '../runtime/session-pool.ts';
import { FlowMatchEulerScheduler } from '../schedulers/scheduler-flow-euler.ts';
import { PackComponents } from './pack-components.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

/** One layer of the result (common/contract/generation-result.ts GeneratedLayer). */
export interface GeneratedLayer {
  name: string;
  width: number;
  height: number;
  x: number;
  y: number;
  pngBase64: string;
  /** common/document/document-schema.ts Provenance, plus how the sampler ran */
  provenance: {
    packId: string; pipeline: string; prompt: string; seed: number; steps: number; guidance: number;
    regions: []; provider: string; createdAt: string; [extra: string]: unknown;
  };
}

export interface TextToImageResult {
  layers: GeneratedLayer[];
  timings: { load_ms: number; encode_ms: number; denoise_ms: number; step_ms: number; decode_ms: number; resample_ms: number; total_ms: number };
  provider: string;
  notes: string[];
}

export interface TextToImageOptions {
  pool?: SessionPool;
  /** decoded x0 preview every this many steps (0 = none); default ~4 per run */
  previewEvery?: number;
  /** longest side of a preview PNG */
  previewSize?: number;
  /** called after every step with the allowlisted tensors (diffusers' callback_on_step_end) */
  onStepEnd?: (info: { i: number; n: number; sigma: number; latents: Float32Array; velocity: Float32Array }) => void;
}

export class TextToImagePipeline implements Pipeline {
  readonly task = 'text-to-image';

  constructor(
    readonly pack: Pack,
    readonly options: TextToImageOptions = {},
  ) {}

  async run(specInput: GenerationSpec | GenerationSpecInput, ctx: JobContext): Promise<TextToImageResult> {
    const t0 = performance.now();
    const notes: string[] = [];

    // 1. Check the spec (the same schema every transport uses) and the prompt's words.
    const spec = parseOrReject(GenerationSpec, specInput, 'generation spec');
    const parts = new PackComponents(this.pack, this.options.pool ?? sharedSessionPool(), spec.device as Device);
    const model = parts.model;
    const tokenizer = parts.tokenizer();
    tokenizer.encode(spec.prompt); // unknown words -> bad_request before any session loads
    if (spec.regions.length > 0) notes.push('regions are ignored by text-to-image (they are for the layerbind pipeline)');
    const doCfg = spec.guidance > 1;

    try {
      // 2. Load the graphs (lazily, from the pool) and encode the prompt (+ the empty prompt for CFG).
      ctx.progress({ state: 'loading' });
      const [transformer] = await Promise.all([parts.graph('transformer', 'text-to-image'), parts.graph('text_encoder', 'text-to-image'), parts.graph('vae_decoder', 'text-to-image')]);
      throwIfCancelled(ctx.signal);
      const tLoad = performance.now();
      const text = await parts.encodePrompts(doCfg ? [spec.prompt, ''] : [spec.prompt]);
      if (text.truncated.length) notes.push(`prompt truncated to ${model.tokenizer.maxLength ?? tokenizer.maxLength} tokens`);
      const tEncode = performance.now();

      // 3. Prepare latents: seeded Philox noise at the pack's native latent size.
      const { channels } = model.latent;
      const lh = Math.round(model.native.height / model.latent.vaeScaleFactor);
      const lw = Math.round(model.native.width / model.latent.vaeScaleFactor);
      const size = channels * lh * lw;
      const latents = normalNoise(spec.seed, size);

      // 4. Set timesteps.
      const scheduler = new FlowMatchEulerScheduler({ shift: model.scheduler.shift, numTrainTimesteps: model.scheduler.numTrainTimesteps });
      const { timesteps, sigmas } = scheduler.setTimesteps(spec.steps, { spacing: model.scheduler.spacing });
      const timestepScale = model.scheduler.timestepScale / model.scheduler.numTrainTimesteps; // timesteps are sigma * N

      // 5. Denoising loop.
      const batch = doCfg ? 2 : 1;
      const names = {
        latent: transformer.inputNamed('latent', 'hidden_states', 'sample', 'x') ?? 'latent',
        timestep: transformer.inputNamed('timestep', 't', 'sigma') ?? 'timestep',
        text: transformer.inputNamed('text_embeds', 'encoder_hidden_states', 'context') ?? 'text_embeds',
        mask: transformer.inputNamed('text_mask', 'encoder_attention_mask'),
      };
      const out = transformer.outputNamed('velocity', 'sample', 'noise_pred');
      const latentIn = transformer.buffers.tensor(names.latent, 'float32', [batch, channels, lh, lw]);
      const timestepIn = transformer.buffers.tensor(names.timestep, transformer.spec(names.timestep).dtype, [batch]);
      const feeds: Record<string, ort.Tensor> = { [names.latent]: latentIn, [names.timestep]: timestepIn, [names.text]: text.embeds };
      if (names.mask) feeds[names.mask] = maskTensor(transformer.spec(names.mask).dtype, text.mask, [batch, text.length]);
      const patch = model.transformer.patchSize;
      const imageTokens = model.transformer.imageTokens ?? Math.floor(lh / patch) * Math.floor(lw / patch);
      const bindings = { batch, text_len: text.length, joint_len: text.length + imageTokens, latent_height: lh, latent_width: lw };
      const previewEvery = this.options.previewEvery ?? Math.max(1, Math.round(spec.steps / 4));
      const guided = new Float32Array(size);
      const x0 = new Float32Array(size);
      let stepTotal = 0;
      for (let i = 0; i < spec.steps; i++) {
        throwIfCancelled(ctx.signal);
        const ts = Math.fround(timesteps[i] * timestepScale);
        const lat = latentIn.data as Float32Array;
        for (let b = 0; b < batch; b++) lat.set(latents, b * size);
        if (timestepIn.data instanceof BigInt64Array) timestepIn.data.fill(BigInt(Math.round(ts)));
        else (timestepIn.data as Float32Array).fill(ts);
        const s0 = performance.now();
        const v = (await transformer.run(feeds, { bindings, fetch: [out] }))[out].data as Float32Array;
        stepTotal += performance.now() - s0;
        throwIfCancelled(ctx.signal);
        if (doCfg) for (let k = 0; k < size; k++) guided[k] = v[size + k] + spec.guidance * (v[k] - v[size + k]);
        else guided.set(v.subarray(0, size));
        const sigma = sigmas[i];
        this.options.onStepEnd?.({ i, n: spec.steps, sigma, latents, velocity: guided });
        let preview: string | undefined;
        if (previewEvery > 0 && i < spec.steps - 1 && (i + 1) % previewEvery === 0) {
          scheduler.predictX0(guided, latents, x0);
          preview = await parts.previewPng(x0, lh, lw, this.options.previewSize ?? 64);
        }
        scheduler.step(guided, latents, latents);
        ctx.progress({ state: 'step', i: i + 1, n: spec.steps, ...(preview ? { preview } : {}) });
      }
      const tDenoise = performance.now();

      // 6. VAE decode to RGBA; 7. resample to the requested canvas when it differs from
      //    the native size.
      throwIfCancelled(ctx.signal);
      const { image, native, resampled, decodeMs } = await parts.decodeToCanvas(latents, lh, lw, spec.width, spec.height);
      const tDecode = tDenoise + decodeMs;
      if (resampled) notes.push(`generated at the pack's native ${native.width}x${native.height} and resampled to ${spec.width}x${spec.height}${resampled === 'fill' ? '' : ' (scaled to cover, centre-cropped: aspect ratios differ)'}`);
      const png = await encodePng(image);
      const tEnd = performance.now();
      const provider = transformer.provider;
      return {
        layers: [{
          name: spec.prompt.trim() ? spec.prompt.trim().slice(0, 60) : 'Generated',
          width: image.width,
          height: image.height,
          x: 0,
          y: 0,
          pngBase64: Buffer.from(png).toString('base64'),
          provenance: {
            packId: model.id, pipeline: this.task, prompt: spec.prompt, seed: spec.seed, steps: spec.steps,
            guidance: spec.guidance, regions: [], provider, createdAt: new Date().toISOString(),
            packVersion: model.version, sampler: 'flow_match_euler', shift: model.scheduler.shift, spacing: model.scheduler.spacing,
            noise: 'philox4x32-10 + box-muller', native: model.native,
          },
        }],
        timings: {
          load_ms: round(tLoad - t0), encode_ms: round(tEncode - tLoad), denoise_ms: round(tDenoise - tEncode),
          step_ms: round(stepTotal / spec.steps), decode_ms: round(tDecode - tDenoise), resample_ms: round(tEnd - tDecode), total_ms: round(tEnd - t0),
        },
        provider,
        notes,
      };
    } finally {
      parts.release();
    }
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

registerPipeline('text-to-image', (pack) => new TextToImagePipeline(pack));
