// Photoshop-like layers panel: top row = front. Drag a row to reorder (one 'move' op),
// eye, lock, opacity, blend mode, double-click to rename, groups, thumbnails; a layer mask
// has its own thumbnail (click: paint the mask / the pixels; Shift+click: disable it), and
// small indicators mark locked, transparency-locked and clipped layers.
import { enlargement } from '../editor/enlargement.ts';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { BLEND_MODES, type Layer } from '../../common/document/document-schema.ts';
import { findLayer } from '../../common/document/layer-tree.ts';
import { dropZone, layerRows, type DropZone, type LayerRow } from '../editor/layer-order.ts';
import { useCacheVersion, useEditorState, useServices } from './editor-context.ts';
import { Icon } from './icons.tsx';
import { layerUtil } from '../editor/layer-kinds/layer-utils.ts';
import { openContextMenu } from './context-menu.tsx';

const THUMB = 34;

interface ThumbProps {
  kind: Layer['kind'];
  imageId: string | undefined;
  /** region overlay colour */
  color: string | undefined;
  /** box regions: their size */
  boxW: number;
  boxH: number;
}

function thumbProps(layer: Layer): ThumbProps {
  return {
    kind: layer.kind,
    imageId: layerUtil(layer).imageId(layer) ?? undefined,
    color: layer.kind === 'region' ? layer.color : undefined,
    boxW: layer.kind === 'region' ? layer.shape.width : 0,
    boxH: layer.kind === 'region' ? layer.shape.height : 0,
  };
}

/** Repaints only when what it shows changes (props are primitives, so memo holds across snapshots). */
const LayerThumb = memo(function LayerThumb({ kind, imageId, color, boxW, boxH }: ThumbProps) {
  const { cache } = useServices();
  const version = useCacheVersion();
  const ref = useRef<HTMLCanvasElement>(null);
  const img = imageId ? cache.get(imageId) : undefined;
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, THUMB, THUMB);
    for (let y = 0; y < THUMB; y += 6) for (let x = 0; x < THUMB; x += 6) {
      ctx.fillStyle = ((x + y) / 6) % 2 ? '#8a8a8a' : '#b5b5b5';
      ctx.fillRect(x, y, 6, 6);
    }
    if (img) {
      const s = Math.min(THUMB / img.width, THUMB / img.height);
      const w = img.width * s, h = img.height * s;
      if (kind === 'region') {
        // tint the mask in the region colour
        const t = document.createElement('canvas');
        t.width = Math.max(1, Math.round(w));
        t.height = Math.max(1, Math.round(h));
        const tc = t.getContext('2d')!;
        tc.drawImage(img, 0, 0, t.width, t.height);
        tc.globalCompositeOperation = 'source-in';
        tc.fillStyle = color ?? '#4f8cff';
        tc.fillRect(0, 0, t.width, t.height);
        ctx.drawImage(t, (THUMB - w) / 2, (THUMB - h) / 2);
      } else ctx.drawImage(img, (THUMB - w) / 2, (THUMB - h) / 2, w, h);
    } else if (kind === 'region' && boxW && boxH) {
      const s = Math.min((THUMB - 8) / boxW, (THUMB - 8) / boxH);
      const w = boxW * s, h = boxH * s;
      ctx.globalAlpha = 0.85;
      ctx.fillStyle = color ?? '#4f8cff';
      ctx.fillRect((THUMB - w) / 2, (THUMB - h) / 2, w, h);
      ctx.globalAlpha = 1;
    }
    // version: repaint when the pixels arrive
  }, [kind, img, color, boxW, boxH, version]);
  if (kind === 'group') return <span className="thumb group-thumb"><Icon name="folder" /></span>;
  return <canvas ref={ref} className="thumb" width={THUMB} height={THUMB} aria-hidden />;
});

