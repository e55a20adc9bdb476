import type { ToolPointer } from '../state-node.ts';
import { MIN_REGION_SIDE, RegionDrawing } from '../region-tool/drawing.ts';

/** Dragging out a new box (as the region tool does; Shift: a square); a click draws nothing. */
export class LayersDrawing extends RegionDrawing {
  onPointerUp(p: ToolPointer): void {
    const rect = this.boxTo(p);
    if (rect && rect.width >= MIN_REGION_SIDE && rect.height >= MIN_REGION_SIDE) this.host.commitLayerBox(null, rect);
    else this.host.setPreview(null);
    this.parent!.transition('idle');
  }
}
