// Canvas frame-time bench (not a test; `npm run bench` runs it later, or run it directly:
//   node --import tsx e2e/bench-canvas.ts [--layers 50] [--size 1024] [--frames 120]).
// 50 raster layers of 1024x1024 in one document, in Debian Chromium headless against
// `lamina serve`; pan, zoom and drag are driven from requestAnimationFrame and the frame
// time is the gap between consecutive rAF timestamps. Prints p50/p95 ms per gesture.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { artifactsDir, buildRenderer, launch, startServe, WsContract } from './harness.ts';

const { values } = parseArgs({ options: { layers: { type: 'string', default: '50' }, size: { type: 'string', default: '1024' }, frames: { type: 'string', default: '120' }, json: { type: 'boolean', default: false } } });
const N = Number(values.layers);
const SIZE = Number(values.size);
const FRAMES = Number(values.frames);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'lamina-bench-'));
  buildRenderer();
  const served = await startServe();
  const contract = new WsContract(served.port);
  const b = await launch();
  const page = b.page;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    // layers: each a soft disc of colour on transparency, full 1024x1024
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      const hue = (i * 47) % 360;
      const cx = 200 + ((i * 131) % 624), cy = 200 + ((i * 197) % 624);
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}"><defs><radialGradient id="g"><stop offset="0" stop-color="hsl(${hue},80%,55%)" stop-opacity="0.9"/><stop offset="1" stop-color="hsl(${hue},80%,55%)" stop-opacity="0"/></radialGradient></defs><rect width="100%" height="100%" fill="hsl(${hue},60%,50%)" fill-opacity="0.05"/><circle cx="${cx * SIZE / 1024}" cy="${cy * SIZE / 1024}" r="${SIZE / 4}" fill="url(#g)"/></svg>`;
      await sharp(Buffer.from(svg)).png({ compressionLevel: 1 }).toFile(join(work, `layer-${String(i).padStart(2, '0')}.png`));
    }
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=app][data-connection=open]', { timeout: 20_000 });
    const docId = await page.evaluate(async (size) => {
      const w = window as unknown as { __lamina: { editor: { newDocument(w: number, h: number, n: string): Promise<boolean>; docId: string } } };
      await w.__lamina.editor.newDocument(size, size, 'Bench');
      return w.__lamina.editor.docId;
    }, SIZE);
    for (let i = 0; i < N; i++) await contract.call('document.import', { docId, path: join(work, `layer-${String(i).padStart(2, '0')}.png`) });
    // the page hears document.changed; wait until it has every layer and every image decoded
    await page.waitForFunction((n) => {
      const w = window as unknown as { __lamina: { editor: { document: { layers: { imageId?: string }[] } | null }; cache: { has(id: string): boolean; get(id: string): unknown } } };
      const ls = w.__lamina.editor.document?.layers ?? [];
      if (ls.length < n) return false;
      return ls.every((l) => !l.imageId || (w.__lamina.cache.get(l.imageId), w.__lamina.cache.has(l.imageId)));
    }, N, { timeout: 120_000, polling: 250 });
    const setupS = (Date.now() - t0) / 1000;
    await page.waitForTimeout(500);

    const results = await page.evaluate(async (frames) => {
      type Ed = {
        state: { viewport: { zoom: number; x: number; y: number }; screen: { width: number; height: number } };
        document: { layers: { id: string; x: number; y: number; width: number; height: number }[] };
        panBy(dx: number, dy: number): void;
        wheel(dy: number, p: { x: number; y: number }): void;
        fit(): void;
        select(ids: string[]): void;
        setTool(t: string): void;
        pointer(ev: string, p?: unknown): void;
        mutate(ops: unknown[], o?: unknown): Promise<boolean>;
      };
      const ed = (window as unknown as { __lamina: { editor: Ed } }).__lamina.editor;
      const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));
      const konva = (window as unknown as { Konva?: { stages: { draw(): void }[] } }).Konva;
      const work: Record<string, number[]> = {};
      let current = 'idle';
      async function run(step: (i: number) => void, name: string): Promise<number[]> {
        current = name;
        const gaps: number[] = [];
        work[current] = [];
        let last = await nextFrame();
        for (let i = 0; i < frames; i++) {
          // work = the state change, React's commit and a synchronous Konva draw
          const t0 = performance.now();
          step(i);
          await Promise.resolve();
          konva?.stages[0]?.draw();
          work[current].push(performance.now() - t0);
          const t = await nextFrame();
          gaps.push(t - last);
          last = t;
        }
        return gaps;
      }
      const idle = await run(() => undefined, 'idle');
      ed.fit();
      const pan = await run((i) => ed.panBy(i % 60 < 30 ? 6 : -6, i % 40 < 20 ? 4 : -4), 'pan');
      ed.fit();
      const center = { x: ed.state.screen.width / 2, y: ed.state.screen.height / 2 };
      const zoom = await run((i) => ed.wheel(i % 60 < 30 ? -40 : 40, center), 'zoom');
      ed.fit();
      // drag the middle layer with the move tool (split compositing: above | live | below)
      const mid = ed.document.layers[Math.floor(ed.document.layers.length / 2)];
      ed.setTool('move');
      const v = ed.state.viewport;
      const ptr = (x: number, y: number) => ({ canvas: { x, y }, screen: { x: x * v.zoom + v.x, y: y * v.zoom + v.y }, button: 0, shiftKey: false, altKey: false, modKey: true });
      ed.select([mid.id]);
      // press on the layer's own pixels is not needed: pointer-down on a selected layer drags it
      const start = { x: mid.x + mid.width / 2, y: mid.y + mid.height / 2 };
      // select + begin a drag directly through the tool tree (hit testing would pick the front layer)
      (ed as unknown as { tools: { current: { transition(id: string, info: unknown): void } } }).tools.current.transition('dragging', { origin: start, ids: [mid.id] });
      const drag = await run((i) => ed.pointer('onPointerMove', ptr(start.x + 40 * Math.sin(i / 8) + 5, start.y + 30 * Math.cos(i / 8))), 'drag');
      ed.pointer('onCancel');
      // opacity slider on the middle layer: a merge-mode mutate per frame through the engine
      let pendingOps = 0;
      const slider = await run((i) => {
        if (pendingOps > 1) return; // a real slider coalesces while a reply is outstanding
        pendingOps++;
        void ed.mutate([{ op: 'update', id: mid.id, patch: { opacity: 0.3 + 0.7 * Math.abs(Math.sin(i / 10)) } }], { history: 'merge', mergeKey: 'bench-opacity', label: 'Opacity' }).finally(() => pendingOps--);
      }, 'slider');
      // hidden layers: hide all but 5 and pan again
      const hideOps = ed.document.layers.slice(5).map((l) => ({ op: 'update', id: l.id, patch: { visible: false } }));
      await ed.mutate(hideOps, { history: 'ignore' });
      await nextFrame();
      await nextFrame();
      const panHidden = await run((i) => ed.panBy(i % 60 < 30 ? 6 : -6, 0), 'panHidden');
      const stats = (window as unknown as { __laminaCompositor?: { stats: unknown } }).__laminaCompositor?.stats;
      return { idle, pan, zoom, drag, slider, panHidden, work, stats, konvaLayers: document.querySelectorAll('.konvajs-content canvas').length };
    }, FRAMES);

    const shot = join(artifactsDir('bench'), 'bench-canvas.png');
    await page.screenshot({ path: shot });
    const summary = Object.fromEntries(
      (['idle', 'pan', 'zoom', 'drag', 'slider', 'panHidden'] as const).map((k) => {
        const xs = results[k].slice(2); // the first frames include warm-up
        const ws = results.work[k].slice(2);
        return [k, { p50: +pct(xs, 50).toFixed(2), p95: +pct(xs, 95).toFixed(2), max: +Math.max(...xs).toFixed(2), workP50: +pct(ws, 50).toFixed(2), workP95: +pct(ws, 95).toFixed(2), frames: xs.length }];
      }),
    );
    if (values.json) console.log(JSON.stringify({ layers: N, size: SIZE, konvaLayers: results.konvaLayers, compositor: results.stats, setupS, summary }, null, 2));
    else {
      console.log(`canvas bench: ${N} layers of ${SIZE}x${SIZE}, ${results.konvaLayers} Konva canvases, setup ${setupS.toFixed(1)} s, compositor ${JSON.stringify(results.stats)}`);
      for (const [k, s] of Object.entries(summary)) console.log(`  ${k.padEnd(10)} p50 ${String(s.p50).padStart(6)} ms   p95 ${String(s.p95).padStart(6)} ms   max ${String(s.max).padStart(6)} ms | work p50 ${String(s.workP50).padStart(5)} ms p95 ${String(s.workP95).padStart(5)} ms  (${s.frames} frames)`);
      console.log(`  (frame = gap between rAF timestamps, 60 fps = 16.7 ms; work = state change + React commit + a synchronous Konva draw)\n  screenshot: ${shot}`);
    }
    if (errors.length) console.error('page errors:', errors);
  } finally {
    contract.close();
    await b.close();
    await served.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
