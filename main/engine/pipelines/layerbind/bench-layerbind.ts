// Cost of LayerBind against plain text-to-image at the same steps, on one pack and one
// session pool (for `lamina bench --json`: layerbind2_ratio, layerbind4_ratio). Runs are
// interleaved (t2i, LB2, LB4, t2i, ...) so all see the same background load; ratios use
// the best run of each (the least disturbed), medians are reported beside them.
//
//   node --import tsx main/engine/pipelines/layerbind/bench-layerbind.ts [packDir] [--steps 20] [--iters 5]
import { fileURLToPath } from 'node:url';
import type { GenerationSpecInput } from '../../../../common/contract/generation-spec.ts';
import { detachedJobContext as ctx } from '../../jobs/job-context.ts';
import type { Device } from '../../runtime/execution-providers.ts';
import { readPackModel } from '../../runtime/pack-model.ts';
import { verifyPack } from '../../runtime/pack-registry.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { LayerBindPipeline, type LayerBindParams } from '../pipeline-layerbind.ts';
import { TextToImagePipeline } from '../pipeline-text-to-image.ts';

const PROMPT = 'a large red star and a small blue circle and a medium pink square and a large black heart on a yellow background';
const REGION_PROMPTS = ['a large red star', 'a small blue circle', 'a medium pink square', 'a large black heart'];

export interface LayerBindBenchOptions {
  packDir: string;
  device?: Device;
  steps?: number;
  iters?: number;
  params?: LayerBindParams;
  log?: (line: string) => void;
}

export interface LayerBindBench {
  pack: string;
  steps: number;
  iters: number;
  t2i_ms: number;
  layerbind2_ms: number;
  layerbind4_ms: number;
  layerbind2_ratio: number;
  layerbind4_ratio: number;
  /** median-based ratios (for a sense of the noise) */
  layerbind2_ratio_median: number;
  layerbind4_ratio_median: number;
  /** transformer batch items per run (the work LayerBind adds, free of timing noise) */
  items: { t2i: number; layerbind2: number; layerbind4: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r2 = (x: number) => Math.round(x * 100) / 100;

/** n overlapping regions on a w x h canvas: a diagonal cascade of boxes ~45% of the side. */
export function cascadeRegions(n: number, w: number, h: number): { regions: { id: string; box: [number, number, number, number]; prompt: string }[]; order: string[] } {
  const side = 0.45;
  const step = n > 1 ? (1 - side) / (n - 1) : 0;
  const regions = Array.from({ length: n }, (_, k) => ({
    id: `r${k + 1}`,
    box: [Math.round(k * step * w), Math.round(k * step * 0.8 * h), Math.round(side * w), Math.round(side * h)] as [number, number, number, number],
    prompt: REGION_PROMPTS[k % REGION_PROMPTS.length],
  }));
  return { regions, order: regions.map((r) => r.id) };
}

export async function benchLayerBind(opts: LayerBindBenchOptions): Promise<LayerBindBench> {
  const pack = await verifyPack(opts.packDir);
  const { native } = readPackModel(pack);
  const steps = opts.steps ?? 20;
  const iters = opts.iters ?? 5;
  const pool = new SessionPool();
  try {
    const base: GenerationSpecInput = { prompt: PROMPT, width: native.width, height: native.height, seed: 1, steps, guidance: 4, device: opts.device ?? 'cpu' };
    const t2i = new TextToImagePipeline(pack, { pool, previewEvery: 0 });
    const lb = new LayerBindPipeline(pack, { pool, previewEvery: 0, ...opts.params });
    const specs = { 2: { ...base, ...cascadeRegions(2, native.width, native.height) }, 4: { ...base, ...cascadeRegions(4, native.width, native.height) } };
    // warm-up (sessions, allocator arenas) and work counts
    await t2i.run(base, ctx());
    const w2 = await lb.run(specs[2], ctx());
    const w4 = await lb.run(specs[4], ctx());
    const times: { t2i: number[]; lb2: number[]; lb4: number[] } = { t2i: [], lb2: [], lb4: [] };
    for (let k = 0; k < iters; k++) {
      let t = performance.now();
      await t2i.run(base, ctx());
      times.t2i.push(performance.now() - t);
      t = performance.now();
      await lb.run(specs[2], ctx());
      times.lb2.push(performance.now() - t);
      t = performance.now();
      await lb.run(specs[4], ctx());
      times.lb4.push(performance.now() - t);
      opts.log?.(`iter ${k + 1}/${iters}: t2i ${times.t2i[k].toFixed(1)} ms, layerbind2 ${times.lb2[k].toFixed(1)} ms, layerbind4 ${times.lb4[k].toFixed(1)} ms`);
    }
    const best = (xs: number[]) => Math.min(...xs);
    return {
      pack: pack.id, steps, iters,
      t2i_ms: r2(best(times.t2i)), layerbind2_ms: r2(best(times.lb2)), layerbind4_ms: r2(best(times.lb4)),
      layerbind2_ratio: r2(best(times.lb2) / best(times.t2i)), layerbind4_ratio: r2(best(times.lb4) / best(times.t2i)),
      layerbind2_ratio_median: r2(median(times.lb2) / median(times.t2i)), layerbind4_ratio_median: r2(median(times.lb4) / median(times.t2i)),
      items: { t2i: steps * (base.guidance! > 1 ? 2 : 1), layerbind2: w2.timings.batch_items, layerbind4: w4.timings.batch_items },
    };
  } finally {
    await pool.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const steps = Number(flag('--steps') ?? 20);
  const iters = Number(flag('--iters') ?? 5);
  const packDir = args[0] ?? fileURLToPath(new URL('../../runtime/fixtures/tiny-pack', import.meta.url));
  const res = await benchLayerBind({ packDir, steps, iters, log: (l) => console.error(l) });
  console.log(JSON.stringify(res, null, 1));
}
