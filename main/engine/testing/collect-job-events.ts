// A job's events, from the moment of the call to its end (done, failed or cancelled), for integration tests.
import type { JobEvent, LaminaClient } from '../../../common/contract/contract.ts';

export function collectJobEvents(engine: Pick<LaminaClient, 'on'>, jobId: string): Promise<JobEvent[]> {
  const seen: JobEvent[] = [];
  return new Promise((resolve) => {
    const off = engine.on('job.event', (ev) => {
      if (ev.jobId !== jobId) return;
      seen.push(ev);
      if (['done', 'failed', 'cancelled'].includes(ev.state)) {
        off();
        resolve(seen);
      }
    });
  });
}
