// B: paint on the selected raster layer (or its mask) with the brush settings; Alt+click
// picks a colour. With no raster layer selected, the first stroke makes a new layer.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { PaintIdle } from './idle.ts';
import { PaintPainting } from './painting.ts';

export class BrushTool extends ToolNode {
  readonly id = 'brush';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [PaintIdle, PaintPainting]);
  }
}
