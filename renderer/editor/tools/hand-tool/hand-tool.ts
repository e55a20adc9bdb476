// H (or Space / the middle button from any tool): drag the view. Entered from another tool
// for one gesture, it hands back to that tool when the button comes up.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { HandIdle } from './idle.ts';
import { HandPanning } from './panning.ts';

export class HandTool extends ToolNode {
  readonly id = 'hand';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [HandIdle, HandPanning]);
  }
}
