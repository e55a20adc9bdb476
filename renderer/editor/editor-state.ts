// The editor's state: the engine's document snapshot plus everything that is only the
// view's business (selection, viewport, tool, transient previews, job progress, toasts).
import type { DocumentSnapshot, JobState, PackSummary } from '../../common/contract/contract.ts';
import type { Point, Rect } from './geometry.ts';
import type { Viewport } from './viewport.ts';
import type { ToolId } from './tools/root-tool.ts';
import { DEFAULT_BRUSH, type BrushSettings, type PaintStroke } from './pixels/brush.ts';
import type { SelectionMask, SelectionShape } from './pixels/selection-mask.ts';
import type { BoxTransform } from './pixels/affine-transform.ts';
import { initialLayerBoxes, type LayerBoxesState } from './layer-boxes.ts';
import { DEFAULT_TEXT_STYLE, type TextEditing, type TextStyle } from './text-commands.ts';

export interface MaskStroke {
  points: Point[];
  /** brush radius in canvas px */
  radius: number;
  erase: boolean;
}

/** Transient feedback drawn over the canvas while a gesture is in progress. */
export type CanvasPreview =
  | { kind: 'box'; rect: Rect }
  /** the Layers tool moving or resizing its box `index` */
  | { kind: 'layer-box'; index: number; rect: Rect }
  | { kind: 'move'; ids: string[]; dx: number; dy: number; guidesX: number[]; guidesY: number[] }
  | { kind: 'stroke'; stroke: MaskStroke }
  | { kind: 'paint'; stroke: PaintStroke }
  | { kind: 'select'; shape: SelectionShape }
  | { kind: 'transform'; id: string; rect: Rect; guidesX: number[]; guidesY: number[] }
  /** free transform (Ctrl+T) until Enter or Esc: the layer's box scaled and turned */
  | { kind: 'free-transform'; id: string; transform: BoxTransform }
  /** the crop tool's box until Enter or Esc */
  | { kind: 'crop'; rect: Rect };

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
  code?: string;
}

export interface JobView {
  /** the task id of the panel that started it (renderer/tasks/task-panels.ts) */
  task: string;
  jobId: string | null;
  state: JobState | 'starting';
  i: number;
  n: number;
  /** data: URL of the latest (throttled) preview */
  preview: string | null;
}

export type Connection = 'connecting' | 'open' | 'closed';

export interface EditorState {
  connection: Connection;
  snapshot: DocumentSnapshot | null;
  selection: string[];
  viewport: Viewport;
  /** stage size in CSS px */
  screen: { width: number; height: number };
  tool: ToolId;
  toolPath: string;
  /** Space is held (the left button pans) */
  spacePan: boolean;
  regionsVisible: boolean;
  brushSize: number;
  /** the brush and the eraser (size, hardness, opacity, colour) */
  brush: BrushSettings;
  /** the pixel selection (marquee, lasso); null = none: tools act everywhere */
  pixelSelection: SelectionMask | null;
  marqueeShape: 'rect' | 'ellipse';
  /** paint on the selected layer's mask instead of its pixels */
  editMask: boolean;
  preview: CanvasPreview | null;
  /** region whose prompt is being typed in place on the canvas */
  editingRegionId: string | null;
  /** text being typed on the canvas (Text tool, double-click on a text layer) */
  editingText: TextEditing | null;
  /** the Text tool's options: the style of new text */
  textStyle: TextStyle;
  /** the Layers tool's anonymous boxes (./layer-boxes.ts) */
  layerBoxes: LayerBoxesState;
  /** the Edit Text panel's box around the word (canvas px; the word-box tool draws it); null = none */
  wordBox: Rect | null;
  /** the one job in flight, whichever task panel started it */
  job: JobView | null;
  packs: PackSummary[];
  /** where Save puts new documents (the engine's $LAMINA_HOME/projects); null until connected */
  projectsDir: string | null;
  toasts: Toast[];
  /** how many mutations are in flight (UI can show a busy state) */
  pending: number;
}

/** Whether undo / redo has a step: the Layers tool's box edits count while it is the tool (they go first). */
export function canUndo(s: EditorState): boolean {
  return !!s.snapshot?.canUndo || (s.tool === 'layers' && s.layerBoxes.past.length > 0);
}
export function canRedo(s: EditorState): boolean {
  return !!s.snapshot?.canRedo || (s.tool === 'layers' && s.layerBoxes.future.length > 0);
}

export function initialState(): EditorState {
  return {
    connection: 'connecting',
    snapshot: null,
    selection: [],
    viewport: { zoom: 1, x: 0, y: 0 },
    screen: { width: 800, height: 600 },
    tool: 'move',
    toolPath: 'move.idle',
    spacePan: false,
    regionsVisible: true,
    brushSize: 48,
    brush: { ...DEFAULT_BRUSH },
    pixelSelection: null,
    marqueeShape: 'rect',
    editMask: false,
    preview: null,
    editingRegionId: null,
    editingText: null,
    textStyle: { ...DEFAULT_TEXT_STYLE, color: [...DEFAULT_TEXT_STYLE.color] },
    layerBoxes: initialLayerBoxes(),
    wordBox: null,
    job: null,
    packs: [],
    projectsDir: null,
    toasts: [],
    pending: 0,
  };
}
