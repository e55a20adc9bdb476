// The root of the tool tree: one child per tool (V, M, B).
import { StateNode } from './state-node.ts';
import type { ToolHost } from './tool-host.ts';
import { MoveTool } from './move-tool/move-tool.ts';
import { RegionTool } from './region-tool/region-tool.ts';
import { MaskBrushTool } from './mask-brush/mask-brush-tool.ts';

export type ToolId = 'move' | 'region' | 'mask';

export class RootTool extends StateNode {
  readonly id = 'root';
  constructor(host: ToolHost) {
    super(host, null);
    this.addChild(new MoveTool(host, this)).addChild(new RegionTool(host, this)).addChild(new MaskBrushTool(host, this));
    this.initial = 'move';
  }
  setTool(id: ToolId): void {
    if (this.current?.id === id) return;
    this.dispatch('onCancel');
    this.transition(id);
  }
  get toolId(): ToolId {
    return (this.current?.id ?? 'move') as ToolId;
  }
}
