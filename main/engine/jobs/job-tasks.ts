// Runs one job in the worker: resolve the pack, route the task to its pipeline, run it.
import { loadPackRegistry } from '../runtime/pack-registry.ts';
import type { JobContext } from './job-context.ts';
import type { JobPayload } from './job-protocol.ts';
import { pipelineName, routeTask } from './task-routes.ts';
import '../pipelines/register-all.ts';
import { DecomposePipeline, isPacklessDecompose } from '../pipelines/pipeline-decompose.ts';

export async function runJob(payload: JobPayload, ctx: JobContext): Promise<unknown> {
  ctx.progress({ state: 'loading' });
  if (isPacklessDecompose(payload)) return new DecomposePipeline(null).run(payload.spec, ctx, payload.inputs);
  const registry = await loadPackRegistry(payload.packDirs);
  const pack = registry.resolve(payload.spec.packId, pipelineName(payload));
  return routeTask(pack, payload).run(payload.spec, ctx, payload.inputs);
}
