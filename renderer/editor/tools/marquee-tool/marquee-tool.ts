// M: rectangle or ellipse marquee (Shift+M switches the shape). Shift adds to the selection,
// Alt subtracts, both intersect; a click deselects.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { MarqueeIdle } from './idle.ts';
import { MarqueeDragging } from './dragging.ts';

export class MarqueeTool extends ToolNode {
  readonly id = 'marquee';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [MarqueeIdle, MarqueeDragging]);
  }
}
