import type { ToolPointer } from '../state-node.ts';
import { centre, snapAngle, type BoxTransform } from '../../pixels/affine-transform.ts';
import { TransformGesture, type GestureInfo } from './gesture.ts';

/** Dragging outside the box turns it about its centre by the angle the pointer sweeps; Shift snaps to 15°. */
export class TransformRotating extends TransformGesture {
  readonly id = 'rotating';
  protected next({ start, from }: GestureInfo, p: ToolPointer): BoxTransform {
    const c = centre(start.box);
    const angle = start.angle + Math.atan2(p.canvas.y - c.y, p.canvas.x - c.x) - Math.atan2(from.y - c.y, from.x - c.x);
    return { ...start, angle: p.shiftKey ? snapAngle(angle) : angle };
  }
}
