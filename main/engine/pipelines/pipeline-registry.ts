// Pipelines by name. A pack lists the pipelines it supports; Lamina has code for some of
// them. Missing either side -> null, and the caller reports no_pipeline. Which pipeline
// runs which job task: jobs/task-routes.ts.
import type { JobContext } from '../jobs/job-context.ts';
import type { JobInputs } from '../jobs/job-protocol.ts';
import type { Pack } from '../runtime/pack-registry.ts';

export interface Pipeline {
  /** the pipeline's name, as packs list it (e.g. "text-to-image", "layerbind") */
  readonly name: string;
  /** checks `spec` (its task's schema) and runs; resolves to the task's result
   * (common/contract/task-results.ts); `inputs`: document pixels a task on a layer reads */
  run(spec: unknown, ctx: JobContext, inputs?: JobInputs): Promise<unknown>;
}
export type PipelineFactory = (pack: Pack) => Pipeline;

const factories = new Map<string, PipelineFactory>();

export function registerPipeline(name: string, factory: PipelineFactory): void {
  factories.set(name, factory);
}

export function findPipeline(pack: Pack, name: string): Pipeline | null {
  if (!pack.manifest.pipelines.includes(name)) return null;
  const factory = factories.get(name);
  return factory ? factory(pack) : null;
}
