// Landing and first-paint bench for one 1024x1024 result (`npm run bench -- landing`, or
//   node --import tsx e2e/bench-landing.ts [--rounds 7]); prints one JSON line.
// landing: a real Engine whose job worker (bench-landing-worker.ts) packs a ready image
//   as the pipelines do and posts it over the job protocol; from jobs.start to the job's
//   'done' event, i.e. pack in the worker + worker -> engine + parse + land in the document.
// first paint: Debian Chromium against `lamina serve`; from the layer appearing in the
//   editor's document to the frame after its pixels are decoded in the image cache
//   (document.image over the WebSocket + decode). Medians over the rounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import type { JobEvent } from '../common/contract/contract.ts';
import { Engine } from '../main/engine/engine.ts';
import { benchPixels } from './bench-pixels.ts';
import { buildRenderer, launch, startServe, WsContract } from './harness.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } } });
const ROUNDS = Number(values.rounds);
const SIDE = 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round2 = (x: number) => Math.round(x * 100) / 100;

async function landing(work: string): Promise<{ land_ms: number; package_ms: number }> {
  const engine = new Engine({ packDirs: [], recoveryDir: join(work, 'recovery'), autosaveMs: 0, jobWorker: new URL('./bench-landing-worker-entry.mjs', import.meta.url) });
  try {
    const { docId } = await engine.call('document.new', { width: SIDE, height: SIDE });
    const land: number[] = [];
    const pack: number[] = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      const t0 = performance.now();
      const { jobId } = await engine.call('jobs.start', { task: 'generate', docId, spec: { prompt: 'bench', width: SIDE, height: SIDE, seed: 0, steps: 1 } });
      const ev = await new Promise<JobEvent>((resolve) => {
        const off = engine.on('job.event', (e) => { if (e.jobId === jobId && ['done', 'failed'].includes(e.state)) { off(); resolve(e); } });
      });
      if (ev.state !== 'done') throw new Error(`bench job ${ev.state}: ${ev.message}`);
      if (r === 0) continue; // warm-up: worker start
      land.push(performance.now() - t0);
      pack.push((ev.result as { timings: { package_ms: number } }).timings.package_ms);
    }
    const doc = await engine.call('document.get', { docId });
    if (doc.document.layers.length !== ROUNDS + 1) throw new Error(`expected ${ROUNDS + 1} landed layers, got ${doc.document.layers.length}`);
    return { land_ms: round2(median(land)), package_ms: round2(median(pack)) };
  } finally {
    await engine.close();
  }
}

async function firstPaint(work: string): Promise<{ first_paint_ms: number }> {
  const png = join(work, 'result.png');
  await sharp(Buffer.from(benchPixels(SIDE)), { raw: { width: SIDE, height: SIDE, channels: 4 } }).png().toFile(png);
  buildRenderer();
  const served = await startServe();
  const contract = new WsContract(served.port);
  const b = await launch();
  try {
    await b.page.goto(served.url);
    await b.page.waitForSelector('[data-testid=app][data-connection=open]', { timeout: 20_000 });
    const docId = await b.page.evaluate(async (side) => {
      const w = window as unknown as { __lamina: { editor: { newDocument(w: number, h: number, n: string): Promise<boolean>; docId: string } } };
      await w.__lamina.editor.newDocument(side, side, 'Bench');
      return w.__lamina.editor.docId;
    }, SIDE);
    const times: number[] = [];
    for (let r = 0; r < ROUNDS + 1; r++) {
      // arm the page: wait for one more layer, then for its pixels, then for the next frame
      const painted = b.page.evaluate(async (count) => {
        type Lam = { editor: { document: { layers: { imageId?: string }[] } | null }; cache: { has(id: string): boolean } };
        const lam = (window as unknown as { __lamina: Lam }).__lamina;
        const frame = () => new Promise<number>((res) => requestAnimationFrame(res));
        while ((lam.editor.document?.layers.length ?? 0) <= count) await new Promise((res) => setTimeout(res, 1));
        const t0 = performance.now();
        const id = lam.editor.document!.layers[0].imageId!;
        while (!lam.cache.has(id)) await frame();
        await frame();
        return performance.now() - t0;
      }, r);
      await contract.call('document.import', { docId, path: png });
      const ms = await painted;
      if (r > 0) times.push(ms);
    }
    return { first_paint_ms: round2(median(times)) };
  } finally {
    contract.close();
    await b.close();
    await served.stop();
  }
}

const work = mkdtempSync(join(tmpdir(), 'lamina-bench-landing-'));
try {
  const out = { size: SIDE, rounds: ROUNDS, ...(await landing(work)), ...(await firstPaint(work)) };
  if (!values.json) console.error(`landing bench (${SIDE}x${SIDE}, median of ${ROUNDS}): land ${out.land_ms} ms (pack in worker ${out.package_ms} ms), first paint ${out.first_paint_ms} ms`);
  console.log(JSON.stringify(out));
} finally {
  rmSync(work, { recursive: true, force: true });
}
