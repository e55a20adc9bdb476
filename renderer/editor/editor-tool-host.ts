// The tool host: what the tool tree (tools/) may ask of the editor. It answers from the
// store (selection, zoom, brush), the kernels (hit test, snapping, bounds) and hands the
// end of a gesture to the layer commands.
import type { Layer, LaminaDocument } from '../../common/document/document-schema.ts';
import { findLayer, walkLayers } from '../../common/document/layer-tree.ts';
import type { EditorCore } from './editor-core.ts';
import type { CanvasPreview, MaskStroke } from './editor-state.ts';
import { absoluteBounds, rectUnion, type Point, type Rect } from './geometry.ts';
import { hitTest } from './hit-test.ts';
import { layerUtil } from './layer-kinds/layer-utils.ts';
import type { LayerCommands } from './layer-commands.ts';
import type { TextCommands } from './text-commands.ts';
import { snapMove, snapResize, snapTargets, type SnapResult, type SnapTargets } from './snapping.ts';
import type { PlacementController } from './placement/placement-controller.ts';
import type { RootTool } from './tools/root-tool.ts';
import type { ToolHost } from './tools/tool-host.ts';
import { pan } from './viewport.ts';
import type { BrushSettings, PaintStroke } from './pixels/brush.ts';
import type { SelectionMode, SelectionShape } from './pixels/selection-mask.ts';
import type { PaintCommands } from './paint-commands.ts';
import type { SelectionCommands } from './selection-commands.ts';
import type { TransformCommands } from './transform-commands.ts';
import type { CanvasCommands } from './canvas-commands.ts';
import type { BoxTransform } from './pixels/affine-transform.ts';
import type { ToolPointer } from './tools/state-node.ts';
import type { LayerBoxes } from './layer-boxes.ts';

export class EditorToolHost implements ToolHost {
  /** set once the tool tree is built (the tree is built with this host) */
  tools: RootTool | null = null;
  private snapCache: { key: unknown; ids: string; targets: SnapTargets } | null = null;
  /** set by the editor once its paint and selection commands exist */
  paint: PaintCommands | null = null;
  pixelSelection: SelectionCommands | null = null;
  /** set by the editor: free transform's commit, and the crop tool's (Canvas commands) */
  transforms: TransformCommands | null = null;
  canvas: CanvasCommands | null = null;
  /** set by the editor: the Layers tool's boxes */
  boxes: LayerBoxes | null = null;

  constructor(
    private readonly core: EditorCore,
    private readonly layers: LayerCommands,
    /** snapping threshold in screen px */
    private readonly snapPx: number,
    private readonly placement?: PlacementController,
  ) {}

  /** set by the editor (the Text tool's commands) */
  text: TextCommands | null = null;
  placeText(at: Point): void {
    this.text?.beginAt(at);
  }
  editText(id: string): void {
    this.text?.beginEdit(id);
  }

  placementDragStarted(ids: readonly string[]): void {
    this.placement?.dragStarted(ids);
  }

  placementRelease(ids: readonly string[], dx: number, dy: number): { dx: number; dy: number } {
    if (!this.placement) return { dx, dy };
    const out = this.placement.snap(ids, dx, dy);
    this.placement.dragEnded();
    return out;
  }

  get document(): LaminaDocument | null {
    return this.core.document;
  }
  get selection(): readonly string[] {
    return this.core.state.selection;
  }
  get zoom(): number {
    return this.core.state.viewport.zoom;
  }
  get brushSize(): number {
    return this.core.state.brushSize;
  }
  get regionsVisible(): boolean {
    return this.core.state.regionsVisible;
  }
  get spacePan(): boolean {
    return this.core.state.spacePan;
  }

  hitTest(p: Point): Layer | null {
    const doc = this.document;
    if (!doc) return null;
    return hitTest(doc.layers, p, { regions: this.regionsVisible, alpha: this.core.pixels?.alphaAt })?.layer ?? null;
  }

  select(ids: string[]): void {
    this.core.select(ids);
  }

  setPreview(preview: CanvasPreview | null): void {
    this.core.store.set({ preview });
  }

  /** The one selected, unlocked, visible layer the move tool's handles can scale (with its canvas box). */
  transformTarget(): { id: string; rect: Rect } | null {
    const doc = this.document;
    const state = this.core.state;
    if (!doc || state.tool !== 'move' || state.selection.length !== 1) return null;
    const l = findLayer(doc.layers, state.selection[0])?.layer;
    if (!l || l.locked || !l.visible) return null;
    const util = layerUtil(l);
    if (!util.resizable(l) || !util.hittable(l, { regions: state.regionsVisible })) return null;
    const rect = absoluteBounds(doc, l.id);
    return rect ? { id: l.id, rect } : null;
  }

