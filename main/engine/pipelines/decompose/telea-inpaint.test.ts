import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeImage } from '../../imaging/image-codec.ts';
import { teleaInpaint } from './telea-inpaint.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'decompose');
const load = (name: string) => decodeImage(new Uint8Array(readFileSync(join(FIX, name))), name);

/** PSNR of the colour channels over the pixels where `where` is set. */
function psnr(a: Uint8Array, b: Uint8Array, where: Uint8Array): number {
  let se = 0;
  let n = 0;
  for (let p = 0; p < where.length; p++) {
    if (!where[p]) continue;
    for (let c = 0; c < 3; c++) se += (a[p * 4 + c] - b[p * 4 + c]) ** 2;
    n += 3;
  }
  return 10 * Math.log10((255 * 255) / (se / n));
}

// world test scenes 0, 1, 4 (models/recipes/decomp_eval.py --fixture): patterned, gradient,
// solid backgrounds; OpenCV's INPAINT_TELEA (radius 3) of the object mask beside them
for (const k of [0, 1, 4]) {
  test(`Telea inpainting matches OpenCV's INPAINT_TELEA on world test scene ${k} and leaves the rest alone`, async () => {
    const img = await load(`${k}-image.png`);
    const cv = await load(`${k}-telea.png`);
    const truth = await load(`${k}-background.png`);
    const m = await load(`${k}-mask.png`);
    const mask = new Uint8Array(img.width * img.height).map((_, p) => (m.data[p * 4] > 127 ? 1 : 0));
    const out = teleaInpaint(img.data, img.width, img.height, mask, 3);
    const outside = mask.map((v) => 1 - v);
    assert.equal(psnr(out, img.data, outside), Infinity, 'pixels outside the mask are unchanged');
    const vsCv = psnr(out, cv.data, mask);
    const ours = psnr(out, truth.data, mask);
    const theirs = psnr(cv.data, truth.data, mask);
    if (process.env.LAMINA_VERBOSE) console.log(`scene ${k}: vs OpenCV ${vsCv.toFixed(1)} dB; vs truth ours ${ours.toFixed(1)}, OpenCV ${theirs.toFixed(1)}`);
    // the same algorithm: close to OpenCV inside the hole, and as close to the truth
    assert.ok(vsCv > 30, `PSNR vs OpenCV inside the mask ${vsCv.toFixed(1)} dB`);
    assert.ok(ours > theirs - 1.5, `vs the true background: ours ${ours.toFixed(1)} dB, OpenCV ${theirs.toFixed(1)} dB`);
  });
}

test('Telea inpainting fills a hole in a flat colour with that colour and in a ramp with values between its edges, rising like it', () => {
  const w = 32;
  const h = 16;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set([40, 8 * x, 200, 255], (y * w + x) * 4);
  const mask = new Uint8Array(w * h);
  for (let y = 5; y < 11; y++) for (let x = 10; x < 20; x++) mask[y * w + x] = 1;
  const out = teleaInpaint(rgba, w, h, mask);
  for (let p = 0; p < w * h; p++) {
    if (!mask[p]) continue;
    assert.equal(out[p * 4], 40);
    assert.equal(out[p * 4 + 2], 200);
    assert.ok(out[p * 4 + 1] >= 8 * 9 - 2 && out[p * 4 + 1] <= 8 * 20 + 2, `ramp: ${out[p * 4 + 1]}`);
    assert.equal(out[p * 4 + 3], 255);
  }
  const g = (x: number, y: number) => out[(y * w + x) * 4 + 1];
  for (let y = 5; y < 11; y++) assert.ok(g(10, y) < g(14, y) && g(14, y) < g(19, y), `row ${y} rises`);
});
