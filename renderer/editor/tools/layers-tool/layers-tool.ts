// A: the Layers tool (ART, issue 17): draw anonymous boxes (no prompt each), then one
// prompt in the Generate Layers panel makes a background and one transparent layer per
// box. Drag a box to move it, its handles to resize it, Delete removes the selected one,
// Alt+drag draws a new box over an existing one. The boxes are the tool's state
// (../../layer-boxes.ts), undoable; they are not document layers.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import { LayersIdle } from './idle.ts';
import { LayersDrawing } from './drawing.ts';
import { LayersMoving } from './moving.ts';
import { LayersResizing } from './resizing.ts';

export class LayersTool extends ToolNode {
  readonly id = 'layers';
  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [LayersIdle, LayersDrawing, LayersMoving, LayersResizing]);
  }

  onExit(): void {
    this.host.selectLayerBox(null);
  }
}
