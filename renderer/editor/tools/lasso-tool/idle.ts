import { StateNode, type ToolPointer } from '../state-node.ts';
import { modeFor } from '../../pixels/selection-mask.ts';

export class LassoIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    this.parent!.transition('drawing', { start: p.canvas, mode: modeFor(p) });
  }
}
