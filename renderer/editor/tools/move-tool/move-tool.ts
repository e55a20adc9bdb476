// V: select the top visible layer under the pointer and drag it, snapping to edges; drag
// a transform handle of the selected layer to scale it, or just outside a corner to turn
// it (that starts free transform: tools/transform-tool/).
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { MoveIdle } from './idle.ts';
import { MoveDragging } from './dragging.ts';
import { MoveResizing } from './resizing.ts';

export class MoveTool extends ToolNode {
  readonly id = 'move';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [MoveIdle, MoveDragging, MoveResizing]);
  }
}
