// Dragging a transform handle of the selected layer: the box follows the handle (snapping
// its moving edges), shown as a 'transform' preview; the release commits one undo step.
import type { Rect } from '../../geometry.ts';
import { StateNode, type ToolPointer } from '../state-node.ts';
import { resizeBox, type Handle } from './resize-handles.ts';

export interface ResizeInfo {
  id: string;
  handle: Handle;
  /** the layer's box when the press began (canvas px) */
  start: Rect;
}

export class MoveResizing extends StateNode {
  readonly id = 'resizing';
  private info: ResizeInfo | null = null;
  private box: Rect | null = null;

  onEnter(info?: unknown): void {
    this.info = info as ResizeInfo;
    this.box = null;
  }

  onPointerMove(p: ToolPointer): void {
    if (!this.info) return;
    const { id, handle, start } = this.info;
    const raw = resizeBox(start, handle, p.canvas);
    const s = p.modKey ? { box: raw, guidesX: [], guidesY: [] } : this.host.snapResize(start, raw, id);
    this.box = s.box;
    this.host.setPreview({ kind: 'transform', id, rect: s.box, guidesX: s.guidesX, guidesY: s.guidesY });
  }

  onPointerUp(): void {
    const info = this.info;
    const box = this.box;
    this.info = null;
    if (!info || !box) return this.backToIdle();
    this.host.commitTransform(info.id, box);
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.info = null;
    this.backToIdle();
  }
}
