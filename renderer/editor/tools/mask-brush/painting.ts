import { StateNode, type ToolPointer } from '../state-node.ts';
import type { Point } from '../../geometry.ts';
import type { MaskStroke } from '../../editor-state.ts';

export class MaskPainting extends StateNode {
  readonly id = 'painting';
  private stroke: MaskStroke | null = null;

  onEnter(info?: unknown): void {
    const { start, erase } = info as { start: Point; erase: boolean };
    this.stroke = { points: [start], radius: this.host.brushSize / 2, erase };
    this.host.setPreview({ kind: 'stroke', stroke: this.stroke });
  }

  onPointerMove(p: ToolPointer): void {
    if (!this.stroke) return;
    const last = this.stroke.points[this.stroke.points.length - 1];
    // keep points about a quarter radius apart: smooth enough, small enough
    if (Math.hypot(p.canvas.x - last.x, p.canvas.y - last.y) < Math.max(1, this.stroke.radius / 4)) return;
    this.stroke = { ...this.stroke, points: [...this.stroke.points, p.canvas] };
    this.host.setPreview({ kind: 'stroke', stroke: this.stroke });
  }

  onPointerUp(): void {
    const stroke = this.stroke;
    this.stroke = null;
    if (stroke) this.host.commitMaskStroke(stroke);
    else this.host.setPreview(null);
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.stroke = null;
    this.backToIdle();
  }
}
