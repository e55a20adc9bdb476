// `npm run bench -- placement`: one TopNet heatmap (warm, CPU) vs the sliding-window
// baseline (the pack's discriminator scoring candidates one window each), in the same
// process, same inputs, same session options. Two sliding windows:
// - over every placement the heatmap scores (45,056 on the shipped pack: the same output,
//   like for like): `place_speedup_vs_sliding`, the figure;
// - over the evaluation's coarse grid (3,072 placements, models/recipes/topnet_disc.py
//   sliding_grid: every 2nd row and scale, every 4th column; what docs/placement.md's
//   accuracy table ran): `place_speedup_vs_sliding_coarse_grid`.
// LAMINA_BENCH_PLACE_EVERY_CELL=0 skips the first (it takes ~30-80 s on 2 cores).
// Prints one JSON object.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { decodeImage } from '../../imaging/image-codec.ts';
import { loadPackRegistry } from '../../runtime/pack-registry.ts';
import { GraphRunner } from '../../runtime/graph-runner.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { floatTensor } from '../../runtime/tensors.ts';
import { PlacementPipeline, placementComponent } from '../pipeline-placement.ts';
import { topCells } from '../../../../common/placement/placement-kernels.ts';
import { backgroundInput, objectInput } from './place-inputs.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..', '..');
export const FIXTURES = join(HERE, '..', 'fixtures', 'placement');

