import type { ToolPointer } from '../state-node.ts';
import type { BoxTransform } from '../../pixels/affine-transform.ts';
import { TransformGesture, type GestureInfo } from './gesture.ts';

/** Dragging inside the box moves it (whole pixels). */
export class TransformMoving extends TransformGesture {
  readonly id = 'moving';
  protected next({ start, from }: GestureInfo, p: ToolPointer): BoxTransform {
    const dx = Math.round(p.canvas.x - from.x), dy = Math.round(p.canvas.y - from.y);
    return { ...start, box: { ...start.box, x: start.box.x + dx, y: start.box.y + dy } };
  }
}
