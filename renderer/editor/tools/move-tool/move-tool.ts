// V: select the top visible layer under the pointer and drag it, snapping to edges.
import { StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { MoveIdle } from './idle.ts';
import { MoveDragging } from './dragging.ts';

export class MoveTool extends StateNode {
  readonly id = 'move';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent);
    this.addChild(new MoveIdle(host, this)).addChild(new MoveDragging(host, this));
    this.initial = 'idle';
  }
}
