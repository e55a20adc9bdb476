import { StateNode, type ToolPointer } from '../state-node.ts';
import { roundRect, type Rect } from '../../geometry.ts';
import { resizeBox, type Handle } from '../move-tool/resize-handles.ts';
import type { CropTool } from './crop-tool.ts';

/** Dragging a handle of the crop box: the opposite side stays put; Shift keeps a corner's ratio. */
export class CropAdjusting extends StateNode {
  readonly id = 'adjusting';
  private info: { start: Rect; handle: Handle } | null = null;

  onEnter(info?: unknown): void {
    this.info = info as { start: Rect; handle: Handle };
  }

  onPointerMove(p: ToolPointer): void {
    if (!this.info) return;
    const r = roundRect(resizeBox(this.info.start, this.info.handle, p.canvas, p.shiftKey));
    (this.parent as CropTool).setBox({ ...r, width: Math.max(1, r.width), height: Math.max(1, r.height) });
  }

  onPointerUp(): void {
    this.info = null;
    this.parent!.transition('idle');
  }

  onCancel(): void {
    if (this.info) (this.parent as CropTool).setBox(this.info.start);
    this.info = null;
    this.parent!.transition('idle');
  }
}
