import { StateNode, type ToolPointer } from '../state-node.ts';
import type { Point, Rect } from '../../geometry.ts';

interface DragInfo {
  origin: Point;
  ids: string[];
}

/** Pixels of pointer travel (in screen px) before a press becomes a drag. */
export const DRAG_SLOP = 3;

export class MoveDragging extends StateNode {
  readonly id = 'dragging';
  private info: DragInfo | null = null;
  private start: Rect | null = null;
  private delta = { dx: 0, dy: 0 };
  private started = false;
  private noSnap = false;

  onEnter(info?: unknown): void {
    this.info = info as DragInfo;
    this.start = this.host.boundsOf(this.info.ids);
    this.delta = { dx: 0, dy: 0 };
    this.started = false;
  }

  onPointerMove(p: ToolPointer): void {
    if (!this.info) return;
    let dx = p.canvas.x - this.info.origin.x;
    let dy = p.canvas.y - this.info.origin.y;
    if (!this.started && Math.hypot(dx, dy) * this.host.zoom < DRAG_SLOP) return;
    if (!this.started) this.host.placementDragStarted?.(this.info.ids);
    this.started = true;
    if (p.shiftKey) {
      // constrain to one axis
      if (Math.abs(dx) > Math.abs(dy)) dy = 0;
      else dx = 0;
    }
    dx = Math.round(dx);
    dy = Math.round(dy);
    let guidesX: number[] = [];
    let guidesY: number[] = [];
    if (this.start && !p.modKey) {
      const s = this.host.snapMove({ ...this.start, x: this.start.x + dx, y: this.start.y + dy }, this.info.ids);
      dx = Math.round(dx + s.dx);
      dy = Math.round(dy + s.dy);
      guidesX = s.guidesX;
      guidesY = s.guidesY;
    }
    this.delta = { dx, dy };
    this.noSnap = p.modKey;
    this.host.setPreview({ kind: 'move', ids: this.info.ids, dx, dy, guidesX, guidesY });
  }

  onPointerUp(): void {
    const info = this.info;
    let { dx, dy } = this.delta;
    this.info = null;
    // release near a placement hot spot snaps there (Ctrl/Cmd-drag skips snapping)
    if (info && this.started && this.host.placementRelease && !this.noSnap) ({ dx, dy } = this.host.placementRelease(info.ids, dx, dy));
    if (info && this.started && (dx !== 0 || dy !== 0)) this.host.commitMove(info.ids, dx, dy);
    else this.host.setPreview(null);
    this.parent!.transition('idle');
  }

  onCancel(): void {
    if (this.info && this.started) this.host.placementRelease?.([], 0, 0); // hides the overlay
    this.info = null;
    this.backToIdle();
  }
}
