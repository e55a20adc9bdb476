// Edit Text: one word of a generated layer's prompt changed in place (./text-edit-task.ts).
// Shown while a text edit is open: the prompt as words to pick from, the box around the
// word on the canvas (the word-box tool; none = the whole layer may change), the new word
// checked against the pack's vocabulary with the closest known words offered, Apply with
// progress and Cancel; a failure stays in the panel with the fields as they were.
import { useEditorState, useServices, useStoreState } from '../../ui/editor-context.ts';
import { JobProgress } from '../../ui/job-controls.tsx';
import { replaceWord } from '../../../common/text/replace-word.ts';
import { currentPrompt } from '../../../common/document/text-edit-record.ts';
import { boxInLayer, checkReplacement, textEditSource, type TextEditTask } from './text-edit-task.ts';

export function TextEditPanel() {
  const { editor } = useServices();
  const task = editor.task<TextEditTask>('text-edit')!;
  const st = useStoreState(task.store, (s) => s);
  const packs = useEditorState((s) => s.packs);
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const wordBox = useEditorState((s) => s.wordBox);
  const tool = useEditorState((s) => s.tool);
  const anyJob = useEditorState((s) => s.job);
  const job = anyJob?.task === 'text-edit' ? anyJob : null;
  if (!doc || !st.layerId) return null;
  const src = textEditSource(doc, st.layerId, packs);
  const head = (
    <div className="panel-head">
      <h2>Edit Text</h2>
      <button className="icon-btn" data-testid="text-edit-close" title="Close (nothing changes)" disabled={!!job} onClick={() => task.close()}>×</button>
    </div>
  );
  if (!src.ok) {
    return (
      <section className="panel text-edit-panel" data-testid="text-edit-panel" aria-label="Edit Text">
        {head}
        <p className="dialog-error" data-testid="text-edit-problem">{src.problem}</p>
      </section>
    );
  }
  const check = checkReplacement(st.from, st.to, src.vocabulary);
  const box = boxInLayer(doc, src.layer, wordBox);
  const edited = check.ok && st.from ? safeReplace(currentPrompt(src.provenance), st.from, st.to.trim()) : null;
  const typed = st.to.trim().length > 0;
  return (
    <section className="panel text-edit-panel" data-testid="text-edit-panel" aria-label="Edit Text">
      {head}
      <p className="muted small">&quot;{src.layer.name}&quot;: pick the word to change, box it on the canvas, type the new word.</p>
      <div className="field">
        <label>Prompt</label>
        <div className="word-chips" role="radiogroup" aria-label="Word to replace" data-testid="text-edit-words">
          {src.words.map((w) => (
            <button key={w} role="radio" aria-checked={st.from === w} className={st.from === w ? 'chip on' : 'chip'} data-testid={`text-edit-word-${w}`} disabled={!!job} onClick={() => task.pickWord(w)}>{w}</button>
          ))}
        </div>
      </div>
      <label className="block">
        <span>{st.from ? `Replace "${st.from}" with` : 'New word'}</span>
        <input data-testid="text-edit-to" value={st.to} disabled={!!job} placeholder={st.from ? 'a word the pack knows' : 'pick a word above first'} spellCheck={false}
          onChange={(e) => task.setReplacement(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && check.ok) { e.preventDefault(); void task.apply(); } }} />
      </label>
      {!check.ok && check.unknown && (
        <div className="suggestions" data-testid="text-edit-suggestions">
          {check.unknown.flatMap((u) => u.suggestions.map((s) => (
            <button key={`${u.word}:${s}`} className="chip" data-testid={`text-edit-suggestion-${s}`} title={`Use "${s}" instead of "${u.word}"`} onClick={() => task.useSuggestion(u.word, s)}>{s}</button>
          )))}
        </div>
      )}
      {!check.ok && (typed || check.unknown) && <p className="prompt-unknown" data-testid="text-edit-problem">{check.problem}</p>}
      {edited && <p className="small" data-testid="text-edit-preview">Becomes: <em>{edited}</em></p>}
      <div className="field">
        <label>Where</label>
        <p className="small box-line" data-testid="text-edit-box">
          {box === 'outside' ? 'The box misses the layer: draw it over the word' : box ? `Box ${box[2]} × ${box[3]} at ${box[0]}, ${box[1]}: only these pixels change` : 'No box: the whole layer may change. Drag a box around the word on the canvas.'}
        </p>
        <div className="row">
          <button data-testid="text-edit-draw-box" className={tool === 'word-box' ? 'on' : ''} disabled={!!job} title="Drag a box around the word on the canvas" onClick={() => task.pickBoxTool()}>{wordBox ? 'Redraw Box' : 'Draw Box'}</button>
          {wordBox && <button data-testid="text-edit-clear-box" disabled={!!job} title="No box: the whole layer may change" onClick={() => editor.store.set({ wordBox: null })}>Clear Box</button>}
        </div>
      </div>
      {st.error && <p className="dialog-error" data-testid="text-edit-error">{st.error}</p>}
      {job ? (
        <JobProgress prefix="text-edit" job={job} />
      ) : (
        <div className="row">
          <button className="primary" data-testid="text-edit-apply" disabled={!check.ok || box === 'outside' || !!anyJob} title={check.ok ? 'Re-run the layer\'s generation with the new word; its pixels change in place (one undo step)' : check.problem} onClick={() => void task.apply()}>Apply</button>
          <button data-testid="text-edit-cancel" onClick={() => task.close()}>Cancel</button>
        </div>
      )}
    </section>
  );
}

function safeReplace(prompt: string, from: string, to: string): string | null {
  try {
    return replaceWord(prompt, from, to);
  } catch {
    return null;
  }
}
