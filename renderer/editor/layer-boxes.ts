// The Layers tool's boxes (ART, issue 17): anonymous boxes drawn on the canvas for one
// `layers` job. They are the tool's state, not document layers: they live in the editor's
// store with their own undo steps (the Layers tool's undo/redo takes them first while it
// has any; a generation that lands starts a fresh box history, so the next undo is the
// generation's). Kernels first (data in, data out), then the commands that keep the store.
import type { EditorCore } from './editor-core.ts';
import { clampRectToCanvas, rectContains, type Rect } from './geometry.ts';

export interface LayerBoxesState {
  /** box k (0-based) becomes layer "Box k+1"; the last box lands in front */
  boxes: Rect[];
  /** the box the handles show on (index), or null */
  selected: number | null;
  /** earlier box lists (undo), newest last */
  past: Rect[][];
  /** undone box lists (redo), newest last */
  future: Rect[][];
}

export function initialLayerBoxes(): LayerBoxesState {
  return { boxes: [], selected: null, past: [], future: [] };
}

/** The front-most box under `p` (the last drawn wins), or null. */
export function boxAt(boxes: readonly Rect[], p: { x: number; y: number }): number | null {
  for (let i = boxes.length - 1; i >= 0; i--) if (rectContains(boxes[i], p)) return i;
  return null;
}

/** `r` moved by (dx, dy), rounded, kept whole inside the canvas. */
export function movedBox(r: Rect, dx: number, dy: number, canvas: { width: number; height: number }): Rect {
  const w = Math.min(r.width, canvas.width), h = Math.min(r.height, canvas.height);
  const x = Math.min(Math.max(0, Math.round(r.x + dx)), canvas.width - w);
  const y = Math.min(Math.max(0, Math.round(r.y + dy)), canvas.height - h);
  return { x, y, width: w, height: h };
}

/** The boxes as the layers spec takes them: [x, y, width, height] in canvas pixels. */
export function specBoxes(boxes: readonly Rect[]): [number, number, number, number][] {
  return boxes.map((b) => [b.x, b.y, b.width, b.height]);
}

const HISTORY_LIMIT = 200;

export class LayerBoxes {
  constructor(private readonly core: EditorCore) {}

  get state(): LayerBoxesState {
    return this.core.state.layerBoxes;
  }
  get boxes(): readonly Rect[] {
    return this.state.boxes;
  }
  get canUndo(): boolean {
    return this.state.past.length > 0;
  }
  get canRedo(): boolean {
    return this.state.future.length > 0;
  }

  private write(boxes: Rect[], selected: number | null): void {
    const s = this.state;
    this.core.store.set({ layerBoxes: { boxes, selected, past: [...s.past, s.boxes].slice(-HISTORY_LIMIT), future: [] } });
  }

  /** A new box (integer pixels inside the canvas), selected; one undo step. */
  add(rect: Rect): void {
    const doc = this.core.document;
    const r = doc ? clampRectToCanvas(rect, doc.width, doc.height) : null;
    if (!r) return;
    this.write([...this.boxes, r], this.boxes.length);
  }

  /** Box `i` becomes `rect` (clamped to the canvas); one undo step. */
  update(i: number, rect: Rect): void {
    const doc = this.core.document;
    const r = doc ? clampRectToCanvas(rect, doc.width, doc.height) : null;
    const cur = this.boxes[i];
    if (!r || !cur || (cur.x === r.x && cur.y === r.y && cur.width === r.width && cur.height === r.height)) return;
    this.write(this.boxes.map((b, k) => (k === i ? r : b)), i);
  }

  /** Deletes box `i` (the later ones move down a number); one undo step. */
  remove(i: number): void {
    if (!this.boxes[i]) return;
    this.write(this.boxes.filter((_, k) => k !== i), null);
  }

  /** Deletes every box; one undo step. */
  clear(): void {
    if (this.boxes.length) this.write([], null);
  }

  /** Shows the handles on box `i` (null: none); not an undo step. */
  select(i: number | null): void {
    const sel = i !== null && this.boxes[i] ? i : null;
    if (sel !== this.state.selected) this.core.store.set({ layerBoxes: { ...this.state, selected: sel } });
  }

  undo(): boolean {
    const s = this.state;
    const prev = s.past.at(-1);
    if (!prev) return false;
    this.core.store.set({ layerBoxes: { boxes: prev, selected: null, past: s.past.slice(0, -1), future: [...s.future, s.boxes] } });
    return true;
  }

  redo(): boolean {
    const s = this.state;
    const next = s.future.at(-1);
    if (!next) return false;
    this.core.store.set({ layerBoxes: { boxes: next, selected: null, past: [...s.past, s.boxes], future: s.future.slice(0, -1) } });
    return true;
  }

  /** No boxes, no history (another document opened). */
  reset(): void {
    this.core.store.set({ layerBoxes: initialLayerBoxes() });
  }

  /** Keeps the boxes, forgets their undo steps (a generation landed: the next undo is the document's). */
  resetHistory(): void {
    const s = this.state;
    if (s.past.length || s.future.length) this.core.store.set({ layerBoxes: { ...s, past: [], future: [] } });
  }
}
