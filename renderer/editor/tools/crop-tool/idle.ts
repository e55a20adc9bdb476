import { StateNode, type ToolPointer } from '../state-node.ts';
import { handleAt } from '../move-tool/resize-handles.ts';
import type { CropTool } from './crop-tool.ts';

/** A press on a handle of the crop box adjusts it; anywhere else draws a new box. */
export class CropIdle extends StateNode {
  readonly id = 'idle';
  onPointerDown(p: ToolPointer): void {
    const tool = this.parent as CropTool;
    if (p.button !== 0 || !this.host.document) return;
    const handle = tool.box ? handleAt(tool.box, p.canvas, this.host.zoom) : null;
    if (tool.box && handle) tool.transition('adjusting', { start: tool.box, handle });
    else tool.transition('drawing', { start: p.canvas, before: tool.box });
  }
}
