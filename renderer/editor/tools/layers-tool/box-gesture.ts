import { StateNode, type ToolPointer } from '../state-node.ts';
import type { Rect } from '../../geometry.ts';

/** A drag that changes box `index` of the Layers tool (moving, resizing): the box follows
 * the pointer as a 'layer-box' preview; the release commits it (one undo step), Esc drops it. */
export abstract class LayerBoxGesture<Info extends { index: number }> extends StateNode {
  private info: Info | null = null;
  private rect: Rect | null = null;

  /** The box for this pointer position; null: nothing to show yet (e.g. within the drag slop). */
  protected abstract boxFor(info: Info, p: ToolPointer, canvas: { width: number; height: number }, moved: boolean): Rect | null;

  onEnter(info?: unknown): void {
    this.info = info as Info;
    this.rect = null;
  }

  onPointerMove(p: ToolPointer): void {
    const doc = this.host.document;
    if (!this.info || !doc) return;
    const rect = this.boxFor(this.info, p, doc, this.rect !== null);
    if (!rect) return;
    this.rect = rect;
    this.host.setPreview({ kind: 'layer-box', index: this.info.index, rect });
  }

  onPointerUp(): void {
    if (this.info && this.rect) this.host.commitLayerBox(this.info.index, this.rect);
    else this.host.setPreview(null);
    this.info = null;
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.info = null;
    this.backToIdle();
  }
}
