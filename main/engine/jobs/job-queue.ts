// The engine's job queue: one job at a time in a child process (./job-host.ts), typed
// progress events, cancellation, and a job process that is replaced if it dies (a native
// crash, out of memory), so a failing job never kills the engine and the caller's thread
// never runs inference.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { JobEvent, JobState } from '../../../common/contract/contract.ts';
import { toErrorPayload } from '../../../common/errors/lamina-error.ts';
import { startJobHost, type JobHost, type JobRunnerSpec } from './job-host.ts';
import type { FromWorker, JobHostStats, JobPayload, ToWorker } from './job-protocol.ts';

interface JobRecord {
  jobId: string;
  task: JobPayload['task'];
  /** what the job runs on (its spec, a layer's pixels); let go once the job has ended */
  payload: JobPayload | null;
  state: JobState;
  /** the final event, for whoever started the job; let go once settled (a done event holds
   * the result's pixels, which the queue must not keep) */
  done: Promise<JobEvent> | null;
  settle: ((ev: JobEvent) => void) | null;
}

const FINAL: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);
/** The real jobs run in a child process. */
export const JOB_PROCESS: JobRunnerSpec = { process: new URL('./job-process-entry.mjs', import.meta.url) };

export class JobQueue {
  private readonly events = new EventEmitter();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly pending: JobRecord[] = [];
  private running: JobRecord | null = null;
  private worker: JobHost | null = null;
  private closed = false;
  private readonly statsWaiters: ((s: JobHostStats) => void)[] = [];
  /** ended jobs, oldest first: list() keeps the last `keepFinished` */
  private readonly finished: string[] = [];

  /**
   * `runner` is where jobs run: the real job process unless a test or bench says otherwise
   * (a `URL` is a worker-thread entry, `{ process: URL }` a child-process entry).
   * `finish` runs when the worker reports a result (the engine parses and lands it): the
   * job is done only when it resolves, and failed (for every listener and in list()) when it throws.
   */
  constructor(
    private readonly runner: JobRunnerSpec = JOB_PROCESS,
    private readonly finish?: (jobId: string, result: unknown) => Promise<unknown>,
    private readonly keepFinished = 200,
  ) {}

  /** Subscribe to every job's events. Returns an unsubscribe function. */
  onEvent(listener: (ev: JobEvent) => void): () => void {
    this.events.on('event', listener);
    return () => this.events.off('event', listener);
  }

  start(payload: JobPayload): { jobId: string; done: Promise<JobEvent> } {
    if (this.closed) throw new Error('job queue is closed');
    const jobId = randomUUID();
    let settle!: (ev: JobEvent) => void;
    const done = new Promise<JobEvent>((resolve) => (settle = resolve));
    const job: JobRecord = { jobId, task: payload.task, payload, state: 'queued', done, settle };
    this.jobs.set(jobId, job);
    this.pending.push(job);
    this.emit({ jobId, state: 'queued' });
    this.pump();
    return { jobId, done };
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || FINAL.has(job.state)) return false;
    const i = this.pending.indexOf(job);
    if (i >= 0) {
      this.pending.splice(i, 1);
      this.emit({ jobId, state: 'cancelled' });
      return true;
    }
    this.post({ type: 'cancel', jobId });
    return true;
  }

  /** The job host's sessions and memory (starts the host if none is running). */
  stats(): Promise<JobHostStats> {
    return new Promise((resolve) => {
      this.statsWaiters.push(resolve);
      this.post({ type: 'stats' });
    });
  }

  list(): { jobId: string; task: JobPayload['task']; state: JobState }[] {
    return [...this.jobs.values()].map((j) => ({ jobId: j.jobId, task: j.task, state: j.state }));
  }

  /** Cancels everything. A running job is asked to stop and given `graceMs` to do so:
   * terminating a worker inside a native inference call would abort the whole process. */
  async close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    for (const job of this.pending.splice(0)) this.emit({ jobId: job.jobId, state: 'cancelled' });
    const running = this.running;
    if (running) {
      this.post({ type: 'cancel', jobId: running.jobId });
      await Promise.race([running.done!, new Promise((r) => setTimeout(r, graceMs).unref())]);
      this.emit({ jobId: running.jobId, state: 'cancelled', message: 'engine shut down' });
    }
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private emit(ev: JobEvent): void {
    const job = this.jobs.get(ev.jobId);
    if (!job || FINAL.has(job.state)) return;
    job.state = ev.state;
    this.events.emit('event', ev);
    if (FINAL.has(ev.state)) {
      job.settle?.(ev);
      // a long session runs thousands of jobs: keep no ended job's inputs or result, and
      // only the last few ended jobs in list()
      job.payload = null;
      job.done = job.settle = null;
      this.finished.push(job.jobId);
      while (this.finished.length > this.keepFinished) this.jobs.delete(this.finished.shift()!);
      if (this.running === job) {
        this.running = null;
        this.worker?.unref();
      }
      this.pump();
    }
  }

  /** A worker event; a result goes through `finish` before the job counts as done. */
  private async receive(ev: JobEvent): Promise<void> {
    if (ev.state !== 'done' || !this.finish) return this.emit(ev);
    const job = this.jobs.get(ev.jobId);
    if (!job || FINAL.has(job.state)) return;
    try {
      const result = await this.finish(ev.jobId, ev.result);
      this.emit({ ...ev, result });
    } catch (err) {
      this.emit({ jobId: ev.jobId, state: 'failed', ...toErrorPayload(err) });
    }
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const next = this.pending.shift();
    if (!next) return;
    this.running = next;
    this.post({ type: 'start', jobId: next.jobId, payload: next.payload! });
    this.worker?.ref(); // keep the process alive while a job runs
  }

  private post(msg: ToWorker): void {
    this.ensureWorker().post(msg);
  }

  private ensureWorker(): JobHost {
    if (this.worker) return this.worker;
    const worker = startJobHost(this.runner);
    worker.onMessage((msg: FromWorker) => {
      if (msg.type === 'stats') this.statsWaiters.splice(0).forEach((w) => w(msg.stats));
      else void this.receive(msg.event);
    });
    worker.onGone((why) => {
      // once per host ('error' may come before 'exit'), and only while it is the current one
      if (this.worker !== worker) return;
      this.worker = null;
      const job = this.running;
      if (job && !this.closed) this.emit({ jobId: job.jobId, state: 'failed', code: 'internal', message: `job worker died: ${why}` });
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
