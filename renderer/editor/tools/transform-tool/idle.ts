import { StateNode, type ToolPointer } from '../state-node.ts';
import { centre, rotateAbout } from '../../pixels/affine-transform.ts';
import { handleAt } from '../move-tool/resize-handles.ts';
import type { TransformTool } from './transform-tool.ts';

/** Waiting for a press: on a handle it scales, inside the box it moves, outside it turns. */
export class TransformIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    const tool = this.parent as TransformTool;
    const s = tool.session;
    if (p.button !== 0 || !s) return;
    const { box, angle } = s.t;
    // the press in the box's own (unturned) frame
    const q = rotateAbout(p.canvas, centre(box), -angle);
    const handle = handleAt(box, q, this.host.zoom);
    if (handle) return tool.transition('scaling', { start: s.t, handle });
    const inside = q.x >= box.x && q.x <= box.x + box.width && q.y >= box.y && q.y <= box.y + box.height;
    tool.transition(inside ? 'moving' : 'rotating', { start: s.t, from: p.canvas });
  }
}
