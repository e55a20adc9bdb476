import { StateNode, type ToolPointer } from '../state-node.ts';
import { boxAt } from '../../layer-boxes.ts';
import { handleAt } from '../move-tool/resize-handles.ts';

export class LayersIdle extends StateNode {
  readonly id = 'idle';

  onPointerDown(p: ToolPointer): void {
    if (p.button !== 0 || !this.host.document) return;
    const boxes = this.host.layerBoxes;
    const sel = this.host.selectedLayerBox;
    const selected = sel !== null ? boxes[sel] : undefined;
    // a handle of the selected box resizes it; a press inside a box moves it (Alt: draw anyway)
    const handle = selected && !p.altKey ? handleAt(selected, p.canvas, this.host.zoom) : null;
    if (sel !== null && selected && handle) {
      this.parent!.transition('resizing', { index: sel, handle, start: selected });
      return;
    }
    const hit = p.altKey ? null : boxAt(boxes, p.canvas);
    if (hit !== null) {
      this.host.selectLayerBox(hit);
      this.parent!.transition('moving', { index: hit, origin: p.canvas, start: boxes[hit] });
      return;
    }
    this.host.selectLayerBox(null);
    this.parent!.transition('drawing', { origin: p.canvas });
  }

  /** Esc: drop the handles. */
  onCancel(): boolean | void {
    if (this.host.selectedLayerBox === null) return false;
    this.host.selectLayerBox(null);
  }
}
