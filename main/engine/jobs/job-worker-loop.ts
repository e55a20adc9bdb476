// The worker side of the job protocol (a worker thread or the job process): one AbortController per job, events posted back
// (a result's RGBA buffers transferred, not copied).
// The real worker (job-worker.ts) runs tasks' pipelines; benches and tests pass their own run.
import type { JobEvent } from '../../../common/contract/contract.ts';
import { LaminaError, toErrorPayload } from '../../../common/errors/lamina-error.ts';
import type { JobContext } from './job-context.ts';
import type { FromWorker, JobPayload, ToWorker } from './job-protocol.ts';
import { transferables } from './transferables.ts';

export type RunJob = (payload: JobPayload, ctx: JobContext) => Promise<unknown>;

/** A worker thread's parentPort, or the job process's IPC channel (job-process.ts). */
export interface JobPort {
  on(event: 'message', listener: (msg: ToWorker) => void): void;
  postMessage(msg: FromWorker, transfer?: ArrayBuffer[]): void;
}

export function serveJobs(port: JobPort, runJob: RunJob): void {
  const controllers = new Map<string, AbortController>();
  // a result's pixels move to the engine without a copy
  const post = (event: JobEvent) => port.postMessage({ type: 'event', event } satisfies FromWorker, transferables(event.result));

  port.on('message', async (msg: ToWorker) => {
    if (msg.type === 'stats') {
      const { sharedSessionPool } = await import('../runtime/session-pool.ts');
      const pool = sharedSessionPool();
      port.postMessage({ type: 'stats', stats: { sessionsOpen: pool.openSessionCount, sessionsInUse: pool.inUseCount, rssBytes: process.memoryUsage.rss(), running: controllers.size } });
      return;
    }
    if (msg.type === 'cancel') {
      controllers.get(msg.jobId)?.abort();
      return;
    }
    const { jobId, payload } = msg;
    const controller = new AbortController();
    controllers.set(jobId, controller);
    try {
      const result = await runJob(payload, {
        signal: controller.signal,
        progress: (ev) => post({ jobId, ...ev }),
      });
      post({ jobId, state: 'done', result });
    } catch (err) {
      if (controller.signal.aborted || (err instanceof LaminaError && err.code === 'cancelled')) {
        post({ jobId, state: 'cancelled' });
      } else {
        const { code, message } = toErrorPayload(err);
        post({ jobId, state: 'failed', code, message });
      }
    } finally {
      controllers.delete(jobId);
    }
  });
}
