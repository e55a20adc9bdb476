import { StateNode, type ToolPointer } from '../state-node.ts';
import { clampRectToCanvas, rectFromPoints, type Point, type Rect } from '../../geometry.ts';

/** Smallest side (canvas px) of a word box; less is a click, which clears the box. */
export const MIN_WORD_BOX_SIDE = 2;

/** Dragging out the word box (whole canvas pixels, inside the canvas), shown as it grows. */
export class WordBoxDrawing extends StateNode {
  readonly id = 'drawing';
  private origin: Point = { x: 0, y: 0 };
  private before: Rect | null = null;
  private rect: Rect | null = null;

  onEnter(info?: unknown): void {
    ({ origin: this.origin, before: this.before } = info as { origin: Point; before: Rect | null });
    this.rect = null;
  }

  private boxTo(p: ToolPointer): Rect | null {
    const doc = this.host.document;
    if (!doc) return null;
    const r = clampRectToCanvas(rectFromPoints(this.origin, p.canvas), doc.width, doc.height);
    return r && r.width >= MIN_WORD_BOX_SIDE && r.height >= MIN_WORD_BOX_SIDE ? r : null;
  }

  onPointerMove(p: ToolPointer): void {
    this.rect = this.boxTo(p);
    if (this.rect) this.host.setWordBox(this.rect);
  }

  onPointerUp(p: ToolPointer): void {
    this.host.setWordBox(this.boxTo(p) ?? this.rect);
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.host.setWordBox(this.before);
    this.parent!.transition('idle');
  }
}
