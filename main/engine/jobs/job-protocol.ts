// Messages between the engine (main side) and its job worker thread.
import type { GenerationSpec } from '../../../common/contract/generation-spec.ts';
import type { JobEvent } from '../../../common/contract/contract.ts';

export interface GenerateJobPayload {
  kind: 'generate';
  spec: GenerationSpec;
  packDirs: string[];
}
export type JobPayload = GenerateJobPayload;

export type ToWorker =
  | { type: 'start'; jobId: string; payload: JobPayload }
  | { type: 'cancel'; jobId: string };

export type FromWorker = { type: 'event'; event: JobEvent };
