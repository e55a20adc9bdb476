// Runs one job in the worker: resolve the pack, route the task to its pipeline, run it
// (a generate spec with batch > 1: once per variation, ./run-variations.ts; with
// "layers": true, its regions peeled into layers, ../pipelines/layerbind/regions-as-layers.ts).
import type { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import { loadPackRegistry } from '../runtime/pack-registry.ts';
import type { JobContext } from './job-context.ts';
import type { JobPayload } from './job-protocol.ts';
import { pipelineName, routeTask } from './task-routes.ts';
import { runVariations } from './run-variations.ts';
import '../pipelines/register-all.ts';
import { DecomposePipeline, isPacklessDecompose } from '../pipelines/pipeline-decompose.ts';
import { generateRegionsAsLayers, regionDecomposer } from '../pipelines/layerbind/regions-as-layers.ts';

export async function runJob(payload: JobPayload, ctx: JobContext): Promise<unknown> {
  ctx.progress({ state: 'loading' });
  if (isPacklessDecompose(payload)) return new DecomposePipeline(null).run(payload.spec, ctx, payload.inputs);
  const registry = await loadPackRegistry(payload.packDirs);
  const pack = registry.resolve(payload.spec.packId, pipelineName(payload));
  const pipeline = routeTask(pack, payload);
  if (payload.task === 'generate' && (payload.spec as GenerationSpec).layers) {
    return generateRegionsAsLayers(pipeline, payload.spec as GenerationSpec, ctx, regionDecomposer(registry, (payload.spec as GenerationSpec).device ?? 'auto'));
  }
  if (payload.task === 'generate' && ((payload.spec as GenerationSpec).batch ?? 1) > 1) return runVariations(pipeline, payload.spec as GenerationSpec, ctx, payload.inputs);
  return pipeline.run(payload.spec, ctx, payload.inputs);
}
