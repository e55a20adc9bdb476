import { StateNode, type ToolPointer } from '../state-node.ts';
import type { PaintStroke, StrokePoint } from '../../pixels/brush.ts';

/** A stroke in progress: points gather (with pen pressure) into the preview; release commits one undo step. */
export class PaintPainting extends StateNode {
  readonly id = 'painting';
  private stroke: PaintStroke | null = null;

  private point(p: ToolPointer): StrokePoint {
    return p.pressure === undefined ? { x: p.canvas.x, y: p.canvas.y } : { x: p.canvas.x, y: p.canvas.y, pressure: p.pressure };
  }

  onEnter(info?: unknown): void {
    const p = info as ToolPointer;
    this.stroke = { points: [this.point(p)], brush: { ...this.host.brush }, erase: this.parent!.id === 'eraser' };
    this.host.setPreview({ kind: 'paint', stroke: this.stroke });
  }

  onPointerMove(p: ToolPointer): void {
    if (!this.stroke) return;
    const last = this.stroke.points[this.stroke.points.length - 1];
    // the coverage kernel fills between points; keep them about an eighth of the size apart
    if (Math.hypot(p.canvas.x - last.x, p.canvas.y - last.y) < Math.max(1, this.stroke.brush.size / 8)) return;
    this.stroke = { ...this.stroke, points: [...this.stroke.points, this.point(p)] };
    this.host.setPreview({ kind: 'paint', stroke: this.stroke });
  }

  onPointerUp(p: ToolPointer): void {
    const stroke = this.stroke;
    this.stroke = null;
    if (stroke) {
      const last = stroke.points[stroke.points.length - 1];
      if (p && (p.canvas.x !== last.x || p.canvas.y !== last.y)) stroke.points.push(this.point(p));
      this.host.commitPaintStroke(stroke);
    } else this.host.setPreview(null);
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.stroke = null;
    this.backToIdle();
  }
}
