// Generation controls: prompt, seed (lock / randomize), steps, guidance, pack, Generate,
// progress with step count, throttled live preview, Cancel.
import { collectRegions, randomSeed } from './generation.ts';
import { useEditorState, useServices, useStoreState } from '../../ui/editor-context.ts';
import { Icon } from '../../ui/icons.tsx';
import { RegionMethodFields } from './region-method-fields.tsx';
import { useGenerateTask } from './use-generate-task.ts';
import { packLabel } from './pack-label.ts';

export function GeneratePanel() {
  const { editor } = useServices();
  const task = useGenerateTask();
  const gen = useStoreState(task.store, (s) => s.settings);
  const lastSeed = useStoreState(task.store, (s) => s.lastSeed);
  const packs = useEditorState((s) => s.packs);
  const anyJob = useEditorState((s) => s.job);
  const job = anyJob?.task === 'generate' ? anyJob : null;
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const running = !!job;
  const regions = doc ? collectRegions(doc) : [];
  const pct = job && job.n ? Math.round((job.i / job.n) * 100) : 0;
  return (
    <section className="panel gen-panel" data-testid="generate-panel" aria-label="Generate">
      <h2>Generate</h2>
      <textarea
        data-testid="gen-prompt"
        aria-label="Global prompt"
        placeholder="Global prompt: the whole scene…"
        rows={2}
        value={gen.prompt}
        onChange={(e) => task.set({ prompt: e.target.value })}
      />
      <div className="row">
        <label className="grow" title="Seed">
          <span>Seed</span>
          <input type="number" data-testid="gen-seed" min={0} max={4294967295} value={gen.seed} onChange={(e) => task.set({ seed: Math.max(0, Math.min(4294967295, Math.floor(Number(e.target.value) || 0))) })} />
        </label>
        <button className={`icon-btn${gen.seedLocked ? ' on' : ''}`} data-testid="gen-seed-lock" aria-pressed={gen.seedLocked} title={gen.seedLocked ? 'Seed locked: reused next time' : 'Seed unlocked: a new one after each run'} onClick={() => task.set({ seedLocked: !gen.seedLocked })}>
          <Icon name={gen.seedLocked ? 'lock' : 'unlock'} />
        </button>
        <button className="icon-btn" data-testid="gen-seed-random" title="Random seed" onClick={() => task.set({ seed: randomSeed() })}><Icon name="dice" /></button>
      </div>
      <div className="row">
        <label title="Sampling steps"><span>Steps</span><input type="number" data-testid="gen-steps" min={1} max={200} value={gen.steps} onChange={(e) => task.set({ steps: Math.max(1, Math.min(200, Math.round(Number(e.target.value) || 1))) })} /></label>
        <label title="Guidance scale"><span>Guidance</span><input type="number" data-testid="gen-guidance" min={0} max={30} step={0.5} value={gen.guidance} onChange={(e) => task.set({ guidance: Math.max(0, Math.min(30, Number(e.target.value) || 0)) })} /></label>
      </div>
      <label className="block" title="Model pack">
        <span>Pack</span>
        <select data-testid="pack-select" value={gen.packId ?? ''} onFocus={() => void editor.refreshPacks()} onChange={(e) => task.set({ packId: e.target.value || null })}>
          {packs.length === 0 && <option value="">no packs found</option>}
          {packs.map((p) => (
            <option key={p.id} value={p.id} disabled={!p.ok} title={p.error ?? p.pipelines.join(', ')}>
              {packLabel(p)}
            </option>
          ))}
        </select>
      </label>
      {regions.length > 0 && <RegionMethodFields />}
      <p className="muted small">{regions.length ? `${regions.length} region${regions.length > 1 ? 's' : ''}, front to back: ${regions.map((r) => r.prompt || '(empty)').join(' › ')}` : 'No regions: the global prompt fills the canvas.'}</p>
      {!running ? (
        <>
          <button className="primary" data-testid="gen-button" disabled={!doc || !!anyJob} title={`Generate (${editor.shortcuts.label('gen.generate')})`} onClick={() => void task.generate()}>Generate</button>
          {regions.length > 0 && lastSeed !== null && (
            <button data-testid="gen-rebind" title={`Generate again with seed ${lastSeed} and the regions' current stack order`} onClick={() => void task.rebindOrder()}>Re-bind order</button>
          )}
        </>
      ) : (
        <div className="progress-wrap">
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={job.n} aria-valuenow={job.i} data-testid="gen-progress">
            <div className="bar" style={{ width: `${pct}%` }} />
            <span>{job.state === 'step' ? `Step ${job.i} / ${job.n}` : job.state === 'loading' ? 'Loading models…' : job.state === 'queued' ? 'Queued…' : 'Starting…'}</span>
          </div>
          <button data-testid="gen-cancel" onClick={() => void editor.cancelJob()} disabled={!job.jobId}>Cancel</button>
        </div>
      )}
      {job?.preview && <img className="gen-preview" data-testid="gen-preview" src={job.preview} alt="Live preview of the generation" />}
    </section>
  );
}
