// The Image menu: rotate and flip the selected layers, crop the canvas to the selected
// layer or region, Canvas Size… and Image Size… (renderer/editor/canvas-commands.ts).
import { useState } from 'react';
import { LIMITS } from '../../common/contract/limits.ts';
import { ANCHORS, type Anchor } from '../editor/canvas-transform.ts';
import { useEditorState, useServices } from './editor-context.ts';
import { Modal } from './dialogs.tsx';
import { LimitedNumberInput } from './limited-input.tsx';

type SizeDialog = 'canvas' | 'image' | null;

export function ImageMenu() {
  const { editor } = useServices();
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const selected = useEditorState((s) => s.selection.length > 0);
  const [dialog, setDialog] = useState<SizeDialog>(null);
  const run = (v: string) => {
    const c = editor.canvas;
    if (v === 'rotate-cw') void c.rotateSelection(90);
    else if (v === 'rotate-ccw') void c.rotateSelection(270);
    else if (v === 'rotate-180') void c.rotateSelection(180);
    else if (v === 'flip-h') void c.flipSelection('horizontal');
    else if (v === 'flip-v') void c.flipSelection('vertical');
    else if (v === 'crop') void c.cropToSelection();
    else if (v === 'free-transform') editor.runCommand('transform.free');
    else if (v === 'canvas-size' || v === 'image-size') setDialog(v === 'canvas-size' ? 'canvas' : 'image');
  };
  return (
    <>
      <select data-testid="image-menu" aria-label="Image" value="" disabled={!doc} onChange={(e) => run(e.target.value)}>
        <option value="">Image…</option>
        <option value="rotate-cw" disabled={!selected}>Rotate 90° clockwise</option>
        <option value="rotate-ccw" disabled={!selected}>Rotate 90° counter-clockwise</option>
        <option value="rotate-180" disabled={!selected}>Rotate 180°</option>
        <option value="flip-h" disabled={!selected}>Flip horizontal</option>
        <option value="flip-v" disabled={!selected}>Flip vertical</option>
        <option value="free-transform" disabled={!selected}>Free transform (Ctrl+T)</option>
        <option value="crop" disabled={!selected}>Crop to selected layer</option>
        <option value="canvas-size">Canvas size…</option>
        <option value="image-size">Image size…</option>
      </select>
      {dialog && doc && <SizeDialogView kind={dialog} width={doc.width} height={doc.height} onClose={() => setDialog(null)} />}
    </>
  );
}

function SizeDialogView({ kind, width, height, onClose }: { kind: 'canvas' | 'image'; width: number; height: number; onClose: () => void }) {
  const { editor } = useServices();
  const [w, setW] = useState(width);
  const [h, setH] = useState(height);
  const [keepRatio, setKeepRatio] = useState(kind === 'image');
  const [anchor, setAnchor] = useState<Anchor>('center');
  const [invalid, setInvalid] = useState(false);
  const title = kind === 'canvas' ? 'Canvas size' : 'Image size';
  const setWidth = (v: number) => { setW(v); if (keepRatio) setH(Math.max(1, Math.round((v * height) / width))); };
  const setHeight = (v: number) => { setH(v); if (keepRatio) setW(Math.max(1, Math.round((v * width) / height))); };
  return (
    <Modal title={title} onClose={onClose} testId={`${kind}-size-dialog`}>
      <form onSubmit={async (e) => {
        e.preventDefault();
        if (invalid) return;
        const ok = kind === 'canvas' ? await editor.canvas.resizeCanvas(w, h, anchor) : await editor.canvas.resizeImage(w, h);
        if (ok) onClose();
      }}>
        <p className="muted small">Now {width} × {height} px. {kind === 'canvas' ? 'Layers keep their pixels; the canvas grows or shrinks around the anchor.' : 'Every layer is scaled and its pixels resampled.'}</p>
        <div className="row">
          <LimitedNumberInput limit={LIMITS.canvasSide} label="Width" testId={`${kind}-size-width`} value={w} onChange={setWidth} onValidity={(err) => setInvalid(!!err)} />
          <LimitedNumberInput limit={LIMITS.canvasSide} label="Height" testId={`${kind}-size-height`} value={h} onChange={setHeight} onValidity={(err) => setInvalid(!!err)} />
        </div>
        <label className="inline"><input type="checkbox" checked={keepRatio} onChange={(e) => setKeepRatio(e.target.checked)} /> keep proportions</label>
        {kind === 'canvas' && (
          <div className="anchor-grid" role="radiogroup" aria-label="Anchor">
            {ANCHORS.map((a) => (
              <button type="button" key={a} role="radio" aria-checked={anchor === a} aria-label={a} data-testid={`anchor-${a}`} className={anchor === a ? 'on' : undefined} onClick={() => setAnchor(a)} />
            ))}
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" data-testid={`${kind}-size-apply`} disabled={invalid}>Apply</button>
        </div>
      </form>
    </Modal>
  );
}
