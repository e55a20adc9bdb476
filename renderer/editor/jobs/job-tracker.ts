// Jobs, for any task: start one (one at a time), follow its 'job.event's into the store's
// `job` (state, step i/n, throttled preview), and when it ends show the toast and, after
// a landing, fetch the document and select what the job added (the engine landed it as
// one undo step). Task panels (./task-panel.ts) start their jobs here.
import type { EventPayload, Input } from '../../../common/contract/contract.ts';
import { walkLayers } from '../../../common/document/layer-tree.ts';
import type { EditorCore } from '../editor-core.ts';
import { Throttle } from '../throttle.ts';

type JobEvent = EventPayload<'job.event'>;

export interface StartJob {
  /** what the toasts call it: "<noun> finished" */
  noun: string;
  /** the step count to show before the first step event */
  steps: number;
  /** told the ids of the top-level layers the job added, once they are in the editor's document */
  onLanded?: (ids: string[]) => void;
  /** told how the job ended (after its toast): a panel can show a failure beside its fields */
  onEnded?: (end: { state: 'done' | 'failed' | 'cancelled'; message?: string; code?: string }) => void;
}

export class JobTracker {
  private readonly previews: Throttle<string>;
  private eventsBeforeId = new Map<string, JobEvent[]>();
  private noun = 'Job';
  private onLanded: StartJob['onLanded'];
  private onEnded: StartJob['onEnded'];

  constructor(
    private readonly core: EditorCore,
    previewIntervalMs = 250,
  ) {
    this.previews = new Throttle<string>(previewIntervalMs, (url) => {
      const job = this.core.state.job;
      if (job) this.core.store.set({ job: { ...job, preview: url } });
    });
  }

  /** A job is starting or running. */
  get busy(): boolean {
    const job = this.core.state.job;
    return !!job && !['done', 'failed', 'cancelled'].includes(job.state);
  }

  /** Starts a job unless one is running; the job id, or null (refused or failed to start: toast). */
  async start(input: Input<'jobs.start'>, opts: StartJob): Promise<string | null> {
    if (this.busy) return null;
    this.noun = opts.noun;
    this.onLanded = opts.onLanded;
    this.onEnded = opts.onEnded;
    this.core.store.set({ job: { task: input.task, jobId: null, state: 'starting', i: 0, n: opts.steps, preview: null } });
    try {
      const { jobId } = await this.core.client.call('jobs.start', input);
      const job = this.core.state.job;
      if (job && job.jobId === null) this.core.store.set({ job: { ...job, jobId } });
      for (const e of this.eventsBeforeId.get(jobId) ?? []) this.onJobEvent(e);
      this.eventsBeforeId.clear();
      return jobId;
    } catch (err) {
      this.core.store.set({ job: null });
      this.core.reportError(err);
      const e = this.core.lastError;
      this.onEnded?.({ state: 'failed', message: e?.message ?? String(err), code: e?.code });
      return null;
    }
  }

  async cancel(): Promise<void> {
    const job = this.core.state.job;
    if (!job?.jobId) return;
    await this.core.call('jobs.cancel', { jobId: job.jobId });
  }

  dispose(): void {
    this.previews.cancel();
  }

  onJobEvent(e: JobEvent): void {
    const job = this.core.state.job;
    if (!job) return;
    if (job.jobId === null) {
      // the event outran the jobs.start reply
      const list = this.eventsBeforeId.get(e.jobId) ?? [];
      list.push(e);
      this.eventsBeforeId.set(e.jobId, list);
      return;
    }
    if (e.jobId !== job.jobId) return;
    switch (e.state) {
      case 'queued':
      case 'loading':
        this.core.store.set({ job: { ...job, state: e.state } });
        break;
      case 'step':
        this.core.store.set({ job: { ...job, state: 'step', i: e.i ?? job.i, n: e.n ?? job.n } });
        if (e.preview) this.previews.push(e.preview.startsWith('data:') ? e.preview : `data:image/png;base64,${e.preview}`);
        break;
      case 'done':
        this.end('success', `${this.noun} finished`);
        this.onEnded?.({ state: 'done' });
        this.selectLanded();
        break;
      case 'failed':
        this.end('error', e.message ?? `${this.noun} failed`, e.code);
        this.onEnded?.({ state: 'failed', message: e.message ?? `${this.noun} failed`, code: e.code });
        break;
      case 'cancelled':
        this.end('info', `${this.noun} cancelled`);
        this.onEnded?.({ state: 'cancelled' });
        break;
    }
  }

  private end(kind: 'success' | 'error' | 'info', message: string, code?: string): void {
    this.previews.cancel();
    this.core.store.set({ job: null });
    this.core.toast(kind, message, code);
  }

  /** Fetch the document the job landed in and select the layers it added at the top level. */
  private selectLanded(): void {
    const docId = this.core.docId;
    if (!docId) return;
    const before = new Set<string>();
    if (this.core.document) for (const { layer } of walkLayers(this.core.document.layers)) before.add(layer.id);
    void this.core.call('document.get', { docId }).then((s) => {
      if (!s) return;
      this.core.setSnapshot(s);
      const added = s.document.layers.filter((l) => !before.has(l.id)).map((l) => l.id);
      if (added.length) this.core.select(added);
      this.onLanded?.(added);
    });
  }
}