function RowName({ row, editing, onDone }: { row: LayerRow; editing: boolean; onDone: () => void }) {
  const { editor } = useServices();
  const [value, setValue] = useState(row.layer.name);
  useEffect(() => setValue(row.layer.name), [row.layer.name, editing]);
  if (!editing) {
    return (
      <span className="name" title={row.layer.kind === 'region' && row.layer.prompt ? row.layer.prompt : [row.layer.name, enlargement(row.layer)?.text].filter(Boolean).join(' — ')}>
        {row.layer.name}
        {enlargement(row.layer) && <span className="badge" data-testid="layer-enlarged" title={enlargement(row.layer)!.text}> {Number(enlargement(row.layer)!.factor.toFixed(1))}×</span>}
        {row.layer.kind === 'region' && <span className="sub">{row.layer.prompt || 'no prompt'}</span>}
      </span>
    );
  }
  const commit = () => {
    const v = value.trim();
    if (v && v !== row.layer.name) void editor.updateLayer(row.id, { name: v }, { label: 'Rename Layer' });
    onDone();
  };
  return (
    <input
      className="rename"
      data-testid="layer-rename-input"
      autoFocus
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') onDone();
        e.stopPropagation();
      }}
      onPointerDown={(e) => e.stopPropagation()}
    />
  );
}

interface DragState {
  id: string;
  startY: number;
  active: boolean;
  over: { refId: string; zone: DropZone } | null;
}

