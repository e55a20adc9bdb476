// The editor's state: the engine's document snapshot plus everything that is only the
// view's business (selection, viewport, tool, transient previews, job progress, toasts).
import type { DocumentSnapshot, JobState, PackSummary } from '../../common/contract/contract.ts';
import type { Point, Rect } from './geometry.ts';
import type { Viewport } from './viewport.ts';
import type { ToolId } from './tools/root-tool.ts';

export interface MaskStroke {
  points: Point[];
  /** brush radius in canvas px */
  radius: number;
  erase: boolean;
}

/** Transient feedback drawn over the canvas while a gesture is in progress. */
export type CanvasPreview =
  | { kind: 'box'; rect: Rect }
  | { kind: 'move'; ids: string[]; dx: number; dy: number; guidesX: number[]; guidesY: number[] }
  | { kind: 'stroke'; stroke: MaskStroke }
  | { kind: 'transform'; id: string; rect: Rect; guidesX: number[]; guidesY: number[] };

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
  code?: string;
}

export interface JobView {
  jobId: string | null;
  state: JobState | 'starting';
  i: number;
  n: number;
  /** data: URL of the latest (throttled) preview */
  preview: string | null;
}

/** How regions are bound: LayerBind or a baseline, and LayerBind's parameters; null =
 * the pipeline's measured default (docs/layerbind.md). */
export interface RegionMethodSettings {
  mode: 'layerbind' | 'regional-mask' | 'global';
  fuseStep: number | null;
  nursingSteps: number | null;
  schedule: 'cosine' | 'linear' | 'constant' | null;
  strength: number | null;
}

export const DEFAULT_REGION_METHOD: RegionMethodSettings = { mode: 'layerbind', fuseStep: null, nursingSteps: null, schedule: null, strength: null };

export interface GenerationSettings {
  prompt: string;
  seed: number;
  seedLocked: boolean;
  steps: number;
  guidance: number;
  packId: string | null;
  /** used when the document has regions */
  regionMethod?: RegionMethodSettings;
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
  preview: CanvasPreview | null;
  /** region whose prompt is being typed in place on the canvas */
  editingRegionId: string | null;
  job: JobView | null;
  /** seed of the last generation started in this document: "Re-bind order" reuses it */
  lastSeed: number | null;
  packs: PackSummary[];
  gen: GenerationSettings;
  toasts: Toast[];
  /** how many mutations are in flight (UI can show a busy state) */
  pending: number;
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
    preview: null,
    editingRegionId: null,
    job: null,
    lastSeed: null,
    packs: [],
    gen: { prompt: '', seed: 1234, seedLocked: false, steps: 20, guidance: 4, packId: null, regionMethod: DEFAULT_REGION_METHOD },
    toasts: [],
    pending: 0,
  };
}