/** The sliding-window grid of topnet_disc.sliding_grid: (scale bin, row, column) cells. */
export function slidingCells(scales: number, grid: number): { s: number; i: number; j: number }[] {
  const out: { s: number; i: number; j: number }[] = [];
  for (let s = 0; s < scales; s += 2) for (let i = 1; i < grid; i += 2) for (let j = 2; j < grid; j += 4) out.push({ s, i, j });
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runPlacementBench(opts: { runs?: number; slidingRuns?: number; everyCell?: boolean; log?: (l: string) => void } = {}) {
  const log = opts.log ?? (() => {});
  const registry = await loadPackRegistry([join(REPO, 'models')]);
  const pack = registry.resolve(undefined, 'placement');
  const { component: c, discriminator } = placementComponent(pack);
  if (!discriminator) throw new LaminaError('bad_pack', `${pack.id} has no discriminator graph for the sliding-window baseline`);
  const bg = await decodeImage(readFileSync(join(FIXTURES, 'scene-0-background.png')));
  const obj = await decodeImage(readFileSync(join(FIXTURES, 'scene-0-object.png')));
  const pool = new SessionPool();
  try {
    const pipe = new PlacementPipeline(pack, { pool, device: 'cpu' });
    for (let k = 0; k < 3; k++) await pipe.place({ background: bg, object: obj });
    const runs = opts.runs ?? 30;
    const total: number[] = [], network: number[] = [];
    for (let k = 0; k < runs; k++) {
      const out = await pipe.place({ background: bg, object: obj });
      total.push(out.timings.total_ms);
      network.push(out.timings.network_ms);
    }
    const placeMs = median(total);
    log(`place: ${placeMs.toFixed(1)} ms (network ${median(network).toFixed(1)} ms), ${runs} warm runs`);

    // sliding window: the discriminator on every candidate, then the same top-k
    const cells = slidingCells(c.scales.length, c.heatmap.width);
    const cand = new Float32Array(cells.length * 3);
    cells.forEach((cell, n) => cand.set([(cell.j + 0.5) / c.heatmap.width, (cell.i + 0.5) / c.heatmap.height, c.scales[cell.s]], n * 3));
    const session = await pool.acquire({ path: discriminator.path, label: `${pack.id}/discriminator` }, 'cpu');
    const runner = new GraphRunner(`${pack.id}/discriminator`, session, discriminator);
    const sliding: number[] = [];
    try {
      for (let k = 0; k < (opts.slidingRuns ?? 3) + 1; k++) {
        const t0 = performance.now();
        const o = objectInput(obj, bg, c.object.width, c.object.alphaBox);
        const b = backgroundInput(bg, c.background.width, c.background.height);
        const out = await runner.run({
          background: floatTensor(b, [1, 3, c.background.height, c.background.width]),
          object: floatTensor(o.canvas, [1, 4, c.object.height, c.object.width]),
          object_size: floatTensor(o.size, [1, 2]),
          candidates: floatTensor(cand, [cells.length, 3]),
        }, { zeroFill: false });
        const scores = out[runner.outputNames[0]].data as Float32Array;
        const vol = new Float32Array(c.scales.length * c.heatmap.width * c.heatmap.height).fill(-Infinity);
        cells.forEach((cell, n) => (vol[(cell.s * c.heatmap.height + cell.i) * c.heatmap.width + cell.j] = scores[n]));
        topCells({ scales: c.scales, width: c.heatmap.width, height: c.heatmap.height, values: vol }, 5);
        if (k > 0) sliding.push(performance.now() - t0); // first = warm-up
      }
    } finally {
      pool.release(session);
    }
    const slidingMs = median(sliding);
    log(`sliding window: ${slidingMs.toFixed(0)} ms for ${cells.length} candidates (the evaluation's coarse grid)`);

    // every cell of the heatmap, once, in chunks
    const all = c.scales.length * c.heatmap.width * c.heatmap.height;
    const result = {
      pack: `${pack.id}@${pack.manifest.version}`,
      place_ms: Math.round(placeMs * 100) / 100,
      place_network_ms: Math.round(median(network) * 100) / 100,
      heatmap_cells: all,
      /** the sliding window over the same placements the heatmap scores (null when skipped) */
      sliding_ms: null as number | null,
      place_speedup_vs_sliding: null as number | null,
      /** the sliding window over the evaluation's coarse grid (docs/placement.md) */
      sliding_coarse_grid_ms: Math.round(slidingMs),
      sliding_coarse_grid_candidates: cells.length,
      place_speedup_vs_sliding_coarse_grid: Math.round((slidingMs / placeMs) * 10) / 10,
      targets: { place_ms: '<= 30', place_speedup_vs_sliding: '>= 100' },
      provider: 'cpu',
    };
    if (!opts.everyCell) return result;
    const chunk = 4096;
    const t0 = performance.now();
    const o = objectInput(obj, bg, c.object.width, c.object.alphaBox);
    const b = backgroundInput(bg, c.background.width, c.background.height);
    const fullScores = new Float32Array(all);
    const session2 = await pool.acquire({ path: discriminator.path, label: `${pack.id}/discriminator` }, 'cpu');
    try {
      const r2 = new GraphRunner(`${pack.id}/discriminator`, session2, discriminator);
      for (let n0 = 0; n0 < all; n0 += chunk) {
        const n = Math.min(chunk, all - n0);
        const cc = new Float32Array(n * 3);
        for (let q = 0; q < n; q++) {
          const idx = n0 + q, sBin = Math.floor(idx / (c.heatmap.width * c.heatmap.height)), rem = idx % (c.heatmap.width * c.heatmap.height);
          cc.set([((rem % c.heatmap.width) + 0.5) / c.heatmap.width, (Math.floor(rem / c.heatmap.width) + 0.5) / c.heatmap.height, c.scales[sBin]], q * 3);
        }
        const out = await r2.run({
          background: floatTensor(b, [1, 3, c.background.height, c.background.width]),
          object: floatTensor(o.canvas, [1, 4, c.object.height, c.object.width]),
          object_size: floatTensor(o.size, [1, 2]),
          candidates: floatTensor(cc, [n, 3]),
        }, { zeroFill: false });
        fullScores.set(out[r2.outputNames[0]].data as Float32Array, n0);
      }
      topCells({ scales: c.scales, width: c.heatmap.width, height: c.heatmap.height, values: fullScores }, 5);
    } finally {
      pool.release(session2);
    }
    const fullMs = performance.now() - t0;
    log(`sliding window over every heatmap cell: ${fullMs.toFixed(0)} ms for ${all} candidates`);
    return { ...result, sliding_ms: Math.round(fullMs), place_speedup_vs_sliding: Math.round((fullMs / placeMs) * 10) / 10 };

  } finally {
    await pool.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await runPlacementBench({ everyCell: process.env.LAMINA_BENCH_PLACE_EVERY_CELL !== '0', log: (l) => process.stderr.write(l + '\n') });
  process.stdout.write(JSON.stringify(result) + '\n');
}
