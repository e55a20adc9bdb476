// What tools may ask of the editor. Tests implement it with a fake.
import type { Layer, LaminaDocument } from '../../../common/document/document-schema.ts';
import type { Point, Rect } from '../geometry.ts';
import type { ToolPointer } from './state-node.ts';
import type { SnapResult } from '../snapping.ts';
import type { CanvasPreview, MaskStroke } from '../editor-state.ts';
import type { BrushSettings, PaintStroke } from '../pixels/brush.ts';
import type { SelectionMode, SelectionShape } from '../pixels/selection-mask.ts';
import type { BoxTransform } from '../pixels/affine-transform.ts';

export interface ToolHost {
  readonly document: LaminaDocument | null;
  readonly selection: readonly string[];
  readonly zoom: number;
  readonly brushSize: number;
  readonly regionsVisible: boolean;
  hitTest(p: Point): Layer | null;
  select(ids: string[]): void;
  setPreview(preview: CanvasPreview | null): void;
  /** snap a box being moved (excluding `ids`); threshold is in screen pixels */
  snapMove(box: Rect, ids: readonly string[]): SnapResult;
  /** union bounds of layers on the canvas (with group offsets) */
  boundsOf(ids: readonly string[]): Rect | null;
  commitMove(ids: readonly string[], dx: number, dy: number): void;
  commitRegionBox(rect: Rect): void;
  commitMaskStroke(stroke: MaskStroke): void;
  /** the brush and eraser settings a new stroke takes */
  readonly brush: BrushSettings;
  readonly marqueeShape: 'rect' | 'ellipse';
  /** a brush or eraser stroke ends (one undo step) */
  commitPaintStroke(stroke: PaintStroke): void;
  /** a marquee or lasso shape ends; null with 'replace' deselects */
  commitSelection(shape: SelectionShape | null, mode: SelectionMode): void;
  /** the eyedropper: the colour under `p` becomes the brush colour */
  pickColor(p: Point): void;
  /** the selected layer the transform handles scale, with its box on the canvas; null when none */
  transformTarget(): { id: string; rect: Rect } | null;
  /** snap the moving edges of a box being resized from `before` (excluding layer `id`) */
  snapResize(before: Rect, box: Rect, id: string): { box: Rect; guidesX: number[]; guidesY: number[] };
  commitTransform(id: string, rect: Rect): void;
  /** the layer free transform (Ctrl+T) takes: the one selected, unlocked raster or region, with its canvas box */
  freeTransformTarget(): { id: string; rect: Rect } | null;
  /** the move tool's rotate zone was pressed: free transform starts, turning from `p` */
  beginFreeTransform(rotateFrom: ToolPointer): void;
  /** Enter in free transform: resample and place the layer (one undo step) */
  commitFreeTransform(id: string, t: BoxTransform): void;
  /** Enter in the crop tool: the canvas becomes `rect` (one undo step) */
  commitCrop(rect: Rect): void;
  /** the Layers tool's anonymous boxes (canvas px; ../layer-boxes.ts) and the one with handles */
  readonly layerBoxes: readonly Rect[];
  readonly selectedLayerBox: number | null;
  selectLayerBox(index: number | null): void;
  /** a box drawn (index null) or box `index` moved / resized: one undo step of the boxes */
  commitLayerBox(index: number | null, rect: Rect): void;
  /** the Edit Text panel's word box (canvas px; null = none: the whole layer may change) */
  readonly wordBox: Rect | null;
  setWordBox(rect: Rect | null): void;
  /** move the view by screen px */
  panBy(dx: number, dy: number): void;
  /** Space is held: the left button pans */
  readonly spacePan: boolean;
  toolPathChanged(): void;
  /** a move of `ids` started (the placement heatmap may show; never blocks) */
  placementDragStarted?(ids: readonly string[]): void;
  /** a move ends at (dx, dy): where placement snaps it (unchanged when not near a hot spot) */
  /** Text tool: start typing a new text layer at a canvas point */
  placeText?(at: Point): void;
  /** Text tool: edit this text layer in place */
  editText?(id: string): void;
  placementRelease?(ids: readonly string[], dx: number, dy: number): { dx: number; dy: number };
}
