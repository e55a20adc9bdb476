import { StateNode, type ToolPointer } from '../state-node.ts';
import { modeFor } from '../../pixels/selection-mask.ts';

export class MarqueeIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    this.parent!.transition('dragging', { start: p.canvas, mode: modeFor(p) });
  }
}
