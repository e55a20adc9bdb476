// The decompose panel's controller (framework-free): which layer and which box the next
// Decompose uses, the method (the pack's decomposition model when one is installed, else
// mask-and-inpaint), and starting the job. The engine replaces the layer with
// "<name> (object)" over "<name> (background)" in one undo step. The view is
// ./decompose-panel.tsx; both are registered in ../task-panels.ts.
import type { PackSummary } from '../../../common/contract/contract.ts';
import type { LaminaDocument, RasterLayer } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import type { EditorCore } from '../../editor/editor-core.ts';
import type { JobTracker } from '../../editor/jobs/job-tracker.ts';
import type { TaskPanel, TaskPanelContext, TaskPanelDefinition } from '../../editor/jobs/task-panel.ts';
import type { SelectionMask } from '../../editor/pixels/selection-mask.ts';
import { selectionBounds } from '../../editor/pixels/selection-mask.ts';
import { Store } from '../../editor/store.ts';
import { collectRegions } from '../generate/generation.ts';

export type DecomposeMethod = 'model' | 'inpaint';

export interface DecomposeState {
  /** the method the designer picked; null: the default (model when a pack has one) */
  method: DecomposeMethod | null;
}

/** What the next Decompose works on: the picture layer and the object's box (document
 * pixels), and where the box came from; or why there is nothing to decompose yet. */
export type DecomposeTarget =
  | { ok: true; layer: RasterLayer; box: [number, number, number, number]; from: 'selection' | 'region' }
  | { ok: false; problem: string };

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
  if (bounds) return { ok: true, layer, box: [bounds.x, bounds.y, bounds.width, bounds.height], from: 'selection' };
  const region = collectRegions(doc).find((r) => selection.includes(r.id));
  if (region) {
    const [x, y, w, h] = region.box;
    const x0 = Math.floor(x), y0 = Math.floor(y);
    return { ok: true, layer, box: [x0, y0, Math.ceil(x + w) - x0, Math.ceil(y + h) - y0], from: 'region' };
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

  /** Starts the decomposition of the target; a missing layer or box is an info toast. */
  async decompose(): Promise<void> {
    const docId = this.core.docId;
    if (!docId || this.jobs.busy) return;
    const target = this.target();
    if (!target.ok) return this.core.toast('info', target.problem);
    const method = this.method();
    const pack = method === 'model' ? decompositionPacks(this.core.state.packs)[0] : undefined;
    const spec = { layerId: target.layer.id, box: target.box, method, ...(pack ? { packId: pack.id } : {}) };
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

/** The framework-free registration (the app adds the view in ../task-panels.ts). */
export const decomposeTaskPanel: TaskPanelDefinition = { id: 'decompose', create: (ctx) => new DecomposeTask(ctx) };
