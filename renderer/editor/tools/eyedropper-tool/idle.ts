import { StateNode, type ToolPointer } from '../state-node.ts';

/** Click picks the colour under the pointer; dragging keeps picking (the sampling state). */
export class EyedropperIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    this.host.pickColor(p.canvas);
    this.parent!.transition('sampling');
  }
}
