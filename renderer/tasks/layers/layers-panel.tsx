// The Generate Layers panel (ART): the Layers tool's boxes, one prompt, seed, steps, the
// ART pack, Generate with progress and Cancel; on a layer a layers job made, "Re-generate
// this box".
import { useMemo } from 'react';
import { LIMITS } from '../../../common/contract/limits.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { promptVocabulary } from '../../editor/prompt-words.ts';
import { useEditorState, useServices, useStoreState } from '../../ui/editor-context.ts';
import { JobProgress, SeedRow } from '../../ui/job-controls.tsx';
import { LimitedNumberInput } from '../../ui/limited-input.tsx';
import { PromptField } from '../../ui/prompt-field.tsx';
import { generationSizeProblem } from '../generate/generation.ts';
import { packLabel } from '../generate/pack-label.ts';
import { artPacks, artSource, type LayersTask } from './layers-task.ts';

export function LayersTaskPanel() {
  const { editor } = useServices();
  const task = editor.task<LayersTask>('layers');
  if (!task) throw new Error('the layers task panel is not registered');
  const s = useStoreState(task.store, (st) => st.settings);
  const lastSeed = useStoreState(task.store, (st) => st.lastSeed);
  const tool = useEditorState((st) => st.tool);
  const boxes = useEditorState((st) => st.layerBoxes.boxes);
  const packs = useEditorState((st) => st.packs);
  const anyJob = useEditorState((st) => st.job);
  const doc = useEditorState((st) => st.snapshot?.document ?? null);
  const selection = useEditorState((st) => st.selection);
  const job = anyJob?.task === 'layers' ? anyJob : null;
  const art = useMemo(() => artPacks(packs), [packs]);
  const vocabulary = useMemo(() => promptVocabulary(packs, s.packId ?? art.find((p) => p.ok)?.id ?? null), [packs, s.packId, art]);
  const selected = doc && selection.length === 1 ? findLayer(doc.layers, selection[0])?.layer : undefined;
  const source = artSource(selected);
  const active = tool === 'layers';
  const sizeProblem = doc ? generationSizeProblem(doc) : null;
  if (!active && !source && !job) {
    return (
      <section className="panel layers-task-panel" data-testid="layers-task-panel" aria-label="Generate Layers">
        <h2>Generate Layers</h2>
        <p className="muted small">Many transparent layers from one prompt: draw boxes with the Layers tool.</p>
        <button data-testid="layers-tool-button" disabled={!doc} onClick={() => editor.setTool('layers')}>Layers tool ({editor.shortcuts.label('tool.layers')})</button>
      </section>
    );
  }
  return (
    <section className="panel layers-task-panel" data-testid="layers-task-panel" aria-label="Generate Layers">
      <h2>Generate Layers</h2>
      {active && (
        <>
          <PromptField testId="layers-prompt" ariaLabel="Prompt for the layers" placeholder="One prompt for the whole picture…" vocabulary={vocabulary} value={s.prompt} onChange={(prompt) => task.set({ prompt })} />
          <SeedRow prefix="layers" seed={s.seed} locked={s.seedLocked} onChange={(patch) => task.set(patch)} />
          <div className="row">
            <LimitedNumberInput limit={LIMITS.steps} label="Steps" testId="layers-steps" value={s.steps} onChange={(steps) => task.set({ steps })} />
            <LimitedNumberInput limit={LIMITS.guidance} label="Guidance" testId="layers-guidance" step={0.5} value={s.guidance} onChange={(guidance) => task.set({ guidance })} />
          </div>
          <label className="block" title="Model pack with the ART pipeline">
            <span>Pack</span>
            <select data-testid="layers-pack-select" value={s.packId ?? ''} onFocus={() => void editor.refreshPacks()} onChange={(e) => task.set({ packId: e.target.value || null })}>
              <option value="">{art.length ? 'first ART pack' : 'no ART pack installed'}</option>
              {art.map((p) => <option key={p.id} value={p.id} disabled={!p.ok} title={p.error ?? p.pipelines.join(', ')}>{packLabel(p)}</option>)}
            </select>
          </label>
          {sizeProblem && <p className="field-error" role="alert">{sizeProblem}</p>}
          <p className="muted small" data-testid="layers-box-count">
            {boxes.length ? `${boxes.length} box${boxes.length > 1 ? 'es' : ''}: the last in front, a background below` : 'Drag on the canvas to draw boxes (no prompt each).'}
          </p>
          {!job && (
            <div className="row">
              <button className="primary" data-testid="layers-generate" disabled={!doc || !!anyJob || !boxes.length || !!sizeProblem} onClick={() => void task.generate()}>Generate</button>
              <button data-testid="layers-clear" disabled={!boxes.length} title="Delete every box (undoable)" onClick={() => editor.boxes.clear()}>Clear boxes</button>
            </div>
          )}
          {lastSeed !== null && !job && <p className="muted small" data-testid="layers-last-seed">Last run: seed {lastSeed}</p>}
        </>
      )}
      {source && !job && (
        <button data-testid="layers-regenerate-box" disabled={!!anyJob} title="The same prompt and boxes with a new seed; only this layer's pixels change" onClick={() => void task.regenerateBox(selected!.id)}>
          Re-generate box {source.box + 1}
        </button>
      )}
      {job && <JobProgress prefix="layers" job={job} />}
    </section>
  );
}
