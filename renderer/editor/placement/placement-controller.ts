// Placement in the editor (TopNet, issue 14), framework-free. While an object layer is
// dragged, the heatmap for its current scale shows over the canvas; on release near a hot
// spot the layer snaps to the best cell there; "suggest placements" shows the top-5 as
// ghost outlines, and choosing one moves the layer there at that scale.
//
// The heatmap comes from the place task (jobs.start { task: 'place' }), started beside
// the job tracker (no toasts, never blocking the drag): the background is the composite of
// the layers below the object, which a move does not change, so one heatmap serves a whole
// drag; requests are throttled and only the latest answer is shown.
import type { EventPayload } from '../../../common/contract/contract.ts';
import type { PlacementResult } from '../../../common/contract/task-results.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { bestNear } from '../../../common/placement/placement-kernels.ts';
import type { EditorCore } from '../editor-core.ts';
import { absoluteBounds, type Rect } from '../geometry.ts';
import { Store } from '../store.ts';
import { Throttle } from '../throttle.ts';

type JobEvent = EventPayload<'job.event'>;

export interface PlacementHeatmap {
  layerId: string;
  /** the document version it was computed on */
  version: number;
  width: number;
  height: number;
  /** one scale's map [H, W]; cell (i, j) = bottom-centre of the object's box */
  values: Float32Array;
  scale: number;
  max: number;
  /** the object's alpha box in its layer's pixels */
  box: { x0: number; y0: number; x1: number; y1: number };
  placements: PlacementResult[];
  doc: { width: number; height: number };
}

export interface PlacementState {
  /** heatmap overlay while dragging (or after "suggest") */
  heatmap: PlacementHeatmap | null;
  showHeatmap: boolean;
  /** ghost outlines of the top placements (the object's visible box there, document px),
   * with their scale and the layer rect choosing one commits */
  ghosts: { layerId: string; rects: (Rect & { scale: number; score: number; layerRect: Rect })[] } | null;
  /** the last snap on release (for the UI and tests) */
  lastSnap: { layerId: string; dx: number; dy: number } | null;
  /** a place request in flight */
  busy: boolean;
  /** heatmap + snap while dragging ("Heatmap while dragging"); off until the user turns it
   * on or asks for suggestions, so a plain move never jumps unasked */
  live: boolean;
}

/** Release within this many heatmap cells of a hot spot snaps to it. */
export const SNAP_RADIUS_CELLS = 4;
/** A hot spot: a cell at least this fraction of the map's maximum. */
export const HOT_FRACTION = 0.35;

export class PlacementController {
  readonly store = new Store<PlacementState>({ heatmap: null, showHeatmap: false, ghosts: null, lastSnap: null, busy: false, live: false });
  private waiting = new Map<string, (ev: JobEvent) => void>();
  private early = new Map<string, JobEvent>();
  private requestSeq = 0;
  private readonly throttle: Throttle<string>;

  constructor(private readonly core: EditorCore, intervalMs = 150) {
    this.throttle = new Throttle<string>(intervalMs, (layerId) => void this.refresh(layerId));
  }

  get state(): PlacementState {
    return this.store.get();
  }

  /** The editor forwards every job.event here (a place job's answer). */
  onJobEvent(ev: JobEvent): void {
    if (!['done', 'failed', 'cancelled'].includes(ev.state)) return;
    const w = this.waiting.get(ev.jobId);
    if (w) {
      this.waiting.delete(ev.jobId);
      w(ev);
    } else this.early.set(ev.jobId, ev);
  }

  /** Can this layer be placed (a visible raster layer with pixels below something)? */
  placeable(layerId: string): boolean {
    const doc = this.core.document;
    if (!doc) return false;
    const l = findLayer(doc.layers, layerId)?.layer;
    return !!l && l.kind === 'raster' && l.visible && this.core.state.packs.some((p) => p.ok && p.pipelines.includes('placement'));
  }

  /** A drag of `ids` started: show the heatmap of the one object layer (throttled, async). */
  dragStarted(ids: readonly string[]): void {
    if (!this.state.live || ids.length !== 1 || !this.placeable(ids[0])) return;
    this.store.set({ showHeatmap: true, ghosts: null });
    const h = this.state.heatmap;
    if (h && h.layerId === ids[0] && h.version === this.core.state.snapshot?.version) return; // still valid
    this.throttle.push(ids[0]);
  }

  /** The drag ended: hide the overlay (the heatmap stays cached for the next drag). */
  dragEnded(): void {
    this.store.set({ showHeatmap: false });
  }

