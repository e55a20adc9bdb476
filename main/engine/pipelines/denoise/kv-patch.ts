// Text K/V patching (activation patching of the joint attention's text keys/values): a
// second batch, the same latents and timestep with another prompt, gives each joint
// block's text K/V; the main batch then runs with them as overrides, mixed in only for its
// first (conditional) item and only in the chosen blocks: k <- k + mix * (override - k),
// mix 1 there and 0 elsewhere (mix 0 is exactly k: no effect). The two batches have the
// same shape ([prompt, uncond] under CFG), so the same prompt patches in its own K/V
// bit for bit: a no-op.
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import type { PackModel } from '../../runtime/pack-model.ts';
import { floatTensor, type Tensor } from '../../runtime/tensors.ts';
import type { DenoiserBatch } from './denoiser-batch.ts';
import type { PipelineTimer } from './pipeline-timer.ts';

export interface KvPatchPlan {
  /** joint block indices (0-based); none = no patching */
  blocks: readonly number[];
  /** the first step patched (0-based) */
  startStep: number;
}

/** The blocks a plan names, checked against the pack (every joint block when none are given). */
export function patchBlocks(model: PackModel, blocks: readonly number[] | undefined): number[] {
  const n = model.transformer.blockCount;
  if (!model.transformer.io.textKv) throw new LaminaError('unsupported', `model pack "${model.id}": its transformer has no text K/V outputs and overrides, which text edits patch`);
  blocks ??= model.transformer.textEditBlocks;
  if (!blocks) return Array.from({ length: n }, (_, i) => i);
  const bad = blocks.filter((b) => b >= n);
  if (bad.length) throw new LaminaError('bad_request', `block${bad.length > 1 ? 's' : ''} ${bad.join(', ')} out of range: model pack "${model.id}" has ${n} joint blocks (0-${n - 1})`);
  return [...new Set(blocks)].sort((a, b) => a - b);
}

export class KvPatcher {
  private readonly mix: Tensor;
  private readonly io: NonNullable<PackModel['transformer']['io']['textKv']>;

  constructor(
    model: PackModel,
    /** the patch prompt's batch (same shape as the main batch) */
    private readonly source: DenoiserBatch,
    batch: number,
    textLen: number,
    private readonly plan: KvPatchPlan,
  ) {
    const blocks = patchBlocks(model, plan.blocks);
    this.io = model.transformer.io.textKv!;
    if (source.batch !== batch) throw new LaminaError('internal', `K/V patch batch has ${source.batch} items, the main batch ${batch}`);
    const len = source.bindings.text_len;
    if (len !== textLen) throw new LaminaError('bad_request', `the edited prompt has ${len} text tokens and the original ${textLen}: K/V patching swaps tokens one for one (replace a word by one word)`);
    const n = model.transformer.blockCount;
    const mix = new Float32Array(batch * n);
    for (const b of blocks) mix[b] = 1; // item 0 only: the conditional item
    this.mix = floatTensor(mix, [batch, n]);
  }

  /** Whether step i runs patched. */
  active(i: number): boolean {
    return this.plan.blocks.length > 0 && i >= this.plan.startStep;
  }

  /** The feeds that patch the main batch at this step: the patch prompt's K/V on the same latents. */
  async overrides(latentOf: (b: number) => Float32Array, timestep: number, timer: PipelineTimer): Promise<Record<string, Tensor>> {
    const { k, v, kOverride, vOverride, mix } = this.io;
    const { outputs } = await this.source.runWith(latentOf, timestep, timer, {}, [k, v]);
    return { [kOverride]: outputs[k], [vOverride]: outputs[v], [mix]: this.mix };
  }
}
