// The right-click menu on layer rows and on the canvas: the layer's commands (duplicate,
// masks, clipping, lock transparency, merge) and, on the canvas, the selection's. Opened
// with `openContextMenu` from anywhere; one menu at a time, closed by a click or Esc.
import { useEffect, useState } from 'react';
import type { CommandId } from '../editor/shortcuts.ts';
import { selectedRaster } from '../editor/paint-commands.ts';
import { useEditorState, useServices } from './editor-context.ts';
import { artSource, type LayersTask } from '../tasks/layers/layers-task.ts';
import type { TextEditTask } from '../tasks/text-edit/text-edit-task.ts';

type Where = 'layer' | 'canvas';
const EVENT = 'lamina-context-menu';

export function openContextMenu(x: number, y: number, where: Where): void {
  window.dispatchEvent(new CustomEvent(EVENT, { detail: { x, y, where } }));
}

interface Item { id: string; label: string; run: () => unknown; disabled?: boolean; keys?: CommandId; title?: string }

export function ContextMenu() {
  const { editor } = useServices();
  const [at, setAt] = useState<{ x: number; y: number; where: Where } | null>(null);
  const snapshot = useEditorState((s) => s.snapshot);
  const selection = useEditorState((s) => s.selection);
  const hasPixelSel = useEditorState((s) => !!s.pixelSelection);
  const editMask = useEditorState((s) => s.editMask);
  useEffect(() => {
    const open = (e: Event) => setAt((e as CustomEvent).detail);
    const close = () => setAt(null);
    const key = (e: KeyboardEvent) => { if (e.key === 'Escape') setAt(null); };
    window.addEventListener(EVENT, open);
    window.addEventListener('pointerdown', close);
    window.addEventListener('keydown', key);
    return () => {
      window.removeEventListener(EVENT, open);
      window.removeEventListener('pointerdown', close);
      window.removeEventListener('keydown', key);
    };
  }, []);
  if (!at || !snapshot) return null;
  const raster = selectedRaster(snapshot.document, selection);
  const l = raster?.layer;
  const cmd = (id: CommandId) => () => editor.runCommand(id);
  const art = artSource(l);
  const layersTask = editor.task<LayersTask>('layers');
  const textEdit = editor.task<TextEditTask>('text-edit');
  const editable = l && textEdit ? textEdit.canEdit(l.id) : null;
  const layerItems: Item[] = [
    { id: 'duplicate', label: 'Duplicate Layer', run: cmd('layer.duplicate'), disabled: !selection.length, keys: 'layer.duplicate' },
    { id: 'delete', label: 'Delete Layer', run: () => editor.deleteSelection(), disabled: !selection.length },
    { id: 'merge-down', label: 'Merge Down', run: cmd('layer.mergeDown'), disabled: !l, keys: 'layer.mergeDown' },
    { id: 'merge-visible', label: 'Merge Visible', run: cmd('layer.mergeVisible'), keys: 'layer.mergeVisible' },
    ...(l?.mask
      ? [
          { id: 'mask-edit', label: editMask ? 'Paint the Pixels (not the Mask)' : 'Paint the Layer Mask', run: () => editor.store.set({ editMask: !editMask }) },
          { id: 'mask-toggle', label: l.mask.enabled ? 'Disable Layer Mask' : 'Enable Layer Mask', run: () => editor.masks.setEnabled(!l.mask!.enabled) },
          { id: 'mask-apply', label: 'Apply Layer Mask', run: () => editor.masks.apply() },
          { id: 'mask-delete', label: 'Delete Layer Mask', run: () => editor.masks.remove() },
        ]
      : [{ id: 'mask-add', label: hasPixelSel ? 'Add Layer Mask (from Selection)' : 'Add Layer Mask', run: () => editor.masks.add(), disabled: !l }]),
    { id: 'clip', label: l?.clip ? 'Release Clipping Mask' : 'Create Clipping Mask', run: cmd('layer.clip'), disabled: !l, keys: 'layer.clip' },
    { id: 'lock-alpha', label: l?.lockAlpha ? 'Unlock Transparency' : 'Lock Transparency', run: () => editor.stack.toggle('lockAlpha'), disabled: !l },
    // Edit Text: offered on generated layers (disabled, with the reason, on the others)
    ...(l?.provenance && textEdit ? [{ id: 'edit-text', label: 'Edit Text…', run: () => textEdit.open(l.id), disabled: !editable?.ok || editor.jobs.busy, title: editable && !editable.ok ? editable.problem : undefined, keys: 'layer.editText' as const }] : []),
    ...(art && l && layersTask ? [{ id: 'regenerate-box', label: `Re-generate This Box (Box ${art.box + 1})`, run: () => layersTask.regenerateBox(l.id), disabled: editor.jobs.busy }] : []),
  ];
  const canvasItems: Item[] = [
    { id: 'select-all', label: 'Select All', run: cmd('select.all'), keys: 'select.all' },
    { id: 'deselect', label: 'Deselect', run: cmd('select.none'), disabled: !hasPixelSel, keys: 'select.none' },
    { id: 'invert', label: 'Invert Selection', run: cmd('select.invert'), keys: 'select.invert' },
    { id: 'copy', label: 'Copy', run: cmd('edit.copy'), disabled: !l, keys: 'edit.copy' },
    { id: 'paste', label: 'Paste', run: cmd('edit.paste'), disabled: !editor.pixelSelection.clipboard, keys: 'edit.paste' },
    { id: 'clear', label: 'Delete Selected Pixels', run: () => editor.pixelSelection.deletePixels(), disabled: !hasPixelSel || !l },
  ];
  const groups = at.where === 'canvas' ? [canvasItems, layerItems] : [layerItems];
  const x = Math.min(at.x, window.innerWidth - 240), y = Math.min(at.y, window.innerHeight - 420);
  return (
    <div className="context-menu" role="menu" data-testid="context-menu" data-where={at.where} style={{ left: Math.max(0, x), top: Math.max(0, y) }} onPointerDown={(e) => e.stopPropagation()} onContextMenu={(e) => e.preventDefault()}>
      {groups.map((items, gi) => (
        <div key={gi}>
          {gi > 0 && <hr />}
          {items.map((it) => (
            <button key={it.id} role="menuitem" data-testid={`ctx-${it.id}`} disabled={it.disabled} title={it.title} onClick={() => { setAt(null); void it.run(); }}>
              <span>{it.label}</span>
              {it.keys && <span className="key">{editor.shortcuts.label(it.keys)}</span>}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
