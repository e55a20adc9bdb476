import type { ToolPointer } from '../state-node.ts';
import type { Point, Rect } from '../../geometry.ts';
import { movedBox } from '../../layer-boxes.ts';
import { DRAG_SLOP } from '../move-tool/dragging.ts';
import { LayerBoxGesture } from './box-gesture.ts';

interface MoveInfo {
  index: number;
  origin: Point;
  start: Rect;
}

/** Dragging a box (kept inside the canvas); a click without a drag only selects it. */
export class LayersMoving extends LayerBoxGesture<MoveInfo> {
  readonly id = 'moving';

  protected boxFor(info: MoveInfo, p: ToolPointer, canvas: { width: number; height: number }, moved: boolean): Rect | null {
    const dx = p.canvas.x - info.origin.x, dy = p.canvas.y - info.origin.y;
    if (!moved && Math.hypot(dx, dy) * this.host.zoom < DRAG_SLOP) return null;
    return movedBox(info.start, dx, dy, canvas);
  }
}
