// The generate panel's controller (framework-free): its settings, building the spec from
// the document's regions, starting the job, and "Re-bind order". The view is
// ./generate-panel.tsx; both are registered once in ../task-panels.ts.
import type { PackSummary } from '../../../common/contract/contract.ts';
import type { EditorCore } from '../../editor/editor-core.ts';
import type { JobTracker } from '../../editor/jobs/job-tracker.ts';
import type { TaskPanel, TaskPanelContext, TaskPanelDefinition } from '../../editor/jobs/task-panel.ts';
import { Store } from '../../editor/store.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import { buildSpec, collectRegions, generationSizeProblem, randomSeed } from './generation.ts';
import { DEFAULT_REGION_METHOD, type GenerationSettings } from './generate-settings.ts';
import { restoredRegion, settingsFromSpec } from './reopen-spec.ts';
import { colourPalette } from '../../editor/region-colour.ts';
import { selectionBounds } from '../../editor/pixels/selection-mask.ts';
import { selectionAsImage } from '../../editor/pixels/selection-image.ts';

export interface GenerateState {
  settings: GenerationSettings;
  /** seed of the last generation started: "Re-bind order" reuses it, the panel shows it */
  lastSeed: number | null;
  /** the layer the last generation landed (what "replace the previous result" replaces) */
  lastResultId: string | null;
  /** the layers of the last run's variations (batch > 1), front first, until one is picked */
  candidates: string[];
}

export function initialGenerateState(): GenerateState {
  return {
    settings: { prompt: '', seed: 1234, seedLocked: false, steps: 20, guidance: 4, packId: null, regionMethod: DEFAULT_REGION_METHOD, upscale: 'lanczos', replacePrevious: false },
    lastSeed: null,
    lastResultId: null,
    candidates: [],
  };
}

/** The first pack that loads and generates (text-to-image), else the first that loads, else the first listed. */
export function defaultPackId(packs: readonly PackSummary[]): string | null {
  return packs.find((p) => p.ok && p.pipelines.includes('text-to-image'))?.id ?? packs.find((p) => p.ok)?.id ?? packs[0]?.id ?? null;
}

export class GenerateTask implements TaskPanel {
  readonly id = 'generate' as const;
  readonly command = 'gen.generate' as const;
  readonly store = new Store<GenerateState>(initialGenerateState());
  private readonly core: EditorCore;
  private readonly jobs: JobTracker;
  private readonly unsubscribe: () => void;

  constructor(ctx: TaskPanelContext) {
    this.core = ctx.core;
    this.jobs = ctx.jobs;
    // pick a pack once the list is there: it may have arrived before this panel was made,
    // or arrive later (packs can be installed while the editor runs)
    const pick = (packs: readonly PackSummary[]) => {
      if (this.settings.packId === null && packs.length) this.set({ packId: defaultPackId(packs) });
    };
    pick(this.core.store.get().packs);
    this.unsubscribe = this.core.store.subscribe((s, prev) => {
      if (s.packs !== prev.packs) pick(s.packs);
    });
  }

  /** The selected pack's LoRA adapters (the panel's strength sliders). */
  private packAdapters(): PackSummary['adapters'] {
    return this.core.store.get().packs.find((p) => p.id === this.settings.packId)?.adapters;
  }

  get settings(): GenerationSettings {
    return this.store.get().settings;
  }

  set(patch: Partial<GenerationSettings>): void {
    this.store.set({ settings: { ...this.settings, ...patch } });
  }

  run(): Promise<void> {
    return this.generate();
  }

