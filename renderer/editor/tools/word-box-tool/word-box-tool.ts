// The Edit Text panel's box (Shift+T opens the panel and this tool): drag a box around the
// word on the layer; the text edit changes only the pixels inside it. A click without a
// drag clears the box (the whole layer may change); Esc during a drag keeps the old box.
// The box belongs to the open text edit (editor state `wordBox`), not to the tool: it
// stays when the tool changes and goes when the panel closes.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { WordBoxIdle } from './idle.ts';
import { WordBoxDrawing } from './drawing.ts';

export class WordBoxTool extends ToolNode {
  readonly id = 'word-box';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [WordBoxIdle, WordBoxDrawing]);
  }
}
