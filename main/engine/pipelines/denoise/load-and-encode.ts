// Steps "load" and "encode prompt", in the order memory needs (diffusers' model CPU
// offload, done by the pool): the text encoders load and encode the prompts, go back to
// the pool, then the transformer loads. When the pool's budget cannot hold both, it
// closes the idle text encoders before it creates the transformer; when it can, they
// stay cached for the next job. The image decoder loads on first use (a preview or the
// final decode, which gives the transformer back first: ./decode-image.ts).
import { throwIfCancelled, type JobContext } from '../../jobs/job-context.ts';
import type { GraphRunner } from '../../runtime/graph-runner.ts';
import { checkPackMemory } from '../../runtime/pack-memory.ts';
import { diffusionManifest } from '../../runtime/pack-model.ts';
import type { PackComponents } from '../pack-components.ts';
import { encodePrompt, type PromptBatch } from './encode-prompt.ts';
import type { PipelineTimer } from './pipeline-timer.ts';

export async function loadAndEncode(
  parts: PackComponents, prompts: readonly string[], ctx: JobContext, timer: PipelineTimer, forWhat: string,
  /** a second batch encoded on its own (its own shapes), while the text encoders are loaded */
  also?: readonly string[],
): Promise<{ transformer: GraphRunner; text: PromptBatch; alsoText?: PromptBatch }> {
  checkPackMemory(diffusionManifest(parts.pack)); // refuse before loading what the machine cannot hold
  ctx.progress({ state: 'loading' });
  await parts.loadTextEncoders(forWhat);
  throwIfCancelled(ctx.signal);
  const e0 = performance.now();
  const text = await encodePrompt(parts, prompts);
  const alsoText = also ? await encodePrompt(parts, also) : undefined;
  const encodeMs = performance.now() - e0;
  parts.releaseTextEncoders();
  throwIfCancelled(ctx.signal);
  const transformer = await parts.graph(parts.model.transformer.graph, forWhat);
  throwIfCancelled(ctx.signal);
  timer.loadedAndEncoded(encodeMs);
  return { transformer, text, ...(alsoText ? { alsoText } : {}) };
}
