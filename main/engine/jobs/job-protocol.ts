// Messages between the engine (main side) and its job worker thread.
import type { JobEvent } from '../../../common/contract/contract.ts';
import type { JobStart } from '../../../common/contract/tasks.ts';

/** A job as the worker runs it: its task and spec (checked by the contract) and where packs are. */
export type JobPayload = Pick<JobStart, 'task' | 'spec'> & { packDirs: string[] };

export type ToWorker =
  | { type: 'start'; jobId: string; payload: JobPayload }
  | { type: 'cancel'; jobId: string }
  | { type: 'stats' };

/** What the job host holds (load tests: no session left in use, memory flat). */
export interface JobHostStats { sessionsOpen: number; sessionsInUse: number; rssBytes: number; running: number }

export type FromWorker = { type: 'event'; event: JobEvent } | { type: 'stats'; stats: JobHostStats };
