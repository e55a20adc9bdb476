// Which pipeline runs each task (common/contract/tasks.ts). A task names its pipeline
// here, once; a pack lists the pipelines it supports, Lamina registers the code for them
// (pipelines/pipeline-registry.ts). Missing either side -> no_pipeline.
import type { TaskName, TaskSpec } from '../../../common/contract/tasks.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { findPipeline, type Pipeline } from '../pipelines/pipeline-registry.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import type { JobPayload } from './job-protocol.ts';

type Route<T extends TaskName> = (spec: TaskSpec<T>) => string;

const ROUTES: { [T in TaskName]: Route<T> } = {
  // a generation with regions is regional generation: LayerBind
  generate: (spec) => (spec.regions.length > 0 ? 'layerbind' : 'text-to-image'),
  layers: () => 'art',
  decompose: () => 'decompose',
  place: () => 'placement',
  'text-edit': () => 'text-edit',
};

export function pipelineName(payload: Pick<JobPayload, 'task' | 'spec'>): string {
  return (ROUTES[payload.task] as Route<TaskName>)(payload.spec as never);
}

export function routeTask(pack: Pack, payload: Pick<JobPayload, 'task' | 'spec'>): Pipeline {
  const name = pipelineName(payload);
  const pipeline = findPipeline(pack, name);
  if (!pipeline) throw new LaminaError('no_pipeline', `model pack "${pack.id}" has no ${name} pipeline (task "${payload.task}") in this version of Lamina`);
  return pipeline;
}