  private snapTargetsFor(ids: readonly string[]): SnapTargets {
    const doc = this.document!;
    const key = ids.join('|');
    if (this.snapCache && this.snapCache.key === doc && this.snapCache.ids === key) return this.snapCache.targets;
    const exclude = new Set<string>();
    for (const id of ids) {
      const loc = findLayer(doc.layers, id);
      if (loc) for (const { layer } of walkLayers([loc.layer])) exclude.add(layer.id);
    }
    const targets = snapTargets(doc, exclude);
    this.snapCache = { key: doc, ids: key, targets };
    return targets;
  }

  snapMove(box: Rect, ids: readonly string[]): SnapResult {
    if (!this.document) return { dx: 0, dy: 0, guidesX: [], guidesY: [] };
    return snapMove(box, this.snapTargetsFor(ids), this.snapPx / this.zoom);
  }

  snapResize(before: Rect, box: Rect, id: string): { box: Rect; guidesX: number[]; guidesY: number[] } {
    if (!this.document) return { box, guidesX: [], guidesY: [] };
    return snapResize(before, box, this.snapTargetsFor([id]), this.snapPx / this.zoom);
  }

  boundsOf(ids: readonly string[]): Rect | null {
    const doc = this.document;
    if (!doc) return null;
    let out: Rect | null = null;
    for (const id of ids) {
      const r = absoluteBounds(doc, id);
      if (r) out = out ? rectUnion(out, r) : r;
    }
    return out;
  }

  commitMove(ids: readonly string[], dx: number, dy: number): void {
    this.layers.commitMove(ids, dx, dy);
  }
  commitRegionBox(rect: Rect): void {
    this.layers.commitRegionBox(rect);
  }
  commitMaskStroke(stroke: MaskStroke): void {
    this.layers.commitMaskStroke(stroke);
  }
  get brush(): BrushSettings {
    return this.core.state.brush;
  }
  get marqueeShape(): 'rect' | 'ellipse' {
    return this.core.state.marqueeShape;
  }
  commitPaintStroke(stroke: PaintStroke): void {
    if (this.paint) void this.paint.commitStroke(stroke);
    else this.setPreview(null);
  }
  commitSelection(shape: SelectionShape | null, mode: SelectionMode): void {
    if (!this.pixelSelection) return;
    if (shape) this.pixelSelection.apply(shape, mode);
    else this.pixelSelection.deselect();
  }
  pickColor(p: Point): void {
    void this.paint?.sampleColor(p);
  }
  commitTransform(id: string, rect: Rect): void {
    void this.layers.commitTransform(id, rect);
  }

  freeTransformTarget(): { id: string; rect: Rect } | null {
    return this.transforms?.target() ?? null;
  }
  beginFreeTransform(rotateFrom: ToolPointer): void {
    this.tools?.setTool('transform', { resume: this.tools.toolId, rotateFrom });
  }
  commitFreeTransform(id: string, t: BoxTransform): void {
    if (this.transforms) void this.transforms.commit(id, t);
    else this.setPreview(null);
  }
  commitCrop(rect: Rect): void {
    void this.canvas?.cropTo(rect).finally(() => {
      if (this.core.state.preview?.kind === 'crop') this.setPreview(null);
    });
  }
  get layerBoxes(): readonly Rect[] {
    return this.core.state.layerBoxes.boxes;
  }
  get selectedLayerBox(): number | null {
    return this.core.state.layerBoxes.selected;
  }
  selectLayerBox(index: number | null): void {
    this.boxes?.select(index);
  }
  commitLayerBox(index: number | null, rect: Rect): void {
    this.setPreview(null);
    if (index === null) this.boxes?.add(rect);
    else this.boxes?.update(index, rect);
  }

  get wordBox(): Rect | null {
    return this.core.state.wordBox;
  }
  setWordBox(rect: Rect | null): void {
    this.core.store.set({ wordBox: rect });
  }

  panBy(dx: number, dy: number): void {
    this.core.store.set({ viewport: pan(this.core.state.viewport, dx, dy) });
  }

  toolPathChanged(): void {
    if (!this.tools) return;
    this.core.store.set({ tool: this.tools.toolId, toolPath: this.tools.path() });
  }
}
