import { StateNode, type ToolPointer } from '../state-node.ts';

export class HandIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    this.parent!.transition('panning', { origin: p.screen });
  }
}
