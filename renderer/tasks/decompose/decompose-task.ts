// The decompose panel's controller (framework-free): which layer and which object the next
// Decompose uses (a marquee's box, the shape of an ellipse / lasso selection, a box
// region's box, or a region painted with the mask brush), the method (the pack's
// decomposition model when one is installed, else mask-and-inpaint), and starting the
// job. The engine replaces the layer with "<name> (object)" over "<name> (background)" in
// one undo step; "Decompose all" (the model only) replaces it with a group of every
// object the model finds over "Background". The view is ./decompose-panel.tsx; both are
// registered in ../task-panels.ts.
import type { PackSummary } from '../../../common/contract/contract.ts';
import type { LaminaDocument, RasterLayer } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import type { EditorCore } from '../../editor/editor-core.ts';
import type { JobTracker } from '../../editor/jobs/job-tracker.ts';
import type { TaskPanel, TaskPanelContext, TaskPanelDefinition } from '../../editor/jobs/task-panel.ts';
import type { SelectionMask } from '../../editor/pixels/selection-mask.ts';
import { selectionBounds } from '../../editor/pixels/selection-mask.ts';
import { Store } from '../../editor/store.ts';
import { encodeMaskRuns, type MaskRuns } from '../../../common/contract/mask-runs.ts';
import { collectRegions } from '../generate/generation.ts';

export type DecomposeMethod = 'model' | 'inpaint';

export interface DecomposeState {
  /** the method the designer picked; null: the default (model when a pack has one) */
  method: DecomposeMethod | null;
}

/** How the spec marks the object (document pixels): a box, a selection's shape, a mask region. */
export type DecomposeMark = { box: [number, number, number, number] } | { mask: MaskRuns } | { regionId: string };

/** What the next Decompose works on: the picture layer, the object's mark and its box
 * (document pixels), where it came from; or why there is nothing to decompose yet. */
export type DecomposeTarget =
  | { ok: true; layer: RasterLayer; box: [number, number, number, number]; mark: DecomposeMark; from: 'selection' | 'region' }
  | { ok: false; problem: string };

/** The selection inside its bounds as a mark: a box when it fills them (a marquee), else
 * its shape (ellipse, lasso, combinations), partly selected pixels counted from half. */
export function selectionMark(sel: SelectionMask, b: { x: number; y: number; width: number; height: number }): DecomposeMark {
  const crop = new Uint8Array(b.width * b.height);
  let full = true;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      const v = sel.data[(b.y + y) * sel.width + b.x + x];
      crop[y * b.width + x] = v;
      if (v < 128) full = false;
    }
  }
  if (full) return { box: [b.x, b.y, b.width, b.height] };
  return { mask: { x: b.x, y: b.y, width: b.width, height: b.height, runs: encodeMaskRuns(crop) } };
}

/** The packs whose decomposition model loads (they list the `decompose` pipeline). */
export function decompositionPacks(packs: readonly PackSummary[]): PackSummary[] {
  return packs.filter((p) => p.ok && p.pipelines.includes('decompose'));
}

/** The method that runs: the picked one if it can, else model when a pack has it, else inpaint. */
export function effectiveMethod(picked: DecomposeMethod | null, packs: readonly PackSummary[]): DecomposeMethod {
  const model = decompositionPacks(packs).length > 0;
  return picked === 'inpaint' || !model ? 'inpaint' : 'model';
}

/** The selected raster layer, and the object's box: the pixel selection's bounds (marquee,
 * lasso) or else the box of a region layer selected with it. */
export function decomposeTarget(doc: LaminaDocument | null, selection: readonly string[], pixelSelection: SelectionMask | null): DecomposeTarget {
  if (!doc) return { ok: false, problem: 'Open or create a document first' };
  const layer = selection.map((id) => findLayer(doc.layers, id)?.layer).find((l): l is RasterLayer => l?.kind === 'raster');
  if (!layer) return { ok: false, problem: 'Select the picture layer (a raster layer) that holds the object' };
  const bounds = pixelSelection ? selectionBounds(pixelSelection) : null;
  if (bounds) return { ok: true, layer, box: [bounds.x, bounds.y, bounds.width, bounds.height], mark: selectionMark(pixelSelection!, bounds), from: 'selection' };
  const region = collectRegions(doc).find((r) => selection.includes(r.id));
  if (region) {
    const [x, y, w, h] = region.box;
    const x0 = Math.floor(x), y0 = Math.floor(y);
    const box: [number, number, number, number] = [x0, y0, Math.ceil(x + w) - x0, Math.ceil(y + h) - y0];
    const painted = findLayer(doc.layers, region.id)?.layer;
    const mark = painted?.kind === 'region' && painted.shape.type === 'mask' ? { regionId: region.id } : { box };
    return { ok: true, layer, box, mark, from: 'region' };
  }
  return { ok: false, problem: 'Mark the object: draw a marquee (M) around it, or select a region box with the layer' };
}

