import { StateNode, type ToolPointer } from '../state-node.ts';
import { rectFromPoints, type Point } from '../../geometry.ts';
import type { SelectionMode, SelectionShape } from '../../pixels/selection-mask.ts';

/** Dragging out a rectangle or ellipse (Shift after the press: a square / circle); a click without a drag deselects. */
export class MarqueeDragging extends StateNode {
  readonly id = 'dragging';
  private start: Point = { x: 0, y: 0 };
  private mode: SelectionMode = 'replace';
  private shape: SelectionShape | null = null;

  onEnter(info?: unknown): void {
    const { start, mode } = info as { start: Point; mode: SelectionMode };
    this.start = start;
    this.mode = mode;
    this.shape = null;
  }

  onPointerMove(p: ToolPointer): void {
    let end = p.canvas;
    if (p.shiftKey && this.mode === 'replace') {
      const s = Math.max(Math.abs(end.x - this.start.x), Math.abs(end.y - this.start.y));
      end = { x: this.start.x + Math.sign(end.x - this.start.x || 1) * s, y: this.start.y + Math.sign(end.y - this.start.y || 1) * s };
    }
    const rect = rectFromPoints(this.start, end);
    const shape: SelectionShape = { type: this.host.marqueeShape, rect };
    this.shape = shape;
    this.host.setPreview({ kind: 'select', shape });
  }

  onPointerUp(): void {
    const shape = this.shape;
    this.host.setPreview(null);
    if (shape && shape.type !== 'lasso' && shape.rect.width >= 1 && shape.rect.height >= 1) this.host.commitSelection(shape, this.mode);
    else if (this.mode === 'replace') this.host.commitSelection(null, 'replace');
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.backToIdle();
  }
}
