// The model method keeps the image's own pixels away from the object: the kernel on
// made-up data (exact values in each zone), then through the pipeline with the fixture
// decomposition pack at twice its native size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distanceToMask, keepGeometry, keepOriginalOutsideMask } from './keep-outside-mask.ts';
import { maskFromBox } from './decompose-mask.ts';

const solid = (w: number, h: number, rgba: number[]) => ({ width: w, height: h, data: new Uint8Array(Array.from({ length: w * h }, () => rgba).flat()) });

test('distance to the mask: 0 on it, 1 beside it, sqrt 2 diagonally, growing away from it', () => {
  const d = distanceToMask(maskFromBox([2, 2, 1, 1], { width: 6, height: 5 }));
  assert.equal(d[2 * 6 + 2], 0);
  assert.equal(d[2 * 6 + 3], 1);
  assert.ok(Math.abs(d[3 * 6 + 3] - Math.SQRT2) < 1e-6);
  assert.equal(d[2 * 6 + 5], 3);
  assert.ok(d[4 * 6 + 5] > d[3 * 6 + 4]);
});

test('outside the grown mask: the image (alpha too) and a transparent foreground; inside it: the model; between: a blend', () => {
  const W = 40, H = 10;
  const image = solid(W, H, [10, 20, 30, 200]);
  const mask = maskFromBox([0, 0, 4, H], image);
  const model = { background: solid(W, H, [200, 100, 50, 255]), foreground: solid(W, H, [1, 2, 3, 120]) };
  const out = keepOriginalOutsideMask(image, mask, model, 6, 4);
  const px = (im: { data: Uint8Array }, x: number) => [...im.data.subarray(x * 4, x * 4 + 4)];
  // column 3 is in the mask, 9 is 6 px away (radius), 11 half way through the band, 13 past it
  for (const x of [0, 3, 9]) {
    assert.deepEqual(px(out.background, x), [200, 100, 50, 255], `x=${x}: the model's background`);
    assert.deepEqual(px(out.foreground, x), [1, 2, 3, 120], `x=${x}: the model's foreground`);
  }
  assert.deepEqual(px(out.background, 11), [105, 60, 40, 228]);
  assert.deepEqual(px(out.foreground, 11), [1, 2, 3, 60]);
  for (const x of [13, 25, 39]) {
    assert.deepEqual(px(out.background, x), [10, 20, 30, 200], `x=${x}: the image`);
    assert.deepEqual(px(out.foreground, x), [0, 0, 0, 0], `x=${x}: nothing of the object`);
  }
  assert.deepEqual(px(model.background, 39), [200, 100, 50, 255], 'the inputs are untouched');
});

test('keep geometry: one latent cell at the image\'s scale, at least 6 % of the longer side', () => {
  assert.deepEqual(keepGeometry(128, 128, 8, 8), { radius: 16, feather: 8 });
  assert.deepEqual(keepGeometry(1000, 500, 64, 64), { radius: 60, feather: 8 });
});
