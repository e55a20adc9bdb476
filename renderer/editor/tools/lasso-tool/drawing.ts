import { StateNode, type ToolPointer } from '../state-node.ts';
import type { Point } from '../../geometry.ts';
import type { SelectionMode } from '../../pixels/selection-mask.ts';

/** Drawing a freehand outline; release closes it back to the start and selects inside. */
export class LassoDrawing extends StateNode {
  readonly id = 'drawing';
  private points: Point[] = [];
  private mode: SelectionMode = 'replace';

  onEnter(info?: unknown): void {
    const { start, mode } = info as { start: Point; mode: SelectionMode };
    this.points = [start];
    this.mode = mode;
  }

  onPointerMove(p: ToolPointer): void {
    const last = this.points[this.points.length - 1];
    if (Math.hypot(p.canvas.x - last.x, p.canvas.y - last.y) * this.host.zoom < 2) return;
    this.points = [...this.points, p.canvas];
    this.host.setPreview({ kind: 'select', shape: { type: 'lasso', points: this.points } });
  }

  onPointerUp(): void {
    const points = this.points;
    this.points = [];
    this.host.setPreview(null);
    if (points.length >= 3) this.host.commitSelection({ type: 'lasso', points }, this.mode);
    else if (this.mode === 'replace') this.host.commitSelection(null, 'replace');
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.points = [];
    this.backToIdle();
  }
}
