// T: click on the canvas to place a text layer and type; click on a text layer to edit it.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { TextIdle } from './idle.ts';

export class TextTool extends ToolNode {
  readonly id = 'text';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [TextIdle]);
  }
}