export function LayersPanel() {
  const { editor } = useServices();
  const doc = useEditorState((s) => s.snapshot?.document ?? null);
  const selection = useEditorState((s) => s.selection);
  const editMask = useEditorState((s) => s.editMask);
  const rows = useMemo(() => (doc ? layerRows(doc.layers) : []), [doc]);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [drag, setDrag] = useState<DragState | null>(null);
  const dragRef = useRef<DragState | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const selected = selection.length === 1 && doc ? findLayer(doc.layers, selection[0])?.layer ?? null : null;
  const opacityGesture = useRef(0);
  const lastOpacityKey = useRef(0);

  const setDragBoth = (d: DragState | null) => {
    dragRef.current = d;
    setDrag(d);
  };

  const onRowPointerDown = (e: React.PointerEvent, row: LayerRow) => {
    if (e.button !== 0) return;
    const target = e.target as HTMLElement;
    if (target.closest('button, input, select')) return;
    e.preventDefault();
    // selection: click selects, Ctrl/Shift toggles
    if (e.ctrlKey || e.metaKey || e.shiftKey) {
      editor.select(selection.includes(row.id) ? selection.filter((x) => x !== row.id) : [...selection, row.id]);
    } else if (!selection.includes(row.id) || selection.length > 1) editor.select([row.id]);
    setDragBoth({ id: row.id, startY: e.clientY, active: false, over: null });
    const move = (m: PointerEvent) => {
      const d = dragRef.current;
      if (!d) return;
      if (!d.active && Math.abs(m.clientY - d.startY) < 4) return;
      const el = document.elementFromPoint(m.clientX, m.clientY)?.closest('[data-layer-id]') as HTMLElement | null;
      let over: DragState['over'] = null;
      if (el) {
        const refId = el.dataset.layerId!;
        const r = el.getBoundingClientRect();
        const refRow = rowsRef.current.find((x) => x.id === refId);
        if (refRow) over = { refId, zone: dropZone(refRow, (m.clientY - r.top) / r.height) };
      } else if (listRef.current) {
        // below the last row: drop at the very back
        const last = rowsRef.current.filter((x) => x.depth === 0).at(-1);
        const lr = listRef.current.getBoundingClientRect();
        if (last && m.clientY > lr.top) over = { refId: last.id, zone: 'after' };
      }
      setDragBoth({ ...d, active: true, over });
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      const d = dragRef.current;
      setDragBoth(null);
      if (d?.active && d.over) void editor.dropLayer(d.id, d.over.refId, d.over.zone);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  if (!doc) return <section className="panel layers-panel" data-testid="layers-panel"><h2>Layers</h2><p className="empty">No document</p></section>;

  return (
    <section className="panel layers-panel" data-testid="layers-panel" aria-label="Layers">
      <h2>Layers</h2>
      <div className="layer-props">
        <select
          data-testid="layer-blend"
          aria-label="Blend mode"
          title="Blend mode"
          disabled={!selected || selected.locked}
          value={selected?.blendMode ?? 'normal'}
          onChange={(e) => selected && void editor.updateLayer(selected.id, { blendMode: e.target.value as Layer['blendMode'] }, { label: 'Blend Mode' })}
        >
          {BLEND_MODES.map((m) => <option key={m} value={m}>{m.replace(/-/g, ' ')}</option>)}
        </select>
        <label className="opacity" title="Opacity">
          <span>Opacity</span>
          <input
            type="range"
            min={0}
            max={100}
            data-testid="layer-opacity"
            disabled={!selected || selected.locked}
            value={Math.round((selected?.opacity ?? 1) * 100)}
            onPointerDown={() => opacityGesture.current++}
            onKeyDown={() => {
              // arrow-key nudges within a second of each other are one undo step
              const now = Date.now();
              if (now - lastOpacityKey.current > 1000) opacityGesture.current++;
              lastOpacityKey.current = now;
            }}
            onChange={(e) => selected && void editor.updateLayer(selected.id, { opacity: Number(e.target.value) / 100 }, { history: 'merge', mergeKey: `opacity:${selected.id}:${opacityGesture.current}`, label: 'Opacity' })}
          />
          <output>{Math.round((selected?.opacity ?? 1) * 100)}%</output>
        </label>
      </div>
      <div className="layer-list" ref={listRef} role="tree" aria-label="Layer stack, front on top" data-testid="layer-list">
        {rows.map((row) => {
          const l = row.layer;
          const isSel = selection.includes(row.id);
          const over = drag?.active && drag.over?.refId === row.id ? drag.over.zone : null;
          return (
            <div
              key={row.id}
              role="treeitem"
              aria-selected={isSel}
              aria-level={row.depth + 1}
              tabIndex={0}
              data-testid={`layer-row-${row.id}`}
              data-layer-id={row.id}
              data-layer-name={l.name}
              data-layer-kind={l.kind}
              className={`layer-row${isSel ? ' selected' : ''}${!l.visible ? ' hidden-layer' : ''}${drag?.active && drag.id === row.id ? ' dragging' : ''}${over ? ` drop-${over}` : ''}`}
              style={{ paddingLeft: 4 + row.depth * 16 }}
              onPointerDown={(e) => onRowPointerDown(e, row)}
              onContextMenu={(e) => {
                e.preventDefault();
                if (!editor.selection.includes(row.id)) editor.select([row.id]);
                openContextMenu(e.clientX, e.clientY, 'layer');
              }}
              onDoubleClick={(e) => {
                if ((e.target as HTMLElement).closest('button')) return;
                setRenaming(row.id);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  editor.select([row.id]);
                } else if (e.key === 'F2') setRenaming(row.id);
                else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                  // walk the rows with the keyboard; selection follows focus
                  e.preventDefault();
                  e.stopPropagation();
                  const i = rows.findIndex((x) => x.id === row.id) + (e.key === 'ArrowDown' ? 1 : -1);
                  const next = rows[i];
                  if (next) {
                    editor.select([next.id]);
                    (listRef.current?.querySelector(`[data-layer-id="${CSS.escape(next.id)}"]`) as HTMLElement | null)?.focus();
                  }
                }
              }}
            >
              <button
                className="icon-btn eye"
                data-testid={`layer-visibility-${row.id}`}
                aria-pressed={l.visible}
                title={l.visible ? 'Hide layer' : 'Show layer'}
                aria-label={l.visible ? `Hide ${l.name}` : `Show ${l.name}`}
                onClick={() => void editor.updateLayer(row.id, { visible: !l.visible }, { label: l.visible ? 'Hide Layer' : 'Show Layer' })}
              >
                <Icon name={l.visible ? 'eye' : 'eye-off'} />
              </button>
              {l.kind === 'group' ? (
                <button
                  className="icon-btn twisty"
                  title={l.expanded ? 'Collapse group' : 'Expand group'}
                  aria-expanded={l.expanded}
                  onClick={() => void editor.updateLayer(row.id, { expanded: !l.expanded }, { history: 'ignore' })}
                >
                  <Icon name={l.expanded ? 'chevron-down' : 'chevron-right'} />
                </button>
              ) : (
                <span className="twisty-space" />
              )}
              {l.kind === 'raster' && l.clip && <span className="clip-arrow" data-testid={`layer-clipped-${row.id}`} title="Clipping mask: shown only where the layer below has pixels"><Icon name="clip" /></span>}
              {l.kind === 'raster' && l.mask ? (
                <>
                  <button
                    className={`thumb-pick${isSel && !editMask ? ' on' : ''}`}
                    data-testid={`layer-pixels-thumb-${row.id}`}
                    title="Paint the layer's pixels"
                    onClick={() => { editor.select([row.id]); editor.store.set({ editMask: false }); }}
                  >
                    <LayerThumb {...thumbProps(l)} />
                  </button>
                  <button
                    className={`thumb-pick mask-thumb${isSel && editMask ? ' on' : ''}${l.mask.enabled ? '' : ' disabled'}`}
                    data-testid={`layer-mask-thumb-${row.id}`}
                    data-mask-enabled={l.mask.enabled}
                    aria-pressed={isSel && editMask}
                    title={`Layer mask${l.mask.enabled ? '' : ' (disabled)'}: click to paint it, click again for the pixels; Shift+click to ${l.mask.enabled ? 'disable' : 'enable'} it`}
                    onClick={(e) => {
                      editor.select([row.id]);
                      if (e.shiftKey) void editor.masks.setEnabled(!l.mask!.enabled);
                      else editor.store.set({ editMask: !(isSel && editMask) });
                    }}
                  >
                    <LayerThumb kind="raster" imageId={l.mask.imageId} color={undefined} boxW={0} boxH={0} />
                  </button>
                </>
              ) : (
                <LayerThumb {...thumbProps(l)} />
              )}
              <RowName row={row} editing={renaming === row.id} onDone={() => setRenaming(null)} />
              <span className="badges">
                {l.kind === 'raster' && l.lockAlpha && <span className="indicator" data-testid={`layer-lock-alpha-${row.id}`} title="Transparency locked: painting keeps the alpha"><Icon name="lock-alpha" /></span>}
                {l.locked && <span className="indicator" data-testid={`layer-locked-${row.id}`} title="Locked: no edits, no moves"><Icon name="lock" /></span>}
                {l.opacity < 1 && <span className="badge">{Math.round(l.opacity * 100)}%</span>}
                {l.blendMode !== 'normal' && <span className="badge">{l.blendMode}</span>}
              </span>
              <button
                className={`icon-btn lock${l.locked ? ' on' : ''}`}
                data-testid={`layer-lock-${row.id}`}
                aria-pressed={l.locked}
                title={l.locked ? 'Unlock layer' : 'Lock layer'}
                aria-label={l.locked ? `Unlock ${l.name}` : `Lock ${l.name}`}
                onClick={() => void editor.updateLayer(row.id, { locked: !l.locked }, { label: l.locked ? 'Unlock Layer' : 'Lock Layer' })}
              >
                <Icon name={l.locked ? 'lock' : 'unlock'} />
              </button>
            </div>
          );
        })}
        {rows.length === 0 && <p className="empty">Import an image or draw a region (M) to start.</p>}
      </div>
      <div className="panel-footer">
        <button className="icon-btn" data-testid="layer-group" title={`Group layers (${editor.shortcuts.label('layer.group')})`} disabled={!selection.length} onClick={() => void editor.groupSelection()}><Icon name="folder" /></button>
        <button className="icon-btn" title={`Ungroup (${editor.shortcuts.label('layer.ungroup')})`} disabled={selected?.kind !== 'group'} onClick={() => void editor.ungroupSelection()}><Icon name="folder-open" /></button>
        <button className="icon-btn" title={`Bring forward (${editor.shortcuts.label('layer.forward')})`} disabled={!selected} onClick={() => void editor.arrange('forward')}><Icon name="up" /></button>
        <button className="icon-btn" title={`Send backward (${editor.shortcuts.label('layer.backward')})`} disabled={!selected} onClick={() => void editor.arrange('backward')}><Icon name="down" /></button>
        <button className="icon-btn" title={`Merge down (${editor.shortcuts.label('layer.mergeDown')})`} disabled={selected?.kind !== 'raster'} onClick={() => void editor.mergeDown()}><Icon name="merge" /></button>
        <span className="spacer" />
        <button className="icon-btn danger" data-testid="layer-delete" title={`Delete (${editor.shortcuts.label('layer.delete')})`} disabled={!selection.length} onClick={() => void editor.deleteSelection()}><Icon name="trash" /></button>
      </div>
    </section>
  );
}