export class DecomposeTask implements TaskPanel {
  readonly id = 'decompose' as const;
  readonly store = new Store<DecomposeState>({ method: null });
  private readonly core: EditorCore;
  private readonly jobs: JobTracker;

  constructor(ctx: TaskPanelContext) {
    this.core = ctx.core;
    this.jobs = ctx.jobs;
  }

  target(): DecomposeTarget {
    const s = this.core.state;
    return decomposeTarget(this.core.document, s.selection, s.pixelSelection);
  }

  method(): DecomposeMethod {
    return effectiveMethod(this.store.get().method, this.core.state.packs);
  }

  setMethod(method: DecomposeMethod): void {
    this.store.set({ method });
  }

  run(): Promise<void> {
    return this.decompose();
  }

  allTarget() {
    const s = this.core.state;
    return decomposeAllTarget(this.core.document, s.selection, s.packs);
  }

  /** "Decompose all": the model peels the layer front to back, at most `maxForegrounds`
   * objects; the group lands in one undo step. Without the model it is an info toast. */
  async decomposeAll(maxForegrounds = 8): Promise<void> {
    const docId = this.core.docId;
    if (!docId || this.jobs.busy) return;
    const target = this.allTarget();
    if (!target.ok) return this.core.toast('info', target.problem);
    const spec = { layerId: target.layer.id, all: true, maxForegrounds, method: 'model' as const, packId: target.pack.id };
    await this.jobs.start({ task: 'decompose', docId, spec }, { noun: 'Decomposition', steps: (target.pack.defaultSteps ?? 1) * (maxForegrounds + 1) });
  }

  /** Starts the decomposition of the target; a missing layer or box is an info toast. */
  async decompose(): Promise<void> {
    const docId = this.core.docId;
    if (!docId || this.jobs.busy) return;
    const target = this.target();
    if (!target.ok) return this.core.toast('info', target.problem);
    const method = this.method();
    const pack = method === 'model' ? decompositionPacks(this.core.state.packs)[0] : undefined;
    const spec = { layerId: target.layer.id, ...target.mark, method, ...(pack ? { packId: pack.id } : {}) };
    const steps = method === 'model' ? pack?.defaultSteps ?? 1 : 1;
    await this.jobs.start({ task: 'decompose', docId, spec }, {
      noun: 'Decomposition',
      steps,
      // the box has been used: a pixel selection left behind would make the move tool move
      // only its pixels
      onLanded: () => target.from === 'selection' && this.core.store.set({ pixelSelection: null }),
    });
  }
}

/** What "Decompose all" works on: the selected picture layer, with the model installed. */
export function decomposeAllTarget(doc: LaminaDocument | null, selection: readonly string[], packs: readonly PackSummary[]): { ok: true; layer: RasterLayer; pack: PackSummary } | { ok: false; problem: string } {
  if (!doc) return { ok: false, problem: 'Open or create a document first' };
  const pack = decompositionPacks(packs)[0];
  if (!pack) return { ok: false, problem: 'Decompose all finds the objects with a decomposition model: none is installed' };
  const layer = selection.map((id) => findLayer(doc.layers, id)?.layer).find((l): l is RasterLayer => l?.kind === 'raster');
  if (!layer) return { ok: false, problem: 'Select the picture layer (a raster layer) to decompose' };
  return { ok: true, layer, pack };
}

/** The framework-free registration (the app adds the view in ../task-panels.ts). */
export const decomposeTaskPanel: TaskPanelDefinition = { id: 'decompose', create: (ctx) => new DecomposeTask(ctx) };
