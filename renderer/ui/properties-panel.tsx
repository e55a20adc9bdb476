// Properties of the selected layer, including how it was made (provenance).
import type { Provenance } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { useEditorState, useServices, useStoreState } from './editor-context.ts';
import { TextOptions } from './text-options.tsx';
import { useEffect, useState } from 'react';
import { enlargement } from '../editor/enlargement.ts';
import type { GenerateTask } from '../tasks/generate/generate-task.ts';
import type { TextEditTask } from '../tasks/text-edit/text-edit-task.ts';
import { LIMITS } from '../../common/contract/limits.ts';
import { LimitedNumberInput } from './limited-input.tsx';
import { PromptField } from './prompt-field.tsx';
import { usePromptVocabulary } from '../tasks/generate/use-prompt-vocabulary.ts';
import { currentPrompt, textEditRecord, type TextEditRecord } from '../../common/document/text-edit-record.ts';

/** "Regenerate this area": img2img inside the region's box, from the picture as it is now. */
function RegenerateArea({ id }: { id: string }) {
  const { editor } = useServices();
  const busy = useEditorState((s) => !!s.job);
  const [strength, setStrength] = useState(0.6);
  const task = editor.task<GenerateTask>('generate');
  if (!task) return null;
  return (
    <div className="row" data-testid="regenerate-area">
      <LimitedNumberInput limit={LIMITS.strength} label="Strength" testId="regen-strength" step={0.05} value={strength} onChange={setStrength} title="0 keeps the picture, 1 regenerates the area from noise" />
      <button data-testid="regen-area" disabled={busy} title="Regenerate what is under this region with its prompt; nothing outside it changes" onClick={() => void task.regenerateArea(id, strength)}>Regenerate area</button>
    </div>
  );
}

function RegionPromptField({ id, prompt }: { id: string; prompt: string }) {
  const { editor } = useServices();
  const [v, setV] = useState(prompt);
  const vocabulary = usePromptVocabulary();
  useEffect(() => setV(prompt), [prompt, id]);
  return (
    <PromptField
      testId="region-prompt-panel"
      ariaLabel="Region prompt"
      rows={3}
      value={v}
      vocabulary={vocabulary}
      placeholder="What goes in this region"
      onChange={setV}
      onBlur={() => v !== prompt && void editor.setRegionPrompt(id, v)}
    />
  );
}

/** "Suggest placements" (TopNet): the top-5 as ghosts on the canvas; choosing one moves and scales the layer. */
function PlacementSuggestions({ id }: { id: string }) {
  const { editor } = useServices();
  const pl = editor.placement;
  const ghosts = useStoreState(pl.store, (s) => (s.ghosts?.layerId === id ? s.ghosts.rects : null));
  const busy = useStoreState(pl.store, (s) => s.busy);
  const live = useStoreState(pl.store, (s) => s.live);
  useEditorState((s) => s.packs);
  if (!pl.placeable(id)) return null;
  return (
    <div className="field placement" data-testid="placement-panel">
      <button type="button" data-testid="suggest-placements" disabled={busy} onClick={() => void pl.suggest(id)}>Suggest placements</button>
      <label className="inline">
        <input type="checkbox" data-testid="placement-live" checked={live} onChange={(e) => pl.setLive(e.target.checked)} />
        Heatmap + snap while dragging
      </label>
      {ghosts && (
        <ol className="placements" data-testid="placement-list">
          {ghosts.map((g, k) => (
            <li key={k}>
              <button type="button" data-testid={`placement-${k}`} onClick={() => void pl.choose(k, (lid, r) => editor.commitTransform(lid, r))}>
                {Math.round(g.layerRect.x)}, {Math.round(g.layerRect.y)} · {g.scale.toFixed(2)}x · {(g.score * 100).toFixed(1)}%
              </button>
            </li>
          ))}
          <li><button type="button" className="muted" onClick={() => pl.clearGhosts()}>Hide</button></li>
        </ol>
      )}
    </div>
  );
}

/** A selected text layer: the Text options show (and change) its style; double-click edits its words. */
function TextLayerOptions({ id }: { id: string }) {
  const { editor } = useServices();
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const layer = doc ? findLayer(doc.layers, id)?.layer : null;
  const style = useEditorState((s) => s.textStyle);
  useEffect(() => {
    if (!layer || layer.kind !== 'text') return;
    const same = style.fontFamily === layer.fontFamily && style.fontSize === layer.fontSize && style.align === layer.align && style.color.every((v, i) => v === layer.color[i]);
    if (!same) editor.store.set({ textStyle: { fontFamily: layer.fontFamily, fontSize: layer.fontSize, color: [...layer.color], align: layer.align ?? 'left' } });
  }, [layer, editor]);
  if (!layer || layer.kind !== 'text') return null;
  return (
    <>
      <TextOptions title="Text" />
      <button type="button" data-testid="text-edit" onClick={() => editor.text.beginEdit(id)}>Edit text…</button>
    </>
  );
}

