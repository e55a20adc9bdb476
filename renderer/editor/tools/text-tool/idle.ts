import { StateNode, type ToolPointer } from '../state-node.ts';

export class TextIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    const hit = this.host.hitTest(p.canvas);
    if (hit && hit.kind === 'text' && !hit.locked) this.host.editText?.(hit.id);
    else this.host.placeText?.(p.canvas);
  }
}
