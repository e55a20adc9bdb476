// Placement (TopNet, issue 14): where, and how large, an object plausibly goes over a
// background, as a heatmap over (scale, y, x) from ONE network call. Used by the place
// task (the editor's live heatmap, snap and suggestions), `lamina place` and the bench.
//
// Output conventions: common/placement/placement-kernels.ts (cells, normalization, the
// object box, placements = top-left of the scaled object image).
import { PlaceSpec } from '../../../common/contract/task-specs.ts';
import type { ArtifactResult } from '../../../common/contract/task-results.ts';
import { parseOrReject } from '../../../common/contract/validate.ts';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { isPlacementManifest, type GraphSpec, type PlacementComponent } from '../../../common/models/pack-manifest.ts';
import {
  cellToPlacement, nearestScaleBin, scaleSlice, softmaxAll, topCells, type Box, type HeatmapVolume, type Placement, type RgbaPixels,
} from '../../../common/placement/placement-kernels.ts';
import { throwIfCancelled, type JobContext } from '../jobs/job-context.ts';
import type { JobInputs } from '../jobs/job-protocol.ts';
import type { Device } from '../runtime/execution-providers.ts';
import { GraphRunner } from '../runtime/graph-runner.ts';
import type { Pack } from '../runtime/pack-registry.ts';
import { sharedSessionPool, type PooledSession, type SessionPool } from '../runtime/session-pool.ts';
import { floatTensor } from '../runtime/tensors.ts';
import { backgroundInput, objectInput } from './placement/place-inputs.ts';
import { registerPipeline, type Pipeline } from './pipeline-registry.ts';
import { join } from 'node:path';

export interface PlaceRequest {
  background: RgbaPixels;
  object: RgbaPixels;
  /** how many placements (best first, non-maximum suppressed); default 5 */
  top?: number;
  signal?: AbortSignal;
  device?: Device;
}

export interface PlaceOutput {
  /** the distribution over (scale, y, x); sums to 1 */
  volume: HeatmapVolume;
  placements: Placement[];
  /** the object's alpha box in its own pixels */
  box: Box;
  provider: string;
  timings: { inputs_ms: number; network_ms: number; total_ms: number };
}

export interface PlacementOptions {
  pool?: SessionPool;
  device?: Device;
}

/** The placement component of a pack, or a bad_pack error naming what is missing. */
export function placementComponent(pack: Pack): { component: PlacementComponent; graph: GraphSpec & { path: string; bytes: number }; discriminator: (GraphSpec & { path: string; bytes: number }) | null } {
  const m = pack.manifest;
  if (!isPlacementManifest(m)) throw new LaminaError('bad_pack', `model pack "${pack.id}" has no placement component (it is a ${m.components.transformer.family} diffusion pack)`);
  const c = m.components.placement;
  const resolve = (name: string) => ({ ...m.graphs[name], path: join(pack.dir, m.graphs[name].file), bytes: m.files[m.graphs[name].file]?.bytes ?? 0 });
  return { component: c, graph: resolve(c.graph), discriminator: c.discriminator ? resolve(c.discriminator) : null };
}

export class PlacementPipeline implements Pipeline {
  readonly name = 'placement';
  readonly component: PlacementComponent;
  private readonly graphSpec: GraphSpec & { path: string; bytes: number };

  constructor(
    readonly pack: Pack,
    readonly options: PlacementOptions = {},
  ) {
    const p = placementComponent(pack);
    this.component = p.component;
    this.graphSpec = p.graph;
  }

  /** One heatmap: background + object -> distribution over (scale, y, x) + the best placements. */
  async place(req: PlaceRequest): Promise<PlaceOutput> {
    const t0 = performance.now();
    const c = this.component;
    // 1. Check the object against the background (hostile inputs -> bad_request) and
    //    build the inputs: background resized, object fitted into its canvas.
    if (req.background.width < 8 || req.background.height < 8) throw new LaminaError('bad_request', `background is ${req.background.width} x ${req.background.height} px: too small to place on (at least 8 x 8)`);
    const obj = objectInput(req.object, req.background, c.object.width, c.object.alphaBox);
    const bg = backgroundInput(req.background, c.background.width, c.background.height);
    const t1 = performance.now();
    if (req.signal) throwIfCancelled(req.signal);

    // 2. One network call.
    const pool = this.options.pool ?? sharedSessionPool();
    const session: PooledSession = await pool.acquire({ path: this.graphSpec.path, bytes: this.graphSpec.bytes || undefined, label: `${this.pack.id}/${c.graph}` }, req.device ?? this.options.device ?? 'auto');
    let logits: Float32Array;
    const runner = new GraphRunner(`${this.pack.id}/${c.graph}`, session, this.graphSpec);
    try {
      const out = await runner.run({
        [c.io.background]: floatTensor(bg, [1, 3, c.background.height, c.background.width]),
        [c.io.object]: floatTensor(obj.canvas, [1, 4, c.object.height, c.object.width]),
        [c.io.objectSize]: floatTensor(obj.size, [1, 2]),
      }, { fetch: [c.io.logits], zeroFill: false });
      logits = out[c.io.logits].data as Float32Array;
    } finally {
      pool.release(session);
    }
    const t2 = performance.now();
    const expected = c.scales.length * c.heatmap.width * c.heatmap.height;
    if (logits.length !== expected) throw new LaminaError('bad_pack', `${this.pack.id}/${c.graph}: ${logits.length} logits, the manifest's heatmap needs ${expected} (${c.scales.length} x ${c.heatmap.height} x ${c.heatmap.width})`);

    // 3. Normalize (softmax over every cell) and read off the best placements.
    const volume: HeatmapVolume = { scales: c.scales, width: c.heatmap.width, height: c.heatmap.height, values: softmaxAll(logits) };
    const placements = topCells(volume, req.top ?? 5).map((cell) => cellToPlacement(cell, volume, req.background, obj.box));
    const t3 = performance.now();
    return { volume, placements, box: obj.box, provider: session.provider, timings: { inputs_ms: t1 - t0, network_ms: t2 - t1, total_ms: t3 - t0 } };
  }

  /** The place task: the object layer over the composite below it (pixels from the engine). */
  async run(specInput: unknown, ctx: JobContext, inputs?: JobInputs): Promise<ArtifactResult> {
    const spec = parseOrReject(PlaceSpec, specInput, 'place spec');
    if (!inputs?.background || !inputs.object) throw new LaminaError('bad_request', 'place needs the object layer and the background below it (the engine gathers them from the document)');
    const out = await this.place({ background: inputs.background, object: inputs.object, top: spec.top, signal: ctx.signal, device: spec.device as Device });
    const s = nearestScaleBin(out.volume.scales, spec.scale);
    return {
      landing: 'artifact',
      artifact: {
        kind: 'heatmap',
        width: out.volume.width,
        height: out.volume.height,
        values: Array.from(scaleSlice(out.volume, s)),
        label: `placement at ${out.volume.scales[s].toFixed(2)}x`,
        scale: out.volume.scales[s],
        scales: [...out.volume.scales],
        placements: out.placements,
        background: { width: inputs.background.width, height: inputs.background.height },
        box: out.box,
      },
      provider: out.provider,
      timings: out.timings,
      notes: [],
    };
  }
}

registerPipeline('placement', (pack) => new PlacementPipeline(pack));
