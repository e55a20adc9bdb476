// The Generate Layers panel's controller (framework-free; ART, issue 17): one prompt for
// the Layers tool's anonymous boxes -> a `layers` job whose result lands as one named
// group (one undo step), and "Re-generate this box": the same prompt and boxes with a new
// seed, only that box's layer comes back and its pixels are replaced in place. The view is
// ./layers-panel.tsx; both are registered once in ../task-panels.ts.
import type { PackSummary } from '../../../common/contract/contract.ts';
import type { TaskSpecInput } from '../../../common/contract/tasks.ts';
import type { Layer } from '../../../common/document/document-schema.ts';
import { findLayer } from '../../../common/document/layer-tree.ts';
import type { EditorCore } from '../../editor/editor-core.ts';
import type { JobTracker } from '../../editor/jobs/job-tracker.ts';
import type { TaskPanel, TaskPanelContext, TaskPanelDefinition } from '../../editor/jobs/task-panel.ts';
import { LayerBoxes, specBoxes } from '../../editor/layer-boxes.ts';
import { Store } from '../../editor/store.ts';
import { generationSizeProblem, randomSeed } from '../generate/generation.ts';
import type { GenerationSettings } from '../generate/generate-settings.ts';

/** The generate panel's basic settings; packId null: the engine picks the first pack with the ART pipeline. */
export type LayersSettings = Pick<GenerationSettings, 'prompt' | 'seed' | 'seedLocked' | 'steps' | 'guidance' | 'packId'>;

export interface LayersState {
  settings: LayersSettings;
  lastSeed: number | null;
}

export function initialLayersState(): LayersState {
  return { settings: { prompt: '', seed: 1234, seedLocked: false, steps: 20, guidance: 4, packId: null }, lastSeed: null };
}

/** The packs that generate layers (the ART pipeline), loadable first. */
export function artPacks(packs: readonly PackSummary[]): PackSummary[] {
  return packs.filter((p) => p.pipelines.includes('art')).sort((a, b) => Number(b.ok) - Number(a.ok));
}

/** Where a layer made by a layers job came from: its box (0-based), the job's prompt and
 * boxes, the size it was made at; null for any other layer. */
export function artSource(layer: Layer | undefined): { box: number; boxes: [number, number, number, number][]; width: number; height: number } | null {
  if (!layer || layer.kind !== 'raster' || layer.provenance?.task !== 'layers') return null;
  const art = layer.provenance.params.art as { box?: unknown; boxes?: unknown } | undefined;
  if (!art || typeof art.box !== 'number' || !Array.isArray(art.boxes) || !art.boxes[art.box]) return null;
  return { box: art.box, boxes: art.boxes as [number, number, number, number][], width: layer.width, height: layer.height };
}

export class LayersTask implements TaskPanel {
  readonly id = 'layers' as const;
  readonly store = new Store<LayersState>(initialLayersState());
  private readonly core: EditorCore;
  private readonly jobs: JobTracker;
  /** the Layers tool's boxes (their state is the editor store's) */
  private readonly boxes: LayerBoxes;

  constructor(ctx: TaskPanelContext) {
    this.core = ctx.core;
    this.jobs = ctx.jobs;
    this.boxes = new LayerBoxes(ctx.core);
  }

  get settings(): LayersSettings {
    return this.store.get().settings;
  }

  set(patch: Partial<LayersSettings>): void {
    this.store.set({ settings: { ...this.settings, ...patch } });
  }

  run(): Promise<void> {
    return this.generate();
  }

  /** The spec for the Layers tool's boxes on this document with the panel's settings. */
  spec(): TaskSpecInput<'layers'> | null {
    const doc = this.core.document;
    if (!doc) return null;
    const s = this.settings;
    return {
      prompt: s.prompt, boxes: specBoxes(this.boxes.boxes), width: doc.width, height: doc.height,
      seed: s.seed, steps: s.steps, guidance: s.guidance, ...(s.packId ? { packId: s.packId } : {}),
    };
  }

  /** Starts a layers job for the boxes; the engine's errors (a box outside the canvas, no
   * ART pack, no prompt) come back as error toasts. Once the group landed the boxes stay
   * (to adjust and generate again) with a fresh undo history: the next undo is the group's. */
  async generate(): Promise<void> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId || this.jobs.busy) return;
    if (!this.boxes.boxes.length) return this.core.toast('info', 'Draw at least one box with the Layers tool (A) first');
    const tooLarge = generationSizeProblem(doc);
    if (tooLarge) return this.core.toast('error', tooLarge, 'too_large');
    const spec = this.spec()!;
    this.store.set({ lastSeed: spec.seed });
    try {
      await this.jobs.start({ task: 'layers', docId, spec }, { noun: 'Layers', steps: spec.steps, onLanded: () => this.landed() });
    } finally {
      if (!this.settings.seedLocked) this.set({ seed: randomSeed() });
    }
  }

  /** The group landed (and is selected): the boxes stay, without handles (Delete is the group's) or undo steps. */
  private landed(): void {
    this.boxes.select(null);
    this.boxes.resetHistory();
  }

  /** Re-generates the layer of one box of a layers job: the same prompt, boxes, steps and
   * pack with a new seed; only that box's layer comes back and replaces this layer's pixels
   * (one undo step; the group's other layers stay as they are). */
  async regenerateBox(layerId: string, seed?: number): Promise<void> {
    const { document: doc, docId } = this.core;
    if (!doc || !docId || this.jobs.busy) return;
    const layer = findLayer(doc.layers, layerId)?.layer;
    const src = artSource(layer);
    if (!layer || !src || !layer.provenance) return this.core.toast('error', 'this layer did not come from a Generate Layers job', 'bad_request');
    const p = layer.provenance;
    let next = seed ?? randomSeed();
    while (seed === undefined && next === p.seed) next = randomSeed();
    const spec: TaskSpecInput<'layers'> = {
      prompt: p.prompt, boxes: src.boxes, width: src.width, height: src.height, seed: next, steps: p.steps,
      guidance: p.guidance ?? this.settings.guidance, packId: p.packId, only: [src.box],
    };
    await this.jobs.start({ task: 'layers', docId, spec, replaceLayerId: layerId }, { noun: `Box ${src.box + 1}`, steps: spec.steps });
  }
}

/** The framework-free registration (the app adds the view in ../task-panels.ts). */
export const layersTaskPanel: TaskPanelDefinition = { id: 'layers', create: (ctx) => new LayersTask(ctx) };
