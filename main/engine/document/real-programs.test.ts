// Lamina's files opened by the programs designers use: ImageMagick and GIMP read the PSD,
// Krita reads the ORA (and writes one that Lamina reads back). One invocation each (GIMP and Krita are slow to start). A missing
// program fails the test on CI (CI=true) and skips it, with the reason, elsewhere.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import type { Layer } from '../../../common/document/document-schema.ts';
import { walkLayers } from '../../../common/document/layer-tree.ts';
import { compositeDocument } from '../imaging/composite.ts';
import { decodeImage } from '../imaging/image-codec.ts';
import { ImageStore } from '../imaging/image-store.ts';
import type { RgbaImage } from '../imaging/rgba-image.ts';
import { writeDocumentFile } from './document-files.ts';
import { readOra } from './ora-reader.ts';
import { psdLayerName } from './psd-lamina-metadata.ts';
import { sampleDocument, solidImage } from './test-documents.ts';
import { LaminaDocument } from '../../../common/document/document-schema.ts';

const run = promisify(execFile);
const { doc, store } = sampleDocument();
let dir = '';
let psdPath = '';
let oraPath = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lamina-programs-'));
  psdPath = join(dir, 'sample.psd');
  oraPath = join(dir, 'sample.ora');
  await writeDocumentFile(doc, store, 'psd', psdPath);
  await writeDocumentFile(doc, store, 'ora', oraPath);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** True when `program` exists; otherwise fails (CI) or skips the test with the reason. */
function requireProgram(t: TestContext, program: string, pkg: string): boolean {
  if (existsSync(program)) return true;
  if (process.env.CI === 'true') assert.fail(`${program} is missing on CI (install ${pkg})`);
  t.skip(`${program} not installed (apt-get install ${pkg})`);
  return false;
}

/** What a layer looks like in a PSD: PSD name, size, offset. Groups are listed before children. */
function expectedPsdLayers(): { depth: number; layer: Layer; name: string; width: number; height: number }[] {
  return [...walkLayers(doc.layers)].map(({ layer, depth }) => {
    const size =
      layer.kind === 'raster' || layer.kind === 'text' ? [layer.width ?? 0, layer.height ?? 0]
      : layer.kind === 'region' ? [Math.ceil(layer.shape.width), Math.ceil(layer.shape.height)]
      : [0, 0];
    return { depth, layer, name: psdLayerName(layer), width: size[0], height: size[1] };
  });
}

test('ImageMagick identify reads the PSD: layer count, names, sizes, offsets', async (t) => {
  if (!requireProgram(t, '/usr/bin/identify', 'imagemagick')) return;
  const { stdout } = await run('/usr/bin/identify', ['-format', '%[label]\t%w\t%h\t%X\t%Y\n', psdPath], { timeout: 30_000 });
  const frames = stdout.trimEnd().split('\n').map((line) => line.split('\t'));
  assert.deepEqual(frames[0].slice(1, 3), ['40', '30'], 'frame 0 is the 40x30 composite');
  const leaves = expectedPsdLayers().filter((e) => e.layer.kind !== 'group').reverse(); // bottom first
  const expected = leaves.map((e) => [e.name, String(e.width), String(e.height), signed(e.layer.x), signed(e.layer.y)]);
  assert.deepEqual(frames.slice(1), expected);
});

const signed = (n: number) => (n < 0 ? String(n) : `+${n}`);

