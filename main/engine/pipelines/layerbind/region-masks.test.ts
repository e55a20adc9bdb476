import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { boxCoverage, canvasBoxToNative, coverageToMask, regionGrids, validateLayout, type RegionInput } from './region-masks.ts';

const R = (id: string, box: [number, number, number, number], prompt = 'a red star'): RegionInput => ({ id, box, prompt });
const rejects = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err) => err instanceof LaminaError && err.code === 'bad_request' && message.test(err.message));

test('validateLayout: returns region indices back to front (order is front to back)', () => {
  const regions = [R('a', [0, 0, 10, 10]), R('b', [5, 5, 10, 10]), R('c', [0, 0, 64, 64])];
  assert.deepEqual(validateLayout(regions, ['b', 'c', 'a'], 64, 64), [0, 2, 1]);
  assert.deepEqual(validateLayout(regions, ['a', 'b', 'c'], 64, 64), [2, 1, 0]);
  // a box may touch the canvas edge, and overhang it by half a pixel (editor rounding)
  assert.deepEqual(validateLayout([R('e', [-0.5, 0, 64.5, 64])], ['e'], 64, 64), [0]);
});

test('validateLayout: each bad layout gets a clear bad_request', () => {
  const ok = [R('a', [0, 0, 10, 10]), R('b', [5, 5, 10, 10])];
  rejects(() => validateLayout([], [], 64, 64), /at least one region/);
  rejects(() => validateLayout([R('a', [60, 0, 10, 10])], ['a'], 64, 64), /region 1 "a": box \[60, 0, 10, 10\].*outside the 64x64 canvas/);
  rejects(() => validateLayout([R('a', [-3, 0, 10, 10])], ['a'], 64, 64), /outside the 64x64 canvas/);
  rejects(() => validateLayout([R('a', [0, 0, 10, 0])], ['a'], 64, 64), /positive width and height/);
  rejects(() => validateLayout([R('a', [0, 0, 10, 10], '   ')], ['a'], 64, 64), /region 1 "a": prompt is empty/);
  rejects(() => validateLayout([R('a', [0, 0, 10, 10]), R('a', [1, 1, 5, 5])], ['a'], 64, 64), /duplicate region id "a" \(regions 1 and 2\)/);
  rejects(() => validateLayout([R('', [0, 0, 10, 10])], [''], 64, 64), /id is empty/);
  rejects(() => validateLayout(ok, ['a'], 64, 64), /order must list every region front to back; missing "b"/);
  rejects(() => validateLayout(ok, [], 64, 64), /missing "a", "b"/);
  rejects(() => validateLayout(ok, ['a', 'b', 'z'], 64, 64), /order lists "z", which is not a region id/);
  rejects(() => validateLayout(ok, ['a', 'a', 'b'], 64, 64), /order lists "a" twice/);
});

test('canvasBoxToNative: same aspect scales; other aspect goes through the cover crop', () => {
  assert.deepEqual(canvasBoxToNative([10, 20, 30, 40], { width: 128, height: 128 }, { width: 64, height: 64 }), [5, 10, 15, 20]);
  // 128x64 canvas from a 64x64 native image: scaled x2 to 128x128, 32 px cropped top and bottom
  assert.deepEqual(canvasBoxToNative([0, 0, 128, 64], { width: 128, height: 64 }, { width: 64, height: 64 }), [0, 16, 64, 32]);
  assert.deepEqual(canvasBoxToNative([64, 32, 32, 32], { width: 128, height: 64 }, { width: 64, height: 64 }), [32, 32, 16, 16]);
});

test('boxCoverage: exact area fractions per cell, row-major token order', () => {
  // 8x8 frame, 4x4 grid (2x2-pixel cells), box x 1..5, y 0..3
  const cov = boxCoverage([1, 0, 4, 3], 8, 8, 4, 4);
  assert.deepEqual([...cov], [
    0.5, 1, 0.5, 0,
    0.25, 0.5, 0.25, 0,
    0, 0, 0, 0,
    0, 0, 0, 0,
  ]);
  assert.deepEqual([...boxCoverage([0, 0, 8, 8], 8, 8, 2, 2)], [1, 1, 1, 1]);
  assert.deepEqual([...boxCoverage([4, 4, 4, 4], 8, 8, 2, 2)], [0, 0, 0, 1]);
});

test('coverageToMask: nearest-style threshold; a tiny region keeps its best cell', () => {
  const cov = boxCoverage([1, 0, 4, 3], 8, 8, 4, 4);
  assert.deepEqual([...coverageToMask(cov)], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...coverageToMask(cov, 0.25)], [1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...coverageToMask(cov, 1)], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // 1x1 px box straddling four cells: no cell reaches 0.5, the best-covered one is kept
  const tiny = boxCoverage([2.5, 2.5, 1, 1], 8, 8, 4, 4);
  assert.equal(Math.max(...tiny), 0.25);
  assert.deepEqual([...coverageToMask(tiny)].map((v, i) => (v ? i : -1)).filter((i) => i >= 0), [5]);
});

test('regionGrids: token masks on the patch grid, alphas on the latent grid, from canvas boxes', () => {
  // 128x128 canvas, 64x64 native, 8x8 latent, 4x4 tokens; box = the canvas' top-left quarter
  const g = regionGrids([R('a', [0, 0, 64, 64])], { width: 128, height: 128 }, { width: 64, height: 64 }, { width: 8, height: 8 }, { width: 4, height: 4 });
  assert.deepEqual(g.nativeBoxes, [[0, 0, 32, 32]]);
  assert.deepEqual([...g.tokenMasks[0]], [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(g.latentAlphas[0].length, 64);
  assert.deepEqual([...g.latentAlphas[0].subarray(0, 8)], [1, 1, 1, 1, 0, 0, 0, 0]);
  assert.equal(g.latentAlphas[0].reduce((a, b) => a + b, 0), 16);
});
