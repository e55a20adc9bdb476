// Job kinds -> what they run. Pipelines come from the pack registry.
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { loadPackRegistry } from '../runtime/pack-registry.ts';
import type { JobContext } from './job-context.ts';
import type { JobPayload } from './job-protocol.ts';
import { findPipeline } from '../pipelines/pipeline-registry.ts';
import '../pipelines/register-all.ts';

export async function runJob(payload: JobPayload, ctx: JobContext): Promise<unknown> {
  switch (payload.kind) {
    case 'generate': {
      ctx.progress({ state: 'loading' });
      const registry = await loadPackRegistry(payload.packDirs);
      const pack = registry.resolve(payload.spec.packId);
      const task = payload.spec.regions.length > 0 ? 'layerbind' : 'text-to-image';
      const pipeline = findPipeline(pack, task);
      if (!pipeline) {
        throw new LaminaError('no_pipeline', `model pack "${pack.id}" has no ${task} pipeline in this version of Lamina`);
      }
      return pipeline.run(payload.spec, ctx);
    }
  }
}
