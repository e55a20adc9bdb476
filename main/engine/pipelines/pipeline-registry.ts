// Which pipeline runs a task on a pack. A pack lists the tasks it supports; Lamina has
// code for some of them. Missing either side -> null, and the caller reports no_pipeline.
import type { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import type { JobContext } from '../jobs/job-context.ts';
import type { Pack } from '../runtime/pack-registry.ts';

export interface Pipeline {
  readonly task: string;
  run(spec: GenerationSpec, ctx: JobContext): Promise<unknown>;
}
export type PipelineFactory = (pack: Pack) => Pipeline;

const factories = new Map<string, PipelineFactory>();

export function registerPipeline(task: string, factory: PipelineFactory): void {
  factories.set(task, factory);
}

export function findPipeline(pack: Pack, task: string): Pipeline | null {
  if (!pack.manifest.pipelines.includes(task)) return null;
  const factory = factories.get(task);
  return factory ? factory(pack) : null;
}
