// L: freehand lasso selection (Shift adds, Alt subtracts, both intersect).
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { LassoIdle } from './idle.ts';
import { LassoDrawing } from './drawing.ts';

export class LassoTool extends ToolNode {
  readonly id = 'lasso';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [LassoIdle, LassoDrawing]);
  }
}
