// Stack-order kernels for the layers panel and the arrange shortcuts. Front first: the
// top row of the panel is layers[0]. A 'move' op's index is counted in the sibling list
// *after* the moved layer has been taken out (that is how applyOp performs it).
import type { Layer, LaminaDocument } from '../../common/document/document-schema.ts';
import { findLayer, isDescendant } from '../../common/document/layer-tree.ts';
import type { DocumentOpInput } from '../../common/document/document-ops.ts';

export interface LayerRow {
  id: string;
  layer: Layer;
  depth: number;
  parentId: string | null;
  index: number;
}

/** Panel rows, top to bottom, skipping the children of collapsed groups. */
export function layerRows(layers: readonly Layer[], depth = 0, parentId: string | null = null, out: LayerRow[] = []): LayerRow[] {
  layers.forEach((layer, index) => {
    out.push({ id: layer.id, layer, depth, parentId, index });
    if (layer.kind === 'group' && layer.expanded) layerRows(layer.children, depth + 1, layer.id, out);
  });
  return out;
}

export type DropZone = 'before' | 'after' | 'inside';

export interface MoveTarget {
  parentId: string | null;
  index: number;
}

/** Which zone of a row the pointer is in, from its vertical fraction 0..1 within the row. */
export function dropZone(row: LayerRow, fraction: number): DropZone {
  if (row.layer.kind === 'group') {
    if (fraction < 0.25) return 'before';
    if (fraction > 0.75 && !row.layer.expanded) return 'after';
    return 'inside';
  }
  return fraction < 0.5 ? 'before' : 'after';
}

/**
 * Where `dragId` lands when dropped on `refId` in `zone`, as a move target; null when the
 * drop is impossible (onto itself, into its own descendant) or changes nothing.
 */
export function dropTarget(layers: readonly Layer[], dragId: string, refId: string, zone: DropZone): MoveTarget | null {
  if (dragId === refId) return null;
  const drag = findLayer(layers, dragId);
  const ref = findLayer(layers, refId);
  if (!drag || !ref) return null;
  if (isDescendant(layers, dragId, refId)) return null;
  let target: MoveTarget;
  if (zone === 'inside') {
    if (ref.layer.kind !== 'group') return null;
    target = { parentId: ref.layer.id, index: 0 };
  } else {
    const siblings = siblingsOf(layers, ref.parentId).filter((l) => l.id !== dragId);
    const i = siblings.findIndex((l) => l.id === refId);
    target = { parentId: ref.parentId, index: zone === 'before' ? i : i + 1 };
  }
  if (target.parentId === drag.parentId && target.index === drag.index) return null;
  return target;
}

export function siblingsOf(layers: readonly Layer[], parentId: string | null): readonly Layer[] {
  if (parentId === null) return layers;
  const p = findLayer(layers, parentId);
  return p && p.layer.kind === 'group' ? p.layer.children : [];
}

export type Arrange = 'forward' | 'backward' | 'front' | 'back';

/** Move op for Ctrl+] / Ctrl+[ / Ctrl+Shift+] / Ctrl+Shift+[; null when already there. */
export function arrangeOp(doc: LaminaDocument, id: string, how: Arrange): DocumentOpInput | null {
  const loc = findLayer(doc.layers, id);
  if (!loc) return null;
  const n = siblingsOf(doc.layers, loc.parentId).length;
  const index = how === 'forward' ? loc.index - 1 : how === 'backward' ? loc.index + 1 : how === 'front' ? 0 : n - 1;
  if (index < 0 || index > n - 1 || index === loc.index) return null;
  return { op: 'move', id, parentId: loc.parentId, index };
}

/** Ids in paint order would be the reverse; this returns the front-to-back order of all leaves. */
export function frontToBackIds(layers: readonly Layer[], pred: (l: Layer) => boolean = () => true): string[] {
  const out: string[] = [];
  const visit = (ls: readonly Layer[]) => {
    for (const l of ls) {
      if (l.kind === 'group') visit(l.children);
      else if (pred(l)) out.push(l.id);
    }
  };
  visit(layers);
  return out;
}
