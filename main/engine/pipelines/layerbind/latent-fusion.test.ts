import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anchorToBackground, blendPlanes, compositeLayerUpdates, fuseByOrder } from './latent-fusion.ts';

// 2 channels over a 2x2 latent plane (8 values); region A covers pixels 0, 1 fully and
// pixel 2 half; region B covers pixels 1, 3 fully. They overlap fully in pixel 1.
const bg = Float32Array.from([0, 0, 0, 0, 10, 10, 10, 10]);
const A = Float32Array.from([1, 1, 1, 1, 11, 11, 11, 11]);
const B = Float32Array.from([2, 2, 2, 2, 12, 12, 12, 12]);
const alphaA = Float32Array.from([1, 1, 0.5, 0]);
const alphaB = Float32Array.from([0, 1, 0, 1]);

test('blendPlanes: (1 - a) under + a over per pixel, every channel; a = 1 and a = 0 exact', () => {
  assert.deepEqual([...blendPlanes(bg, A, alphaA)], [1, 1, 0.5, 0, 11, 11, 10.5, 10]);
  assert.deepEqual([...blendPlanes(bg, A, alphaA, undefined, 0.5)], [0.5, 0.5, 0.25, 0, 10.5, 10.5, 10.25, 10]);
  // exactness at a = 1 where under + (over - under) would round
  const u = Float32Array.from([0.1]);
  const o = Float32Array.from([0.3]);
  assert.equal(blendPlanes(u, o, Float32Array.from([1]))[0], o[0]);
  assert.equal(blendPlanes(u, o, Float32Array.from([0]))[0], u[0]);
  assert.throws(() => blendPlanes(bg, A.subarray(0, 4), alphaA), /lengths differ/);
});

test('fuseByOrder: back to front over the background; the front region wins the overlap', () => {
  // B in front: A then B
  assert.deepEqual([...fuseByOrder(bg, [A, B], [alphaA, alphaB], [0, 1])], [1, 2, 0.5, 2, 11, 12, 10.5, 12]);
  // A in front: B then A
  assert.deepEqual([...fuseByOrder(bg, [A, B], [alphaA, alphaB], [1, 0])], [1, 1, 0.5, 2, 11, 11, 10.5, 12]);
  // the background is not modified
  assert.deepEqual([...bg], [0, 0, 0, 0, 10, 10, 10, 10]);
});

test('fuseByOrder: swapping the order changes the fused latent inside the overlap only', () => {
  const ab = fuseByOrder(bg, [A, B], [alphaA, alphaB], [0, 1]);
  const ba = fuseByOrder(bg, [A, B], [alphaA, alphaB], [1, 0]);
  const changed = [...ab].map((v, i) => (v !== ba[i] ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(changed, [1, 5]); // pixel 1 of both channels: the overlap
});

test('anchorToBackground: a branch keeps its region and takes the background outside', () => {
  const branch = Float32Array.from(A);
  anchorToBackground(branch, bg, alphaA);
  assert.deepEqual([...branch], [1, 1, 0.5, 0, 11, 11, 10.5, 10]);
});

test('compositeLayerUpdates: global update, layers over it back to front at the step opacity', () => {
  const g = Float32Array.from([5, 5, 5, 5, 5, 5, 5, 5]);
  assert.deepEqual([...compositeLayerUpdates(g, [A, B], [alphaA, alphaB], [0, 1], 1)], [1, 2, 3, 2, 11, 12, 8, 12]);
  assert.deepEqual([...compositeLayerUpdates(g, [A, B], [alphaA, alphaB], [1, 0], 1)], [1, 1, 3, 2, 11, 11, 8, 12]);
  // opacity 0.5: pixel 1 = B over (A over g at 0.5) at 0.5 = 0.5 * 2 + 0.5 * (0.5 * 1 + 0.5 * 5) = 2.5
  assert.deepEqual([...compositeLayerUpdates(g, [A, B], [alphaA, alphaB], [0, 1], 0.5)], [3, 2.5, 4, 3.5, 8, 10, 6.5, 8.5]);
  assert.deepEqual([...compositeLayerUpdates(g, [A, B], [alphaA, alphaB], [0, 1], 0)], [...g]);
});
