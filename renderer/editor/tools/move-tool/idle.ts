import { StateNode, type ToolPointer } from '../state-node.ts';
import { findLayer } from '../../../../common/document/layer-tree.ts';
import { handleAt, inRotateZone } from './resize-handles.ts';

export class MoveIdle extends StateNode {
  readonly id = 'idle';

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0) return;
    const doc = this.host.document;
    if (!doc) return;
    // a press on a transform handle scales the selected layer
    const target = this.host.transformTarget();
    const handle = target ? handleAt(target.rect, p.canvas, this.host.zoom) : null;
    if (target && handle) {
      this.parent!.transition('resizing', { id: target.id, handle, start: target.rect });
      return;
    }
    // just outside a corner: free transform, turning (Enter applies it, Esc puts it back)
    if (target && inRotateZone(target.rect, p.canvas, this.host.zoom) && this.host.freeTransformTarget()?.id === target.id) {
      this.host.beginFreeTransform(p);
      return;
    }
    const hit = this.host.hitTest(p.canvas);
    if (!hit) {
      if (!p.shiftKey) this.host.select([]);
      return;
    }
    let ids: string[];
    const sel = this.host.selection;
    if (p.shiftKey) ids = sel.includes(hit.id) ? sel.filter((id) => id !== hit.id) : [...sel, hit.id];
    else ids = sel.includes(hit.id) ? [...sel] : [hit.id];
    this.host.select(ids);
    const movable = ids.filter((id) => {
      const loc = findLayer(doc.layers, id);
      return loc && !loc.layer.locked;
    });
    if (movable.length && ids.includes(hit.id) && !hit.locked) {
      this.parent!.transition('dragging', { origin: p.canvas, ids: movable });
    }
  }
}
