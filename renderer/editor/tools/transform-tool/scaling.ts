import type { ToolPointer } from '../state-node.ts';
import { centre, rotateAbout, type BoxTransform } from '../../pixels/affine-transform.ts';
import { resizeBox } from '../move-tool/resize-handles.ts';
import { roundRect } from '../../geometry.ts';
import { TransformGesture, type GestureInfo } from './gesture.ts';

/** Dragging a handle: the opposite side stays put (also when the box is turned); Shift keeps the ratio. */
export class TransformScaling extends TransformGesture {
  readonly id = 'scaling';
  protected next({ start, handle }: GestureInfo, p: ToolPointer): BoxTransform {
    const c0 = centre(start.box);
    const raw = resizeBox(start.box, handle!, rotateAbout(p.canvas, c0, -start.angle), p.shiftKey);
    // an unturned box keeps to whole pixels, like the move tool's handles
    const local = start.angle ? raw : roundRect(raw);
    // the new box was made in the old box's frame: turn its centre back onto the canvas
    const c1 = rotateAbout(centre(local), c0, start.angle);
    return { ...start, box: { x: c1.x - local.width / 2, y: c1.y - local.height / 2, width: local.width, height: local.height } };
  }
}
