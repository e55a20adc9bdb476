import type { ToolPointer } from '../state-node.ts';
import { clampRectToCanvas, type Rect } from '../../geometry.ts';
import { resizeBox, type Handle } from '../move-tool/resize-handles.ts';
import { LayerBoxGesture } from './box-gesture.ts';

interface ResizeInfo {
  index: number;
  handle: Handle;
  start: Rect;
}

/** Dragging a handle of the selected box (the move tool's handles: corners keep the aspect ratio). */
export class LayersResizing extends LayerBoxGesture<ResizeInfo> {
  readonly id = 'resizing';

  protected boxFor(info: ResizeInfo, p: ToolPointer, canvas: { width: number; height: number }): Rect | null {
    return clampRectToCanvas(resizeBox(info.start, info.handle, p.canvas), canvas.width, canvas.height);
  }
}
