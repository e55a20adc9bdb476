// B: paint a region mask. A stroke extends the selected mask region (Alt erases from
// it) or, with no mask region selected, starts a new one at the front.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { MaskIdle } from './idle.ts';
import { MaskPainting } from './painting.ts';

export class MaskBrushTool extends ToolNode {
  readonly id = 'mask';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [MaskIdle, MaskPainting]);
  }
}
