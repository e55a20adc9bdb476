// The options bar over the canvas for the pixel tools (after Photoshop's): the brush's
// size, hardness, opacity and colour for the brush, eraser and eyedropper; the marquee's
// shape and the selection commands for the marquee and lasso.
import { useMemo, useState } from 'react';
import { useEditorState, useServices } from './editor-context.ts';
import type { GenerateTask } from '../tasks/generate/generate-task.ts';
import { selectedRaster } from '../editor/paint-commands.ts';
import { fromHex, toHex } from '../editor/pixels/eyedropper.ts';
import type { BrushSettings } from '../editor/pixels/brush.ts';

function Slider({ label, testId, min, max, step = 1, value, unit = '', onChange }: {
  label: string; testId: string; min: number; max: number; step?: number; value: number; unit?: string; onChange: (v: number) => void;
}) {
  return (
    <label className="opt" title={label}>
      <span>{label}</span>
      <input type="range" data-testid={testId} min={min} max={max} step={step} value={value} aria-label={label} onChange={(e) => onChange(Number(e.target.value))} />
      <output>{Math.round(value)}{unit}</output>
    </label>
  );
}

export function ToolOptions() {
  const { editor } = useServices();
  const tool = useEditorState((s) => s.tool);
  const brush = useEditorState((s) => s.brush);
  const shape = useEditorState((s) => s.marqueeShape);
  const hasSelection = useEditorState((s) => !!s.pixelSelection);
  const editMask = useEditorState((s) => s.editMask);
  const set = (patch: Partial<BrushSettings>) => editor.store.set({ brush: { ...editor.state.brush, ...patch } });
  const label = (c: Parameters<typeof editor.shortcuts.label>[0]) => editor.shortcuts.label(c);
  const paints = tool === 'brush' || tool === 'eraser';
  const selects = tool === 'marquee' || tool === 'lasso';
  if (!paints && !selects && tool !== 'eyedropper') return null;
  return (
    <div className="tool-options" data-testid="tool-options" role="toolbar" aria-label="Tool options">
      {paints && (
        <>
          <Slider label="Size" testId="brush-size" min={1} max={500} value={brush.size} unit=" px" onChange={(size) => set({ size })} />
          <Slider label="Hardness" testId="brush-hardness" min={0} max={100} value={brush.hardness * 100} unit="%" onChange={(v) => set({ hardness: v / 100 })} />
          <Slider label="Opacity" testId="brush-opacity" min={1} max={100} value={brush.opacity * 100} unit="%" onChange={(v) => set({ opacity: v / 100 })} />
          {editMask && <span className="badge" data-testid="editing-mask">painting the layer mask</span>}
        </>
      )}
      {(paints || tool === 'eyedropper') && (
        <label className="opt" title="Brush colour (I picks one from the canvas)">
          <span>Colour</span>
          <input type="color" data-testid="brush-color" value={toHex(brush.color)} onChange={(e) => set({ color: fromHex(e.target.value) })} />
        </label>
      )}
      {selects && (
        <>
          {tool === 'marquee' && (
            <div className="seg" role="group" aria-label="Marquee shape">
              <button className={shape === 'rect' ? 'on' : ''} data-testid="marquee-rect" aria-pressed={shape === 'rect'} onClick={() => editor.store.set({ marqueeShape: 'rect' })}>Rectangle</button>
              <button className={shape === 'ellipse' ? 'on' : ''} data-testid="marquee-ellipse" aria-pressed={shape === 'ellipse'} title={`Switch shape (${label('tool.marqueeShape')})`} onClick={() => editor.store.set({ marqueeShape: 'ellipse' })}>Ellipse</button>
            </div>
          )}
          <span className="muted small">Shift adds · Alt subtracts</span>
          <button data-testid="select-all" title={`Select all (${label('select.all')})`} onClick={() => editor.runCommand('select.all')}>All</button>
          <button data-testid="select-none" disabled={!hasSelection} title={`Deselect (${label('select.none')})`} onClick={() => editor.runCommand('select.none')}>Deselect</button>
          <button data-testid="select-invert" title={`Invert (${label('select.invert')})`} onClick={() => editor.runCommand('select.invert')}>Invert</button>
          {hasSelection && <RegenerateSelection />}
        </>
      )}
    </div>
  );
}

/** Regenerate the selected pixels with the global prompt: as a new layer, or in place of
 * the selected raster layer's pixels. */
function RegenerateSelection() {
  const { editor } = useServices();
  const busy = useEditorState((s) => !!s.job);
  const snapshot = useEditorState((s) => s.snapshot);
  const selection = useEditorState((s) => s.selection);
  const target = useMemo(() => (snapshot ? selectedRaster(snapshot.document, selection) : null), [snapshot, selection]);
  const [strength, setStrength] = useState(0.75);
  const [landing, setLanding] = useState<'new' | 'replace'>('new');
  const task = editor.task<GenerateTask>('generate');
  if (!task) return null;
  const replace = landing === 'replace' && target && !target.layer.locked;
  return (
    <span className="opt" data-testid="regen-selection">
      <span>Strength</span>
      <input type="number" data-testid="regen-selection-strength" min={0.05} max={1} step={0.05} value={strength} style={{ width: 52 }} onChange={(e) => setStrength(Math.min(1, Math.max(0.05, Number(e.target.value) || 0.75)))} />
      <select data-testid="regen-selection-landing" value={landing} onChange={(e) => setLanding(e.target.value as 'new' | 'replace')} aria-label="Where the result lands">
        <option value="new">as a new layer</option>
        <option value="replace" disabled={!target}>replacing the selection&apos;s pixels{target ? ` in "${target.layer.name}"` : ' (select a raster layer)'}</option>
      </select>
      <button className="primary" data-testid="regen-selection-go" disabled={busy} title="Regenerate the selected pixels with the generate panel's prompt; pixels outside the selection stay" onClick={() => void task.regenerateSelection(strength, replace ? target.layer.id : undefined)}>Regenerate selection</button>
    </span>
  );
}
