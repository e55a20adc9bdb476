// Decompose: split the selected picture layer into the object (a transparent layer) over
// a clean background, the object marked by a selection (marquee, ellipse, lasso) or a
// region (a box, or painted with the mask brush). The method: the pack's decomposition
// model when one is installed, else mask-and-inpaint (the shadow stays in the
// background). "Decompose all" (the model) peels every object it finds into a group.
// Progress and Cancel while it runs; errors come as toasts.
import { useEditorState, useServices, useStoreState } from '../../ui/editor-context.ts';
import { JobProgress } from '../../ui/job-controls.tsx';
import { decomposeAllTarget, decompositionPacks, decomposeTarget, effectiveMethod, type DecomposeTask } from './decompose-task.ts';

export function DecomposePanel() {
  const { editor } = useServices();
  const task = editor.task<DecomposeTask>('decompose')!;
  const picked = useStoreState(task.store, (s) => s.method);
  const packs = useEditorState((s) => s.packs);
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const selection = useEditorState((s) => s.selection);
  const pixelSelection = useEditorState((s) => s.pixelSelection);
  const anyJob = useEditorState((s) => s.job);
  const job = anyJob?.task === 'decompose' ? anyJob : null;
  if (!doc) return null;
  const target = decomposeTarget(doc, selection, pixelSelection);
  const all = decomposeAllTarget(doc, selection, packs);
  const method = effectiveMethod(picked, packs);
  const model = decompositionPacks(packs)[0];
  return (
    <section className="panel decompose-panel" data-testid="decompose-panel" aria-label="Decompose">
      <h2>Decompose</h2>
      <label className="block" title="How the object is taken out of the picture">
        <span>Method</span>
        <select data-testid="decompose-method" value={method} onChange={(e) => task.setMethod(e.target.value as 'model' | 'inpaint')}>
          <option value="model" disabled={!model}>{model ? `Model (${model.id})` : 'Model (no decomposition pack installed)'}</option>
          <option value="inpaint">Inpaint (no model)</option>
        </select>
      </label>
      {method === 'inpaint' && <p className="muted small" data-testid="decompose-inpaint-note">Inpaint cuts out the marked box and fills the hole: the object&apos;s shadow stays behind in the background.</p>}
      <p className="muted small" data-testid="decompose-target">
        {target.ok ? `"${target.layer.name}", ${'box' in target.mark ? 'box' : 'shape in'} ${target.box[2]} × ${target.box[3]} at ${target.box[0]}, ${target.box[1]} (${target.from === 'selection' ? 'the selection' : 'the region'})` : target.problem}
      </p>
      {job ? (
        <JobProgress prefix="decompose" job={job} />
      ) : (
        <div className="row">
          <button className="primary" data-testid="decompose-button" disabled={!target.ok || !!anyJob} title="Replace the layer with the object over its background (one undo step)" onClick={() => void task.decompose()}>Decompose</button>
          <button data-testid="decompose-all-button" disabled={!all.ok || !!anyJob} title={all.ok ? 'Peel every object the model finds, front to back: a group of objects over the background (one undo step)' : all.problem} onClick={() => void task.decomposeAll()}>Decompose All</button>
        </div>
      )}
    </section>
  );
}
