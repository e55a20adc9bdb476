// Variations: a generate spec with `batch` N runs its pipeline N times, seeds seed,
// seed + 1, … (common/contract/variation-seeds.ts), and returns one result holding the N
// layers (first variation in front), so they land as one undo step. Step events count
// over the whole batch; the notes say which seeds ran.
import type { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import type { AddLayersResult } from '../../../common/contract/task-results.ts';
import { variationSeeds } from '../../../common/contract/variation-seeds.ts';
import type { Pipeline } from '../pipelines/pipeline-registry.ts';
import type { JobContext } from './job-context.ts';
import type { JobInputs } from './job-protocol.ts';

export async function runVariations(pipeline: Pipeline, spec: GenerationSpec, ctx: JobContext, inputs?: JobInputs): Promise<AddLayersResult> {
  const seeds = variationSeeds(spec.seed, spec.batch ?? 1);
  const results: AddLayersResult[] = [];
  for (const [k, seed] of seeds.entries()) {
    const stepCtx: JobContext = {
      signal: ctx.signal,
      progress: (ev) => {
        if (ev.state === 'step' && ev.i !== undefined && ev.n !== undefined) ctx.progress({ ...ev, i: k * ev.n + ev.i, n: seeds.length * ev.n });
        else if (k === 0) ctx.progress(ev);
      },
    };
    results.push((await pipeline.run({ ...spec, seed, batch: 1 }, stepCtx, inputs)) as AddLayersResult);
  }
  const timings: Record<string, number> = {};
  for (const r of results) for (const [key, ms] of Object.entries(r.timings)) timings[key] = (timings[key] ?? 0) + ms;
  return {
    ...results[0],
    layers: results.flatMap((r) => r.layers),
    timings,
    notes: [...new Set(results.flatMap((r) => r.notes)), `${seeds.length} variations, seeds ${seeds.join(', ')}`],
  };
}
