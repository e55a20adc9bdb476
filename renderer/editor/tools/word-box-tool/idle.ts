import { StateNode, type ToolPointer } from '../state-node.ts';

/** A press on the canvas starts a new word box. */
export class WordBoxIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    this.parent!.transition('drawing', { origin: p.canvas, before: this.host.wordBox });
  }
}