/** Runs a Script-Fu batch in GIMP; the fields of each message line that starts with `tag`. */
async function gimpRows(script: string, tag: string): Promise<string[][]> {
  const args = ['-i', '-d', '-f', '--batch-interpreter=plug-in-script-fu-eval', '-b', script];
  const { stdout, stderr } = await run('/usr/bin/gimp', args, { timeout: 80_000, maxBuffer: 8 << 20 });
  return `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.includes(tag))
    .map((line) => line.slice(line.indexOf(tag) + tag.length).split('|'));
}

const GIMP_SCRIPT = (path: string) => `(begin
  (define (show-layers layers depth)
    (for-each
      (lambda (l)
        (let* ((off (gimp-drawable-offsets l)))
          (gimp-message (string-append "LAYER|" (number->string depth) "|" (car (gimp-item-get-name l)) "|"
            (number->string (car (gimp-item-get-visible l))) "|" (number->string (car (gimp-layer-get-opacity l))) "|"
            (number->string (car off)) "|" (number->string (cadr off))))
          (if (= (car (gimp-item-is-group l)) 1)
            (show-layers (vector->list (cadr (gimp-item-get-children l))) (+ depth 1)))))
      layers))
  (gimp-message-set-handler 1)
  (let* ((image (car (gimp-file-load RUN-NONINTERACTIVE "${path}" "${path}"))))
    (show-layers (vector->list (cadr (gimp-image-get-layers image))) 0))
  (gimp-quit 0))`;

test('GIMP reads the PSD: names, nesting, visibility, opacity, offsets', { timeout: 90_000 }, async (t) => {
  if (!requireProgram(t, '/usr/bin/gimp', 'gimp')) return;
  const rows = await gimpRows(GIMP_SCRIPT(psdPath), 'LAYER|');
  const expected = expectedPsdLayers().map(({ depth, layer, name }) => [
    String(depth),
    name,
    layer.visible && layer.kind !== 'region' ? '1' : '0',
    Math.round(layer.opacity * 100),
    layer.kind === 'group' ? null : [layer.x, layer.y],
  ]);
  const actual = rows.map(([depth, name, visible, opacity, x, y], i) => [
    depth,
    name,
    visible,
    Math.round(Number(opacity)),
    expected[i]?.[4] === null ? null : [Number(x), Number(y)], // GIMP sizes groups to their children
  ]);
  assert.deepEqual(actual, expected);
});

/** A canvas with two masked layers (one mask disabled, one with its own box), written as PSD. */
async function maskedPsd(): Promise<string> {
  const mstore = new ImageStore();
  const half = (w: number, h: number) => {
    // left half white (shown), right half black (hidden), as the editor stores masks
    const img = solidImage(w, h, [0, 0, 0, 255]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w / 2; x++) img.data.set([255, 255, 255, 255], (y * w + x) * 4);
    return img;
  };
  const layers = [
    { id: 'off', name: 'Mask off', kind: 'raster', imageId: mstore.put(solidImage(20, 10, [0, 0, 255, 255]), 'img-off'), width: 20, height: 10, x: 10, y: 18,
      mask: { imageId: mstore.put(half(20, 10), 'mask-off'), x: 10, y: 18, width: 20, height: 10, enabled: false, defaultColor: 255 } },
    { id: 'masked', name: 'Masked', kind: 'raster', imageId: mstore.put(solidImage(20, 10, [255, 0, 0, 255]), 'img-masked'), width: 20, height: 10, x: 5, y: 5,
      mask: { imageId: mstore.put(half(20, 10), 'mask-masked'), x: 5, y: 5, width: 20, height: 10, enabled: true, defaultColor: 255 } },
  ];
  const mdoc = LaminaDocument.parse({ name: 'Masks', width: 40, height: 30, layers });
  const path = join(dir, 'masks.psd');
  await writeDocumentFile(mdoc, mstore, 'psd', path);
  return path;
}

const GIMP_MASK_SCRIPT = (path: string) => `(begin
  (gimp-message-set-handler 1)
  (let* ((image (car (gimp-file-load RUN-NONINTERACTIVE "${path}" "${path}"))))
    (for-each
      (lambda (l)
        (let* ((mask (car (gimp-layer-get-mask l))))
          (gimp-message (string-append "MASK|" (car (gimp-item-get-name l)) "|" (number->string mask)
            (if (= mask -1) ""
              (let* ((off (gimp-drawable-offsets mask)))
                (string-append "|" (number->string (car (gimp-layer-get-apply-mask l)))
                  "|" (number->string (car (gimp-drawable-width mask))) "x" (number->string (car (gimp-drawable-height mask)))
                  "|" (number->string (car off)) "," (number->string (cadr off))
                  "|" (number->string (aref (cadr (gimp-drawable-get-pixel mask 2 5)) 0))
                  "|" (number->string (aref (cadr (gimp-drawable-get-pixel mask 17 5)) 0)))))))))
      (vector->list (cadr (gimp-image-get-layers image)))))
  (gimp-quit 0))`;

test('GIMP reads a Lamina layer mask from the PSD: a real mask, its pixels, enabled or not', { timeout: 90_000 }, async (t) => {
  if (!requireProgram(t, '/usr/bin/gimp', 'gimp')) return;
  const path = await maskedPsd();
  const rows = await gimpRows(GIMP_MASK_SCRIPT(path), 'MASK|');
  const byName = new Map(rows.map(([name, ...rest]) => [name, rest]));
  for (const [name, applied] of [['Masked', '1'], ['Mask off', '0']] as const) {
    const r = byName.get(name);
    assert.ok(r, `GIMP lists the layer ${name}: ${JSON.stringify(rows)}`);
    const [maskId, apply, size, offsets, leftGrey, rightGrey] = r;
    assert.notEqual(maskId, '-1', `${name} has a layer mask in GIMP`);
    assert.equal(apply, applied, `${name}: the mask is ${applied === '1' ? 'applied' : 'disabled'}`);
    assert.equal(size, '20x10');
    assert.equal(offsets, name === 'Masked' ? '5,5' : '10,18');
    assert.equal(Number(leftGrey), 255, `${name}: the mask's left half shows`);
    assert.equal(Number(rightGrey), 0, `${name}: the mask's right half hides`);
  }
});

