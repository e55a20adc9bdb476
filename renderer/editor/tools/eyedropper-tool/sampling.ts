import { StateNode, type ToolPointer } from '../state-node.ts';

export class EyedropperSampling extends StateNode {
  readonly id = 'sampling';
  onPointerMove(p: ToolPointer): void {
    this.host.pickColor(p.canvas);
  }
  onPointerUp(): void {
    this.parent!.transition('idle');
  }
  onCancel(): void {
    this.parent!.transition('idle');
  }
}
