// I: the colour the visible layers show under the pointer becomes the brush colour.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { EyedropperIdle } from './idle.ts';
import { EyedropperSampling } from './sampling.ts';

export class EyedropperTool extends ToolNode {
  readonly id = 'eyedropper';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [EyedropperIdle, EyedropperSampling]);
  }
}