export function PropertiesPanel() {
  const { editor } = useServices();
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const selection = useEditorState((s) => s.selection);
  const tool = useEditorState((s) => s.tool);
  const layer = doc && selection.length === 1 ? findLayer(doc.layers, selection[0])?.layer ?? null : null;
  if (!doc) return null;
  if (!layer) {
    return (
      <section className="panel props-panel" data-testid="properties-panel">
        <h2>Properties</h2>
        <dl className="kv">
          <dt>Document</dt><dd>{doc.name}</dd>
          <dt>Size</dt><dd>{doc.width} × {doc.height}</dd>
          <dt>Selected</dt><dd>{selection.length ? `${selection.length} layers` : 'none'}</dd>
        </dl>
        {tool === 'text' && <TextOptions title="New text" />}
      </section>
    );
  }
  const b = editor.absoluteBounds(layer.id);
  const p = layer.provenance;
  return (
    <section className="panel props-panel" data-testid="properties-panel">
      <h2>Properties</h2>
      <dl className="kv">
        <dt>Name</dt><dd>{layer.name}</dd>
        <dt>Kind</dt><dd>{layer.kind === 'region' ? `region (${layer.shape.type})` : layer.kind}</dd>
        {b && (<><dt>Position</dt><dd>{Math.round(b.x)}, {Math.round(b.y)}</dd><dt>Size</dt><dd>{Math.round(b.width)} × {Math.round(b.height)}</dd></>)}
      </dl>
      {layer.kind === 'raster' && <PlacementSuggestions id={layer.id} />}
      {layer.kind === 'raster' && p && <EditTextButton id={layer.id} />}
      {layer.kind === 'text' && <TextLayerOptions id={layer.id} />}
      {layer.kind === 'region' && (
        <div className="field">
          <label>Prompt</label>
          <RegionPromptField id={layer.id} prompt={layer.prompt} />
          <label className="inline">
            Overlay colour
            <input type="color" value={layer.color} onChange={(e) => void editor.updateLayer(layer.id, { color: e.target.value }, { history: 'merge', mergeKey: `color:${layer.id}`, label: 'Region Colour' })} />
          </label>
          <RegenerateArea id={layer.id} />
        </div>
      )}
      <div className="provenance" data-testid="provenance">
        <h3>Provenance</h3>
        {p ? (
          <dl className="kv">
            <dt>Pack</dt><dd>{p.packId}</dd>
            <dt>Pipeline</dt><dd>{p.pipeline}</dd>
            <dt>Prompt</dt><dd>{currentPrompt(p) || '—'}</dd>
            <dt>Seed</dt><dd data-testid="provenance-seed">{p.seed}</dd>
            {enlargement(layer) && (<><dt>Size</dt><dd data-testid="provenance-enlarged">{enlargement(layer)!.text}</dd></>)}
            <dt>Steps</dt><dd>{p.steps}</dd>
            {p.guidance !== undefined && (<><dt>Guidance</dt><dd>{p.guidance}</dd></>)}
            {p.provider && (<><dt>Device</dt><dd>{p.provider}</dd></>)}
            {p.createdAt && (<><dt>Made</dt><dd>{new Date(p.createdAt).toLocaleString()}</dd></>)}
            {p.regions.length > 0 && (<><dt>Regions</dt><dd>{p.regions.map((r) => r.prompt || r.id).join(' · ')}</dd></>)}
            {p.params.layerbind && (<><dt>Method</dt><dd data-testid="provenance-method">{describeRegionMethod(p.params.layerbind)}</dd></>)}
            {textEditSummary(p) && (<><dt>Text edit</dt><dd data-testid="provenance-text-edit">{textEditSummary(p)}</dd></>)}
          </dl>
        ) : (
          <p className="muted">{layer.kind === 'region' ? 'A region is an input to generation.' : 'Not generated (imported or painted).'}</p>
        )}
      </div>
    </section>
  );
}

/** "layerbind: fuse at step 2, nurse 4 steps (cosine, strength 1)" from a provenance record. */
function describeRegionMethod(m: NonNullable<Provenance['params']['layerbind']>): string {
  if (m.mode && m.mode !== 'layerbind') return m.mode;
  const parts = [];
  if (m.fuseStep !== undefined) parts.push(`fuse at step ${m.fuseStep}`);
  if (m.nursingSteps !== undefined) parts.push(`nurse ${m.nursingSteps} steps${m.schedule ? ` (${m.schedule}${m.strength !== undefined ? `, strength ${m.strength}` : ''})` : ''}`);
  return `layerbind${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** "red" -> "green" (box 20 x 12 at 4, 8), earlier edits first, from a text edit's provenance record; null for other layers. */
function textEditSummary(p: Provenance): string | null {
  const edits: TextEditRecord[] = [];
  for (let e = textEditRecord(p); e; e = e.previous ?? null) edits.unshift(e);
  if (!edits.length) return null;
  return edits.map((e) => `"${e.from}" → "${e.to}"${e.box ? ` (box ${e.box[2]} × ${e.box[3]} at ${e.box[0]}, ${e.box[1]})` : ''}`).join(', then ');
}

/** Edit Text for a generated layer: opens the panel (disabled with the reason on a layer it cannot edit). */
function EditTextButton({ id }: { id: string }) {
  const { editor } = useServices();
  useEditorState((s) => s.snapshot);
  const busy = useEditorState((s) => !!s.job);
  const task = editor.task<TextEditTask>('text-edit');
  if (!task) return null;
  const can = task.canEdit(id);
  return (
    <div className="row">
      <button data-testid="props-edit-text" disabled={!can.ok || busy} title={can.ok ? 'Change one word of the prompt; the layer\'s pixels change in place (Shift+T)' : can.problem} onClick={() => task.open(id)}>Edit Text…</button>
    </div>
  );
}