  /** Starts a generation with the current settings, or with `seed` when given; `replaceLayerId`:
   * land in place of that layer (one undo step). */
  async generate(seed?: number, replaceLayerId?: string): Promise<void> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId || this.jobs.busy) return;
    const tooLarge = generationSizeProblem(doc);
    if (tooLarge) return this.core.toast('error', tooLarge, 'too_large');
    const spec = buildSpec(doc, seed === undefined ? this.settings : { ...this.settings, seed }, this.packAdapters());
    this.store.set({ lastSeed: spec.seed });
    try {
      await this.jobs.start(
        { task: 'generate', docId, spec, ...(replaceLayerId ? { replaceLayerId } : {}) },
        { noun: spec.batch && spec.batch > 1 ? 'Variations' : 'Generation', steps: spec.steps * (spec.batch ?? 1), onLanded: (ids) => this.store.set({ lastResultId: ids[0] ?? null, candidates: ids.length > 1 ? ids : [] }) },
      );
    } finally {
      if (!this.settings.seedLocked) this.set({ seed: randomSeed() });
    }
  }

  /** Regenerates the area under a region (its box on the canvas) from the document as it
   * looks now, with the region's prompt (or the global one): img2img at `strength` inside
   * the box, nothing outside it changes; lands as a new layer holding just the box. */
  async regenerateArea(regionId: string, strength: number): Promise<void> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId || this.jobs.busy) return;
    const region = collectRegions(doc).find((r) => r.id === regionId);
    if (!region) return this.core.toast('error', 'that region is hidden or off the canvas', 'bad_request');
    const tooLarge = generationSizeProblem(doc);
    if (tooLarge) return this.core.toast('error', tooLarge, 'too_large');
    const spec = { ...buildSpec({ ...doc, layers: [] }, this.settings), prompt: region.prompt || this.settings.prompt };
    const box = region.box.map((v, i) => (i < 2 ? Math.floor(v) : Math.ceil(v))) as [number, number, number, number];
    this.store.set({ lastSeed: spec.seed });
    try {
      await this.jobs.start({ task: 'generate', docId, spec, regenerateArea: { box, strength } }, { noun: 'Regeneration', steps: spec.steps });
    } finally {
      if (!this.settings.seedLocked) this.set({ seed: randomSeed() });
    }
  }

  /** Regenerates the pixel selection (marquee, lasso) from the picture as it is now, with the
   * global prompt: the selection is the mask (pixels outside it come back unchanged). Lands as
   * a new layer holding only the selected pixels, or (`into`) replaces those pixels of that
   * raster layer. One undo step either way. */
  async regenerateSelection(strength: number, into?: string): Promise<void> {
    const { document: doc, docId } = this.core;
    const sel = this.core.state.pixelSelection;
    if (!doc || !docId || this.jobs.busy) return;
    const bounds = sel ? selectionBounds(sel) : null;
    if (!sel || !bounds) return this.core.toast('info', 'Select an area first (M marquee, L lasso)');
    const tooLarge = generationSizeProblem(doc);
    if (tooLarge) return this.core.toast('error', tooLarge, 'too_large');
    const spec = buildSpec({ ...doc, layers: [] }, this.settings);
    this.store.set({ lastSeed: spec.seed });
    const box: [number, number, number, number] = [bounds.x, bounds.y, bounds.width, bounds.height];
    try {
      await this.jobs.start(
        { task: 'generate', docId, spec, regenerateArea: { box, strength, mask: selectionAsImage(sel), ...(into ? { into } : {}) } },
        { noun: 'Regeneration', steps: spec.steps },
      );
    } finally {
      if (!this.settings.seedLocked) this.set({ seed: randomSeed() });
    }
  }

  /** Regenerates with the last generation's seed and the stack's current region order, so
   * each instance keeps its identity while the occlusion follows the new order. */
  async rebindOrder(): Promise<void> {
    const { lastSeed: seed, lastResultId } = this.store.get();
    if (seed === null) return;
    const replace = this.settings.replacePrevious && lastResultId && this.core.document && findLayer(this.core.document.layers, lastResultId) ? lastResultId : undefined;
    await this.generate(seed, replace);
  }

  /** Keeps one of the last run's variations and deletes the others (one undo step). */
  async pickVariation(layerId: string): Promise<void> {
    const doc = this.core.document;
    const { candidates } = this.store.get();
    if (!doc || !candidates.includes(layerId)) return;
    const others = candidates.filter((id) => id !== layerId && findLayer(doc.layers, id));
    if (others.length && !(await this.core.mutate([{ op: 'remove', ids: others }], { label: 'Pick Variation' }))) return;
    this.store.set({ candidates: [], lastResultId: layerId });
    this.core.select([layerId]);
  }

  /** Keeps every variation (the strip goes away). */
  keepAllVariations(): void {
    this.store.set({ candidates: [] });
  }

  /** Loads a past generation's spec from the document's history into the panel (its seed
   * locked, so Generate makes that picture again) and puts back the regions it had that
   * are no longer in the document (one undo step). */
  async reopen(entryId: string): Promise<void> {
    const doc = this.core.document;
    const entry = doc?.generations?.find((e) => e.id === entryId);
    if (!doc || !entry) return;
    this.set(settingsFromSpec(entry.spec, this.settings));
    const missing = entry.area ? [] : entry.spec.regions.filter((r) => !findLayer(doc.layers, r.id));
    if (missing.length) {
      const palette = colourPalette(this.core.state.packs);
      await this.core.mutate(missing.map((r, i) => ({ op: 'add' as const, index: i, layer: restoredRegion(r, palette) })), { label: 'Reopen Generation' });
    }
    this.core.toast('info', `Reopened "${entry.spec.prompt.trim() || '(no prompt)'}", seed ${entry.spec.seed}`);
  }

  dispose(): void {
    this.unsubscribe();
  }
}

/** The framework-free registration (the app adds the view in ../task-panels.ts). */
export const generateTaskPanel: TaskPanelDefinition = { id: 'generate', create: (ctx) => new GenerateTask(ctx) };
