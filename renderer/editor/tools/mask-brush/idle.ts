import { StateNode, type ToolPointer } from '../state-node.ts';

export class MaskIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    this.parent!.transition('painting', { start: p.canvas, erase: p.altKey });
  }
}
