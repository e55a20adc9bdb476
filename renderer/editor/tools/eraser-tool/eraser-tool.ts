// E: take alpha away from the selected raster layer (on its mask: paint it black), with the
// brush's size, hardness and opacity. The same states as the brush; the tool id says erase.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { PaintIdle } from '../brush-tool/idle.ts';
import { PaintPainting } from '../brush-tool/painting.ts';

export class EraserTool extends ToolNode {
  readonly id = 'eraser';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [PaintIdle, PaintPainting]);
  }
}
