// Document IO bench (run by `npm run bench`): a 20-layer 2048x2048 document — save .ora,
// open .ora, export .psd, open .psd — with wall times and this process's peak RSS.
// Prints one JSON object on stdout.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LaminaDocument, Layer } from '../common/document/document-schema.ts';
import { readDocumentFile, writeDocumentFile } from '../main/engine/document/document-files.ts';
import { ImageStore } from '../main/engine/imaging/image-store.ts';

const SIDE = Number(process.env.BENCH_DOC_SIDE ?? 2048);
const LAYERS = Number(process.env.BENCH_DOC_LAYERS ?? 20);

function layerPixels(i: number): Uint8Array {
  // a soft disc plus noise-free stripes: compressible like real artwork, not trivially so
  const data = new Uint8Array(SIDE * SIDE * 4);
  const cx = ((i * 397) % SIDE), cy = ((i * 733) % SIDE), r = SIDE / 4;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const p = (y * SIDE + x) * 4;
      const d = Math.hypot(x - cx, y - cy);
      const a = d < r ? 255 : d < r + 2 ? 128 : ((x + y + i) >> 5) % 7 === 0 ? 90 : 0;
      data[p] = (x * 7 + i * 31) & 255;
      data[p + 1] = (y * 3 + i * 17) & 255;
      data[p + 2] = ((x ^ y) + i) & 255;
      data[p + 3] = a;
    }
  }
  return data;
}

/** Wall time of `fn` and the longest stretch it kept this thread's event loop busy (the
 * engine answers no call and forwards no job event meanwhile). */
async function time<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  const v = await fn();
  const ms = Math.round(performance.now() - t0);
  h.disable();
  return [v, ms, Math.round(h.max / 1e6)];
}

const dir = mkdtempSync(join(tmpdir(), 'lamina-bench-doc-'));
try {
  const store = new ImageStore();
  const layers: Layer[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const imageId = store.put({ width: SIDE, height: SIDE, data: layerPixels(i) });
    layers.push({ id: `l${i}`, name: `Layer ${i}`, kind: 'raster', imageId, width: SIDE, height: SIDE, visible: true, opacity: i % 3 ? 1 : 0.7, blendMode: i % 4 ? 'normal' : 'multiply', x: 0, y: 0, locked: false, provenance: null });
  }
  const doc: LaminaDocument = { formatVersion: 1, name: 'bench', width: SIDE, height: SIDE, layers };
  const ora = join(dir, 'bench.ora');
  const psd = join(dir, 'bench.psd');
  const [, saveOraMs, saveOraBlock] = await time(() => writeDocumentFile(doc, store, 'ora', ora));
  const [, openOraMs, openOraBlock] = await time(() => readDocumentFile({ path: ora }, new ImageStore()));
  const [, exportPsdMs, exportPsdBlock] = await time(() => writeDocumentFile(doc, store, 'psd', psd));
  const [, openPsdMs, openPsdBlock] = await time(() => readDocumentFile({ path: psd }, new ImageStore()));
  const result = {
    document: { side: SIDE, layers: LAYERS },
    save_ora_ms: saveOraMs,
    open_ora_ms: openOraMs,
    export_psd_ms: exportPsdMs,
    open_psd_ms: openPsdMs,
    ora_mb: +(statSync(ora).size / 2 ** 20).toFixed(1),
    psd_mb: +(statSync(psd).size / 2 ** 20).toFixed(1),
    longest_block_ms: { save_ora: saveOraBlock, open_ora: openOraBlock, export_psd: exportPsdBlock, open_psd: openPsdBlock },
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
