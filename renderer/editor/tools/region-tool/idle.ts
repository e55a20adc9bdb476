import { StateNode, type ToolPointer } from '../state-node.ts';

export class RegionIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    this.parent!.transition('drawing', { origin: p.canvas });
  }
}
