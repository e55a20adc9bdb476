// `npm run bench -- art`: ART's layer-wise region crop against full attention over every
// layer at full canvas, same weights (the shipped ART pack), same process, one run each:
// - art_speedup_vs_full: transformer time per step at 50 boxes, region-cropped sequence
//   vs every box layer on the whole token grid (the paper's >= 12x claim is about this);
// - art_speedup_vs_full_pipeline: the whole run (load, encode, denoise, decode of all 52
//   layers, resample) at the same step count, where decoding is the same in both;
// - art10_ms: a 10-box run end to end at the pack's default steps;
// - peak RSS of the process (50 boxes must not run out of memory).
// Prints one JSON object.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackRegistry } from '../../runtime/pack-registry.ts';
import { readPackModel } from '../../runtime/pack-model.ts';
import { SessionPool } from '../../runtime/session-pool.ts';
import { ArtPipeline } from '../pipeline-art.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** `n` boxes spread over a square canvas of `side` px, deterministic: sides 8-28 px on a jittered lattice. */
export function benchBoxes(n: number, side: number): [number, number, number, number][] {
  const cols = Math.ceil(Math.sqrt(n));
  const cell = side / cols;
  return Array.from({ length: n }, (_, k) => {
    const w = Math.min(cell, 8 + ((k * 7) % 21));
    const h = Math.min(cell, 8 + ((k * 11) % 21));
    const x = Math.min(side - w, Math.floor((k % cols) * cell + ((k * 5) % 4)));
    const y = Math.min(side - h, Math.floor(Math.floor(k / cols) * cell + ((k * 3) % 4)));
    return [x, y, w, h];
  });
}

export async function runArtBench(log: (l: string) => void = () => {}) {
  const registry = await loadPackRegistry([join(REPO, 'models')]);
  const pack = registry.resolve(undefined, 'art');
  const model = readPackModel(pack);
  const side = model.native.width;
  const pool = new SessionPool();
  const ctx = { signal: new AbortController().signal, progress: () => {} };
  const prompt = 'a large red star and a small blue circle on a white background';
  const run = (boxes: [number, number, number, number][], steps: number, fullLayers = false) =>
    new ArtPipeline(pack, { pool, fullLayers }).run({ prompt, boxes, width: side, height: side, seed: 1, steps, device: 'cpu' }, ctx);
  try {
    await run(benchBoxes(2, side), 2); // warm: sessions created, first-run allocations done
    const b50 = benchBoxes(50, side);
    const steps = 4;
    log('art bench: 50 boxes, region-cropped…');
    const cropped = await run(b50, steps);
    log('art bench: 50 boxes, full attention over every layer…');
    const full = await run(b50, steps, true);
    log('art bench: 10 boxes at the default steps…');
    const defaultSteps = model.scheduler.defaultSteps;
    const ten = await run(benchBoxes(10, side), defaultSteps);
    return {
      pack: `${pack.id} ${model.version}`,
      boxes: 50, steps,
      tokens_cropped: cropped.timings.tokens, tokens_full: full.timings.tokens,
      step_ms_cropped: cropped.timings.step_ms, step_ms_full: full.timings.step_ms,
      art_speedup_vs_full: Math.round((full.timings.step_ms / cropped.timings.step_ms) * 10) / 10,
      total_ms_cropped: cropped.timings.total_ms, total_ms_full: full.timings.total_ms,
      art_speedup_vs_full_pipeline: Math.round((full.timings.total_ms / cropped.timings.total_ms) * 10) / 10,
      art10_ms: ten.timings.total_ms, art10_steps: defaultSteps, art10_step_ms: ten.timings.step_ms,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      provider: cropped.provider,
    };
  } finally {
    await pool.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await runArtBench((l) => process.stderr.write(`${l}\n`))));
}
