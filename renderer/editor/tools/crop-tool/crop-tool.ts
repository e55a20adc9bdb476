// C: crop. The box starts as the whole canvas; drag its handles to adjust it or drag a new
// box anywhere off the handles; Enter crops the canvas to it (one undo step, through the
// same command as Image > Crop), Esc drops the box.
import { ToolNode, type StateNode } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import type { Rect } from '../../geometry.ts';
import { CropIdle } from './idle.ts';
import { CropDrawing } from './drawing.ts';
import { CropAdjusting } from './adjusting.ts';

export class CropTool extends ToolNode {
  readonly id = 'crop';
  /** the crop box (canvas px, whole pixels); null when none */
  box: Rect | null = null;

  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [CropIdle, CropDrawing, CropAdjusting]);
  }

  /** a temporary pan is under way: the box waits for it */
  private paused = false;

  onPause(): boolean {
    if (this.current?.id !== 'idle') this.dispatch('onCancel'); // a half-done drag is put back
    this.paused = !!this.box;
    return this.paused;
  }

  onEnter(): void {
    const doc = this.host.document;
    const kept = this.paused ? this.box : null;
    this.paused = false;
    this.setBox(kept ?? (doc ? { x: 0, y: 0, width: doc.width, height: doc.height } : null));
  }

  setBox(box: Rect | null): void {
    this.box = box;
    this.host.setPreview(box ? { kind: 'crop', rect: box } : null);
  }

  onCommit(): boolean {
    const box = this.box;
    if (!box) return false;
    this.box = null;
    this.host.commitCrop(box);
    // the box stays shown until the crop lands; then the new canvas is the box
    return true;
  }

  onCancel(): void {
    this.setBox(null);
  }

  onExit(): void {
    if (!this.paused) this.setBox(null);
  }
}
