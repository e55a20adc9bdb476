// The root of the tool tree: one child per tool (V, M, B, H, A, ..., Ctrl+T free transform, C crop, the Edit Text panel's word box). The middle button, or the
// left one while Space is held, pans from any tool (a temporary hand tool).
import { StateNode } from './state-node.ts';
import type { ToolHost } from './tool-host.ts';
import { MoveTool } from './move-tool/move-tool.ts';
import { RegionTool } from './region-tool/region-tool.ts';
import { MaskBrushTool } from './mask-brush/mask-brush-tool.ts';
import { HandTool } from './hand-tool/hand-tool.ts';
import { BrushTool } from './brush-tool/brush-tool.ts';
import { EraserTool } from './eraser-tool/eraser-tool.ts';
import { EyedropperTool } from './eyedropper-tool/eyedropper-tool.ts';
import { MarqueeTool } from './marquee-tool/marquee-tool.ts';
import { LassoTool } from './lasso-tool/lasso-tool.ts';
import { TextTool } from './text-tool/text-tool.ts';
import { TransformTool } from './transform-tool/transform-tool.ts';
import { CropTool } from './crop-tool/crop-tool.ts';
import { LayersTool } from './layers-tool/layers-tool.ts';
import { WordBoxTool } from './word-box-tool/word-box-tool.ts';
import type { ToolEvent, ToolPointer } from './state-node.ts';

export type ToolId = 'move' | 'region' | 'mask' | 'hand' | 'brush' | 'eraser' | 'eyedropper' | 'marquee' | 'lasso' | 'text' | 'transform' | 'crop' | 'layers' | 'word-box';

export class RootTool extends StateNode {
  readonly id = 'root';
  constructor(host: ToolHost) {
    super(host, null);
    this.addChild(new MoveTool(host, this)).addChild(new RegionTool(host, this)).addChild(new MaskBrushTool(host, this)).addChild(new HandTool(host, this));
    for (const T of [BrushTool, EraserTool, EyedropperTool, MarqueeTool, LassoTool, TextTool, TransformTool, CropTool, LayersTool, WordBoxTool]) this.addChild(new T(host, this));
    this.initial = 'move';
  }
  /** Switch tools (what was in progress is cancelled); `info` goes to the new tool's onEnter. */
  setTool(id: ToolId, info?: unknown): void {
    if (this.current?.id === id) return;
    this.dispatch('onCancel');
    if (this.current?.id === id) return; // cancelling handed back to it already
    this.transition(id, info);
  }
  dispatch(event: ToolEvent, p?: ToolPointer): boolean {
    const pan = event === 'onPointerDown' && p && (p.button === 1 || (p.button === 0 && this.host.spacePan));
    if (pan && this.current?.id !== 'hand') {
      const resume = this.toolId;
      if (!this.current?.onPause?.()) super.dispatch('onCancel');
      this.transition('hand');
      this.current!.transition('panning', { origin: p.screen, resume });
      return true;
    }
    return super.dispatch(event, p);
  }
  get toolId(): ToolId {
    return (this.current?.id ?? 'move') as ToolId;
  }
}
