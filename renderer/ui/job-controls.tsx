// Controls every task panel that starts a seeded job shares: the seed row (value, lock,
// random) and the running job's progress bar with its Cancel button.
import { LIMITS } from '../../common/contract/limits.ts';
import type { JobView } from '../editor/editor-state.ts';
import { randomSeed } from '../tasks/generate/generation.ts';
import { Icon } from './icons.tsx';
import { LimitedNumberInput } from './limited-input.tsx';
import { useServices } from './editor-context.ts';

/** Seed, its lock (a locked seed is reused next time) and a random-seed button; test ids `${prefix}-seed…`. */
export function SeedRow({ prefix, seed, locked, onChange }: { prefix: string; seed: number; locked: boolean; onChange: (patch: { seed?: number; seedLocked?: boolean }) => void }) {
  return (
    <div className="row">
      <LimitedNumberInput limit={LIMITS.seed} label="Seed" className="grow" testId={`${prefix}-seed`} value={seed} onChange={(s) => onChange({ seed: s })} />
      <button className={`icon-btn${locked ? ' on' : ''}`} data-testid={`${prefix}-seed-lock`} aria-pressed={locked} title={locked ? 'Seed locked: reused next time' : 'Seed unlocked: a new one after each run'} onClick={() => onChange({ seedLocked: !locked })}>
        <Icon name={locked ? 'lock' : 'unlock'} />
      </button>
      <button className="icon-btn" data-testid={`${prefix}-seed-random`} title="Random seed" onClick={() => onChange({ seed: randomSeed() })}><Icon name="dice" /></button>
    </div>
  );
}

/** The job's progress (step i / n, loading, queued) and Cancel; test ids `${prefix}-progress`, `${prefix}-cancel`. */
export function JobProgress({ prefix, job }: { prefix: string; job: JobView }) {
  const { editor } = useServices();
  const pct = job.n ? Math.round((job.i / job.n) * 100) : 0;
  return (
    <div className="progress-wrap">
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={job.n} aria-valuenow={job.i} data-testid={`${prefix}-progress`}>
        <div className="bar" style={{ width: `${pct}%` }} />
        <span>{job.state === 'step' ? `Step ${job.i} / ${job.n}` : job.state === 'loading' ? 'Loading models…' : job.state === 'queued' ? 'Queued…' : 'Starting…'}</span>
      </div>
      <button data-testid={`${prefix}-cancel`} onClick={() => void editor.cancelJob()} disabled={!job.jobId}>Cancel</button>
    </div>
  );
}
