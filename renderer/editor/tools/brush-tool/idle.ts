import { StateNode, type ToolPointer } from '../state-node.ts';

/** Brush or eraser, waiting: a press starts a stroke (the tool's id says which). */
export class PaintIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    if (p.altKey && this.parent!.id === 'brush') {
      this.host.pickColor(p.canvas); // Alt+click: the eyedropper, as in Photoshop
      return;
    }
    this.parent!.transition('painting', p);
  }
}