/** Mean absolute difference per channel value, 0..255. */
function meanAbsDiff(a: RgbaImage, b: RgbaImage): number {
  assert.deepEqual([a.width, a.height], [b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

/**
 * Runs `fn` with a private Xvfb display. `-displayfd` makes the server pick a free display
 * and print its number only once it accepts connections: no race for :99 and no
 * connecting too early. Krita needs X even for a command-line export (it ignores Qt's offscreen
 * platform).
 */
async function withVirtualDisplay<T>(fn: (display: string) => Promise<T>): Promise<T> {
  const x = spawn('/usr/bin/Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x800x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  x.stderr!.on('data', (d) => (stderr += d));
  try {
    const display = await new Promise<string>((resolve, reject) => {
      let got = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb did not start in 20 s: ${stderr}`)), 20_000);
      (x.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
        got += d;
        if (got.includes('\n')) { clearTimeout(timer); resolve(`:${got.trim()}`); }
      });
      x.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited with ${code}: ${stderr}`)); });
    });
    return await fn(display);
  } finally {
    if (x.exitCode === null) {
      const exited = new Promise((r) => x.once('exit', r));
      x.kill('SIGTERM');
      await exited;
    }
  }
}

test('Krita opens the ORA: its composite matches ours, and its own ORA reads back', { timeout: 120_000 }, async (t) => {
  if (!requireProgram(t, '/usr/bin/krita', 'krita') || !requireProgram(t, '/usr/bin/Xvfb', 'xvfb')) return;
  // Exporting to .ora gives Krita's composite (its mergedimage.png) AND a Krita-written ORA.
  const out = join(dir, 'krita.ora');
  // Krita intermittently fails to connect to a fresh Xvfb here (seen with xvfb-run too, at
  // random: 2 of 9 clean-clone CI runs in session 2): that one failure is retried on a new display, up to 3 times
  for (let attempt = 1; ; attempt++) {
    try {
      await withVirtualDisplay((display) =>
        run('/usr/bin/krita', [oraPath, '--export', '--export-filename', out], { timeout: 110_000, maxBuffer: 16 << 20, env: { ...process.env, DISPLAY: display } }));
      break;
    } catch (err) {
      const noDisplay = /could not connect to display/.test(String((err as { stderr?: string }).stderr ?? ''));
      if (!noDisplay || attempt === 3) throw err;
      t.diagnostic(`Krita could not connect to its display (attempt ${attempt}); retrying on a new one`);
    }
  }
  const kritaBytes = new Uint8Array(await readFile(out));
  const kritaComposite = await decodeImage(unzipSync(kritaBytes)['mergedimage.png']);
  const ours = await decodeImage(unzipSync(await readFile(oraPath))['mergedimage.png']);
  const diff = meanAbsDiff(kritaComposite, ours);
  t.diagnostic(`Krita vs Lamina composite: mean abs diff ${diff.toFixed(3)} / 255`);
  assert.ok(diff < 2, `mean abs diff ${diff} >= 2/255`);

  const back = new ImageStore();
  const { document } = await readOra(kritaBytes, back);
  const painted = (layers: readonly Layer[]) =>
    [...walkLayers(layers)]
      .filter(({ layer }) => layer.kind !== 'region')
      .map(({ layer, depth }) => [depth, layer.name, layer.visible, Math.round(layer.opacity * 100), layer.blendMode, layer.x, layer.y]);
  assert.deepEqual(painted(document.layers), painted(doc.layers));
  assert.ok(meanAbsDiff(compositeDocument(document, back), ours) < 2, 'Lamina composites the Krita file like its own');
});
