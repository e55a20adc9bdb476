// Text -> image on a model pack, written like diffusers' __call__: numbered steps over
// the shared denoising steps (./denoise/), components injected (pack, session pool,
// device), the scheduler pure and swappable. Each network step is one ONNX call;
// classifier-free guidance runs cond + uncond as a batch of 2 in that one call.
import { GenerationSpec, type GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import type { GenerationResult } from '../../../common/contract/task-results.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { Device } from '../runtime/execution-providers.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { sharedSessionPool, type SessionPool } from '../runtime/session-pool.ts';
import { eulerStep, predictX0 } from '../schedulers/scheduler-flow-euler.ts';
import { decodeImage } from './denoise/decode-image.ts';
import { compositeByMask, noiseTo, prepareInit } from './denoise/init-image.ts';
import { resultPixels } from '../imaging/result-pixels.ts';
import { DenoiserBatch } from './denoise/denoiser-batch.ts';
import { checkPrompts } from './denoise/encode-prompt.ts';
import { loadAndEncode } from './denoise/load-and-encode.ts';
import { generatedLayerName, generationProvenance } from './denoise/generation-provenance.ts';
import { guidanceFor, guidedVelocities } from './denoise/guided-step.ts';
import { PipelineTimer, type PipelineTimings } from './denoise/pipeline-timer.ts';
import { latentGeometry, prepareLatents } from './denoise/prepare-latents.ts';
import { prepareTimesteps } from './denoise/prepare-timesteps.ts';
import { StepProgress, type PreviewOptions } from './denoise/step-progress.ts';
import { PackComponents } from './pack-components.ts';
import { KvPatcher, type KvPatchPlan } from './denoise/kv-patch.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';

/** The generate task's result (common/contract/task-results.ts), with this pipeline's timings. */
export type TextToImageResult = GenerationResult & { timings: PipelineTimings };

export interface TextToImageOptions extends PreviewOptions {
  pool?: SessionPool;
  /** called after every step with the allowlisted tensors (diffusers' callback_on_step_end) */
  onStepEnd?: (info: { i: number; n: number; sigma: number; latents: Float32Array; velocity: Float32Array }) => void;
  /** the final latents, before decoding (parity tests compare them with diffusers') */
  onDenoised?: (latents: Float32Array) => void;
  /** text K/V patching (the text-edit pipeline): from step `startStep` on, the conditional
   * item's text keys/values in `blocks` come from `prompt` run on the same latents */
  kvPatch?: KvPatch;
}

export type KvPatch = KvPatchPlan & { prompt: string };

export class TextToImagePipeline implements Pipeline {
  readonly name = 'text-to-image';

  constructor(
    readonly pack: Pack,
    readonly options: TextToImageOptions = {},
  ) {}

  async run(specInput: GenerationSpec | GenerationSpecInput, ctx: JobContext): Promise<TextToImageResult> {
    const timer = new PipelineTimer();
    const notes: string[] = [];

    // 1. Check the spec (the same schema every transport uses) and the prompt's words.
    const spec = parseOrReject(GenerationSpec, specInput, 'generation spec');
    const parts = new PackComponents(this.pack, this.options.pool ?? sharedSessionPool(), spec.device as Device);
    parts.useAdapters(spec.adapters); // unknown adapter ids -> bad_request before any session loads
    const model = parts.model;
    const patch = this.options.kvPatch;
    checkPrompts(parts, [{ text: spec.prompt }, ...(patch ? [{ text: patch.prompt, label: 'edited prompt' }] : [])]); // unknown words -> bad_request before any session loads
    if (spec.regions.length > 0) notes.push('regions are ignored by text-to-image (they are for the layerbind pipeline)');
    const guidance = guidanceFor(model, spec.guidance);
    const geometry = latentGeometry(model, spec);

    try {
      // 2-3. Load the graphs (from the pool, in sequence when its budget needs it) and
      //      encode the prompt (+ the unconditional prompt for CFG) as one batch.
      const withUncond = (p: string) => (guidance.kind === 'cfg' ? [p, model.scheduler.uncondPrompt] : [p]);
      const { transformer, text, alsoText } = await loadAndEncode(parts, withUncond(spec.prompt), ctx, timer, this.name, patch && withUncond(patch.prompt));
      if (text.truncated.length) notes.push(`prompt truncated to ${parts.maxTokens} tokens`);

      // 4. Prepare latents (seeded noise at the pack's native latent size, or the spec's own
      //    noise file) and timesteps; with an init picture, its latent noised to the
      //    strength's sigma (./denoise/init-image.ts).
      const noise = prepareLatents(geometry, spec.seed, spec.noise);
      const { sigmas, model: modelTimesteps } = prepareTimesteps(model, spec.steps, geometry.imageTokens);
      const init = spec.init ? await prepareInit(parts, spec.init, spec, geometry, spec.steps) : null;
      const latents = noise.slice();
      if (init) noiseTo(latents, init.x0, noise, sigmas[init.start], null, geometry.channels);

      // 5. Denoising loop: one guided network call and one Euler step per step; outside an
      //    init mask, the latent is put back on the picture's noising path after each step.
      const batchOf = (t: typeof text) => new DenoiserBatch(transformer, model, geometry, { batch: t.batch, textLen: t.length, dim: t.dim, embeds: t.embeds, mask: t.mask, pooled: t.pooled, pooledDim: t.pooledDim }, guidance.kind === 'embedded' ? guidance.scale : undefined);
      const batch = batchOf(text);
      const patcher = patch && alsoText ? new KvPatcher(model, batchOf(alsoText), batch.batch, text.length, patch) : null;
      const progress = new StepProgress(ctx, parts, geometry, spec.steps, this.options);
      for (let i = init?.start ?? 0; i < spec.steps; i++) {
        throwIfCancelled(ctx.signal);
        const v = patcher?.active(i)
          ? (await batch.runWith(() => latents, modelTimesteps[i], timer, await patcher.overrides(() => latents, modelTimesteps[i], timer))).velocity
          : await batch.run(() => latents, modelTimesteps[i], timer);
        throwIfCancelled(ctx.signal);
        const [velocity] = guidedVelocities(v, geometry.size, 1, guidance);
        this.options.onStepEnd?.({ i, n: spec.steps, sigma: sigmas[i], latents, velocity });
        await progress.preview(i, () => predictX0(latents, velocity, sigmas[i]));
        eulerStep(latents, velocity, sigmas[i], sigmas[i + 1], latents);
        if (init?.regen) noiseTo(latents, init.x0, noise, sigmas[i + 1], init.regen, geometry.channels);
        progress.report(i);
      }
      timer.mark('denoise');
      this.options.onDenoised?.(latents);

      // 6. Decode to RGBA and resample to the requested canvas when it differs from the native
      //    size; with an init mask, composite over the original (unmasked pixels unchanged).
      throwIfCancelled(ctx.signal);
      const decoded = await decodeImage(parts, latents, geometry, spec, timer, notes);
      const pixels = init?.weights ? resultPixels(compositeByMask(decoded.image, init.original, init.weights)) : decoded.pixels;
      if (init) notes.push(`regenerated ${init.weights ? 'the masked area' : 'the picture'} at strength ${spec.init!.strength} (${spec.steps - init.start} of ${spec.steps} steps)`);
      const provider = transformer.provider;
      return {
        landing: 'add-layers',
        at: { parentId: null, index: 0 },
        layers: [{
          name: generatedLayerName(spec),
          x: 0, y: 0, ...pixels,
          provenance: generationProvenance(model, spec, this.name, provider, spec.init ? { params: { init: { strength: spec.init.strength, masked: !!spec.init.mask, startStep: init!.start } } } : {}),
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

registerPipeline('text-to-image', (pack) => new TextToImagePipeline(pack));
