// M: draw a region box; it becomes a region layer at the front of the stack.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { RegionIdle } from './idle.ts';
import { RegionDrawing } from './drawing.ts';

export class RegionTool extends ToolNode {
  readonly id = 'region';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [RegionIdle, RegionDrawing]);
  }
}
