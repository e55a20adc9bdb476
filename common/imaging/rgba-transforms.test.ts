import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawImage } from '../contract/raw-image.ts';
import { cropRgba, flipRgba, rotateRgba } from './rgba-transforms.ts';

// a 3x2 image whose pixel (x, y) has red = 10 * x + y + 1 (alpha 255)
const img = { width: 3, height: 2, rgba: new Uint8Array([0, 1, 2, 3, 4, 5].flatMap((i) => [10 * (i % 3) + Math.floor(i / 3) + 1, 0, 0, 255])) };
const reds = (m: { width: number; height: number; rgba: Uint8Array }) => Array.from({ length: m.height }, (_, y) => Array.from({ length: m.width }, (_, x) => m.rgba[(y * m.width + x) * 4]));

test('rotate: quarter turns move each pixel where a clockwise turn puts it; four turns are the identity', () => {
  assert.deepEqual(reds(img), [[1, 11, 21], [2, 12, 22]]);
  const cw = rotateRgba(img, 90);
  assert.deepEqual([cw.width, cw.height], [2, 3]);
  assert.deepEqual(reds(cw), [[2, 1], [12, 11], [22, 21]]);
  assert.deepEqual(reds(rotateRgba(img, 180)), [[22, 12, 2], [21, 11, 1]]);
  assert.deepEqual(reds(rotateRgba(img, 270)), [[21, 22], [11, 12], [1, 2]]);
  let r: RawImage = img;
  for (let k = 0; k < 4; k++) r = rotateRgba(r, 90);
  assert.deepEqual(r, img);
  assert.deepEqual(rotateRgba(rotateRgba(img, 90), 270), img);
});

test('flip: mirrors rows or columns; twice is the identity', () => {
  assert.deepEqual(reds(flipRgba(img, 'horizontal')), [[21, 11, 1], [22, 12, 2]]);
  assert.deepEqual(reds(flipRgba(img, 'vertical')), [[2, 12, 22], [1, 11, 21]]);
  assert.deepEqual(flipRgba(flipRgba(img, 'vertical'), 'vertical'), img);
});

test('crop: the part under the rect; past the edges is transparent (canvas growth)', () => {
  assert.deepEqual(reds(cropRgba(img, { x: 1, y: 0, width: 2, height: 1 })), [[11, 21]]);
  const grown = cropRgba(img, { x: -1, y: -1, width: 5, height: 4 });
  assert.deepEqual(reds(grown), [[0, 0, 0, 0, 0], [0, 1, 11, 21, 0], [0, 2, 12, 22, 0], [0, 0, 0, 0, 0]]);
  assert.equal(grown.rgba[3], 0, 'padding is transparent');
  assert.equal(grown.rgba[(1 * 5 + 1) * 4 + 3], 255);
  assert.deepEqual(reds(cropRgba(img, { x: 5, y: 5, width: 1, height: 1 })), [[0]]);
});
