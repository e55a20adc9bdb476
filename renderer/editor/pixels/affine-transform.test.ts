import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawImage } from '../../../common/contract/raw-image.ts';
import { apply, compose, invert, isIdentity, mappedBounds, resampleAffine, rotateAbout, snapAngle, transformMatrix, type BoxTransform } from './affine-transform.ts';

function image(w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): RawImage {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set(px(x, y), (y * w + x) * 4);
  return { width: w, height: h, rgba };
}
const at = (img: RawImage, x: number, y: number) => [...img.rgba.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4)];
const close = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < 1e-9 && Math.abs(a.y - b.y) < 1e-9;

test('transformMatrix: the source box goes to the target box, turned about its centre', () => {
  const from = { x: 10, y: 20, width: 40, height: 20 };
  const scaled: BoxTransform = { from, box: { x: 0, y: 0, width: 80, height: 10 }, angle: 0 };
  const m = transformMatrix(scaled);
  assert.ok(close(apply(m, { x: 10, y: 20 }), { x: 0, y: 0 }));
  assert.ok(close(apply(m, { x: 50, y: 40 }), { x: 80, y: 10 }));
  const turned = transformMatrix({ from, box: from, angle: Math.PI / 2 });
  // a quarter turn clockwise about (30, 30): the top-left corner goes to the top-right
  assert.ok(close(apply(turned, { x: 10, y: 20 }), { x: 40, y: 10 }));
  assert.ok(close(apply(compose(invert(turned), turned), { x: 3, y: 7 }), { x: 3, y: 7 }), 'invert undoes it');
  assert.ok(isIdentity({ from, box: from, angle: 0 }));
  assert.ok(!isIdentity(scaled));
  assert.deepEqual(mappedBounds(from, turned), { x: 20, y: 10, width: 20, height: 40 });
  assert.ok(close(rotateAbout({ x: 1, y: 0 }, { x: 0, y: 0 }, Math.PI / 2), { x: 0, y: 1 }));
});

test('resampleAffine: identity copies exactly; 2x keeps a uniform image uniform with crisp edges', () => {
  const src = image(4, 3, (x, y) => [x * 60, y * 100, 7, 255]);
  const box = { x: 5, y: 6, width: 4, height: 3 };
  const same = resampleAffine(src, { x: 5, y: 6 }, transformMatrix({ from: box, box, angle: 0 }), box);
  assert.deepEqual(same.rgba, src.rgba);
  const flat = image(3, 3, () => [200, 100, 50, 255]);
  const r = { x: 0, y: 0, width: 3, height: 3 };
  const big = resampleAffine(flat, { x: 0, y: 0 }, transformMatrix({ from: r, box: { x: 0, y: 0, width: 6, height: 6 }, angle: 0 }), { x: 0, y: 0, width: 6, height: 6 });
  for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) assert.deepEqual(at(big, x, y), [200, 100, 50, 255], `(${x}, ${y})`);
});

test('resampleAffine: bilinear between pixels; transparent neighbours do not darken the colour', () => {
  // black opaque | white opaque, scaled 2x horizontally: the middle blends
  const src = image(2, 1, (x) => (x ? [255, 255, 255, 255] : [0, 0, 0, 255]));
  const r = { x: 0, y: 0, width: 2, height: 1 };
  const out = resampleAffine(src, { x: 0, y: 0 }, transformMatrix({ from: r, box: { x: 0, y: 0, width: 4, height: 1 }, angle: 0 }), { x: 0, y: 0, width: 4, height: 1 });
  assert.deepEqual([at(out, 0, 0)[0], at(out, 1, 0)[0], at(out, 2, 0)[0], at(out, 3, 0)[0]], [0, 64, 191, 255]);
  // red opaque | transparent: the blend keeps pure red, only alpha falls (premultiplied)
  const half = image(2, 1, (x) => (x ? [0, 0, 0, 0] : [255, 0, 0, 255]));
  const o2 = resampleAffine(half, { x: 0, y: 0 }, transformMatrix({ from: r, box: { x: 0, y: 0, width: 4, height: 1 }, angle: 0 }), { x: 0, y: 0, width: 4, height: 1 });
  assert.deepEqual(at(o2, 1, 0), [255, 0, 0, 191]);
  assert.deepEqual(at(o2, 3, 0), [0, 0, 0, 0]);
});

test('resampleAffine: a quarter turn moves pixels like a lossless rotation; 45° leaves the corners outside', () => {
  const src = image(4, 2, (x, y) => [x * 60, y * 200, 0, 255]);
  const from = { x: 0, y: 0, width: 4, height: 2 };
  const m = transformMatrix({ from, box: from, angle: Math.PI / 2 });
  const out = mappedBounds(from, m);
  assert.deepEqual(out, { x: 1, y: -1, width: 2, height: 4 });
  const turned = resampleAffine(src, { x: 0, y: 0 }, m, out);
  // clockwise: the source's bottom-left (0, 1) lands top-left, its top-right (3, 0) bottom-right
  assert.deepEqual(at(turned, 0, 0), [0, 200, 0, 255]);
  assert.deepEqual(at(turned, 1, 0), [0, 0, 0, 255]);
  assert.deepEqual(at(turned, 1, 3), [180, 0, 0, 255]);
  assert.deepEqual(at(turned, 0, 3), [180, 200, 0, 255]);
  const sq = image(10, 10, () => [10, 20, 30, 255]);
  const r = { x: 0, y: 0, width: 10, height: 10 };
  const m45 = transformMatrix({ from: r, box: r, angle: Math.PI / 4 });
  const b45 = mappedBounds(r, m45);
  assert.equal(b45.width, 16, "10 √2 = 14.1 px, centred on 5: -3 .. 13");
  const o45 = resampleAffine(sq, { x: 0, y: 0 }, m45, b45);
  assert.equal(at(o45, 0, 0)[3], 0, 'the corner of the bounding box is empty');
  assert.deepEqual(at(o45, 7, 7), [10, 20, 30, 255], 'the middle is the colour');
  // a mask: what the turned box leaves uncovered reads the default grey
  const mask = resampleAffine(image(10, 10, () => [0, 0, 0, 255]), { x: 0, y: 0 }, m45, b45, [255, 255, 255, 255]);
  assert.deepEqual(at(mask, 0, 0), [255, 255, 255, 255]);
  assert.deepEqual(at(mask, 7, 7), [0, 0, 0, 255]);
});

test('snapAngle: 15° steps', () => {
  assert.equal(snapAngle((22 * Math.PI) / 180), (15 * Math.PI) / 180);
  assert.equal(snapAngle((23 * Math.PI) / 180), (30 * Math.PI) / 180);
});
