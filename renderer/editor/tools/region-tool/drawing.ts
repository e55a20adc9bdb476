import { StateNode, type ToolPointer } from '../state-node.ts';
import { clampRectToCanvas, rectFromPoints, type Point, type Rect } from '../../geometry.ts';

/** Smallest box (canvas px) that counts as a region rather than a click. */
export const MIN_REGION_SIDE = 4;

export class RegionDrawing extends StateNode {
  readonly id = 'drawing';
  private origin: Point = { x: 0, y: 0 };
  private rect: Rect | null = null;

  onEnter(info?: unknown): void {
    this.origin = (info as { origin: Point }).origin;
    this.rect = null;
  }

  /** The box from the origin to `p`; Shift makes it square. */
  boxTo(p: ToolPointer): Rect | null {
    const doc = this.host.document;
    if (!doc) return null;
    let end = p.canvas;
    if (p.shiftKey) {
      const s = Math.max(Math.abs(end.x - this.origin.x), Math.abs(end.y - this.origin.y));
      end = { x: this.origin.x + Math.sign(end.x - this.origin.x || 1) * s, y: this.origin.y + Math.sign(end.y - this.origin.y || 1) * s };
    }
    return clampRectToCanvas(rectFromPoints(this.origin, end), doc.width, doc.height);
  }

  onPointerMove(p: ToolPointer): void {
    this.rect = this.boxTo(p);
    this.host.setPreview(this.rect ? { kind: 'box', rect: this.rect } : null);
  }

  onPointerUp(p: ToolPointer): void {
    const rect = this.boxTo(p) ?? this.rect;
    this.host.setPreview(null);
    if (rect && rect.width >= MIN_REGION_SIDE && rect.height >= MIN_REGION_SIDE) this.host.commitRegionBox(rect);
    else {
      const hit = this.host.hitTest(p.canvas);
      this.host.select(hit ? [hit.id] : []);
    }
    this.parent!.transition('idle');
  }

  onCancel(): void {
    this.backToIdle();
  }
}
