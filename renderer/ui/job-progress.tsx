// A running job's progress bar (step i / n, loading, queued) with its Cancel button; the
// task panels show it while their job runs. `testId` names the bar, `${testId}`'s Cancel
// is `cancelTestId`.
import type { EditorState } from '../editor/editor-state.ts';
import { useServices } from './editor-context.ts';

export function JobProgress({ job, testId, cancelTestId }: { job: NonNullable<EditorState['job']>; testId: string; cancelTestId: string }) {
  const { editor } = useServices();
  const pct = job.n ? Math.round((job.i / job.n) * 100) : 0;
  return (
    <div className="progress-wrap">
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={job.n} aria-valuenow={job.i} data-testid={testId}>
        <div className="bar" style={{ width: `${pct}%` }} />
        <span>{job.state === 'step' ? `Step ${job.i} / ${job.n}` : job.state === 'loading' ? 'Loading models…' : job.state === 'queued' ? 'Queued…' : 'Starting…'}</span>
      </div>
      <button data-testid={cancelTestId} onClick={() => void editor.cancelJob()} disabled={!job.jobId}>Cancel</button>
    </div>
  );
}
