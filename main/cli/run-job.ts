// A CLI job from start to its end: started on a document, step progress on a terminal's
// stderr, Ctrl+C cancels it, a failure or a cancel becomes the command's error.
import type { Input, JobEvent } from '../../common/contract/contract.ts';
import { LaminaError } from '../../common/errors/lamina-error.ts';
import type { Engine } from '../engine/engine.ts';

export async function runJobToEnd(e: Engine, start: Input<'jobs.start'>, quiet: boolean, what = 'generation'): Promise<JobEvent> {
  const { jobId } = await e.call('jobs.start', start);
  const onSigint = () => void e.call('jobs.cancel', { jobId });
  process.once('SIGINT', onSigint);
  const final = await new Promise<JobEvent>((resolve) => {
    const off = e.on('job.event', (ev) => {
      if (ev.jobId !== jobId) return;
      if (!quiet && ev.state === 'step' && process.stderr.isTTY) process.stderr.write(`\rstep ${ev.i}/${ev.n}`);
      if (ev.state === 'done' || ev.state === 'failed' || ev.state === 'cancelled') {
        off();
        resolve(ev);
      }
    });
  });
  process.off('SIGINT', onSigint);
  if (final.state === 'failed') throw new LaminaError(final.code ?? 'internal', final.message ?? `${what} failed`);
  if (final.state === 'cancelled') throw new LaminaError('cancelled', `${what} cancelled`);
  if (!quiet && process.stderr.isTTY) process.stderr.write('\n');
  return final;
}