  /** Where a release at (dx, dy) from the layer's position snaps: the best cell within
   * SNAP_RADIUS_CELLS of the box's bottom-centre when it is hot, else (dx, dy). */
  snap(ids: readonly string[], dx: number, dy: number): { dx: number; dy: number } {
    const h = this.state.heatmap;
    const doc = this.core.document;
    if (!this.state.live || ids.length !== 1 || !h || !doc || h.layerId !== ids[0] || h.max <= 0) return { dx, dy };
    const abs = absoluteBounds(doc, ids[0]);
    if (!abs) return { dx, dy };
    const xc = abs.x + dx + (h.box.x0 + h.box.x1) / 2;
    const yb = abs.y + dy + h.box.y1;
    const j = Math.floor((xc / h.doc.width) * h.width), i = Math.floor((yb / h.doc.height) * h.height);
    const best = bestNear(h.values, h.width, h.height, Math.min(h.height - 1, Math.max(0, i)), Math.min(h.width - 1, Math.max(0, j)), SNAP_RADIUS_CELLS);
    if (!best || best.value < HOT_FRACTION * h.max) return { dx, dy };
    const tx = ((best.j + 0.5) / h.width) * h.doc.width, ty = ((best.i + 0.5) / h.height) * h.doc.height;
    const out = { dx: Math.round(dx + tx - xc), dy: Math.round(dy + ty - yb) };
    this.store.set({ lastSnap: { layerId: ids[0], ...out } });
    return out;
  }

  /** "Suggest placements": the top-5 of the selected object layer as ghosts. */
  async suggest(layerId: string): Promise<boolean> {
    if (!this.placeable(layerId)) {
      this.core.toast('error', 'Suggest placements works on a visible raster layer, with a placement model pack installed');
      return false;
    }
    const h = await this.refresh(layerId);
    const doc = this.core.document;
    const layer = doc ? findLayer(doc.layers, layerId)?.layer : null;
    if (!h || !layer || layer.kind !== 'raster') return false;
    const b = h.box;
    const rects = h.placements.map((p) => ({
      x: p.x + p.scale * b.x0, y: p.y + p.scale * b.y0, width: p.scale * (b.x1 - b.x0), height: p.scale * (b.y1 - b.y0),
      scale: p.scale, score: p.score,
      layerRect: { x: p.x, y: p.y, width: Math.max(1, Math.round(layer.width * p.scale)), height: Math.max(1, Math.round(layer.height * p.scale)) },
    }));
    this.store.set({ ghosts: { layerId, rects }, showHeatmap: true, live: true });
    return true;
  }

  /** Move (and scale) the layer to ghost k: one undo step. */
  async choose(k: number, commitTransform: (id: string, rect: Rect) => Promise<void>): Promise<void> {
    const g = this.state.ghosts;
    if (!g || !g.rects[k]) return;
    const r = g.rects[k];
    this.store.set({ ghosts: null, showHeatmap: false });
    await commitTransform(g.layerId, r.layerRect);
  }

  setLive(live: boolean): void {
    this.store.set({ live, ...(live ? {} : { showHeatmap: false }) });
  }

  clearGhosts(): void {
    this.store.set({ ghosts: null, showHeatmap: false });
  }

  dispose(): void {
    this.throttle.cancel();
    this.waiting.clear();
  }

  /** Runs the place task for a layer; the latest request wins. */
  async refresh(layerId: string): Promise<PlacementHeatmap | null> {
    const docId = this.core.docId;
    const snap = this.core.state.snapshot;
    if (!docId || !snap) return null;
    const seq = ++this.requestSeq;
    this.store.set({ busy: true });
    try {
      const { jobId } = await this.core.client.call('jobs.start', { task: 'place', docId, spec: { layerId, scale: 1, top: 5 } });
      const ev = await new Promise<JobEvent>((resolve) => {
        const e = this.early.get(jobId);
        if (e) {
          this.early.delete(jobId);
          resolve(e);
        } else this.waiting.set(jobId, resolve);
      });
      if (seq !== this.requestSeq) return null; // a newer request is on its way
      if (ev.state !== 'done') {
        if (ev.state === 'failed') this.core.toast('error', `Placement: ${ev.message ?? 'failed'}`, ev.code);
        return null;
      }
      const a = (ev.result as { artifact?: Record<string, unknown> } | undefined)?.artifact as {
        width: number; height: number; values: number[]; scale: number; placements: PlacementResult[]; box: PlacementHeatmap['box']; background: { width: number; height: number };
      } | undefined;
      if (!a) return null;
      const values = Float32Array.from(a.values);
      let max = 0;
      for (const v of values) if (v > max) max = v;
      const heatmap: PlacementHeatmap = { layerId, version: snap.version, width: a.width, height: a.height, values, scale: a.scale, max, box: a.box, placements: a.placements, doc: a.background };
      this.store.set({ heatmap });
      return heatmap;
    } catch (err) {
      this.core.reportError(err);
      return null;
    } finally {
      if (seq === this.requestSeq) this.store.set({ busy: false });
    }
  }
}
