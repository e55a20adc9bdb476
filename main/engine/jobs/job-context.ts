// What a running job sees: an abort signal (checked every step) and a progress sink.
import type { JobEvent } from '../../../common/contract/contract.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';

export interface JobContext {
  signal: AbortSignal;
  progress(ev: Omit<JobEvent, 'jobId'>): void;
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new LaminaError('cancelled', 'cancelled');
}

/** A context for runs outside the job queue (benches, evaluations): never cancelled, progress dropped. */
export function detachedJobContext(): JobContext {
  return { signal: new AbortController().signal, progress: () => {} };
}
