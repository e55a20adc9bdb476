import { StateNode, type ToolPointer } from '../state-node.ts';
import { rectFromPoints, roundRect, type Point, type Rect } from '../../geometry.ts';
import type { CropTool } from './crop-tool.ts';

/** Dragging out a new crop box (whole pixels); a click without a drag keeps the old box. */
export class CropDrawing extends StateNode {
  readonly id = 'drawing';
  private start: Point = { x: 0, y: 0 };
  private before: Rect | null = null;

  onEnter(info?: unknown): void {
    ({ start: this.start, before: this.before } = info as { start: Point; before: Rect | null });
  }

  onPointerMove(p: ToolPointer): void {
    const r = roundRect(rectFromPoints(this.start, p.canvas));
    if (r.width >= 1 && r.height >= 1) (this.parent as CropTool).setBox(r);
  }

  onPointerUp(): void {
    this.parent!.transition('idle');
  }

  onCancel(): void {
    (this.parent as CropTool).setBox(this.before);
    this.parent!.transition('idle');
  }
}
