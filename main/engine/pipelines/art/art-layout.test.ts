import assert from 'node:assert/strict';
import { test } from 'node:test';
import { artLayout, canvasMap, confineAlpha, patchOf, scatterLayers, tokenBox, tokenBoxOnCanvas, writePatch } from './art-layout.ts';

test('tokenBox snaps a canvas box outward to whole tokens and clamps it to the grid', () => {
  const same = canvasMap({ width: 128, height: 128 }, { width: 128, height: 128 });
  assert.deepEqual(tokenBox([16, 16, 32, 16], same, 16, 8), [1, 1, 3, 2], 'edges on token edges take no extra token');
  assert.deepEqual(tokenBox([17, 15, 30, 2], same, 16, 8), [1, 0, 3, 2]);
  assert.deepEqual(tokenBox([120, 120, 8, 8], same, 16, 8), [7, 7, 8, 8]);
  assert.deepEqual(tokenBox([0, 0, 1, 1], same, 16, 8), [0, 0, 1, 1], 'a tiny box keeps one token');
  // a 512 x 256 canvas: the native square scaled x4 covers it and is centre-cropped in y,
  // so the canvas is native x 0..128, y 32..96
  const wide = canvasMap({ width: 512, height: 256 }, { width: 128, height: 128 });
  assert.deepEqual(wide, { scale: 0.25, ox: 0, oy: 32 });
  assert.deepEqual(tokenBox([0, 0, 512, 256], wide, 16, 8), [0, 2, 8, 6]);
  assert.deepEqual(tokenBox([256, 128, 64, 64], wide, 16, 8), [4, 4, 5, 5]);
});

test('artLayout: composite and background on the whole grid, then each box row by row', () => {
  const l = artLayout([[1, 0, 3, 2], [2, 2, 3, 3]], 4);
  assert.equal(l.length, 16 + 16 + 4 + 1);
  assert.deepEqual([...l.pos.slice(32)], [1, 2, 5, 6, 10]);
  assert.deepEqual([...l.layer.slice(30)], [1, 1, 2, 2, 2, 2, 3]);
  assert.deepEqual([...l.pos.slice(0, 16)], [...Array(16).keys()]);
  const full = artLayout([[1, 0, 3, 2], [2, 2, 3, 3]], 4, true);
  assert.equal(full.length, 4 * 16, 'the full-attention baseline keeps every token of every layer');
});

test('patchOf and writePatch are inverse (MMDiT patch order c, py, px)', () => {
  const g = { channels: 2, patch: 2, grid: 3 };
  const latent = Float32Array.from({ length: 2 * 6 * 6 }, (_, i) => i);
  const tok = new Float32Array(8);
  patchOf(latent, 4, g, tok); // token (ty 1, tx 1): rows 2-3, cols 2-3
  assert.deepEqual([...tok], [14, 15, 20, 21, 50, 51, 56, 57]);
  const back = new Float32Array(latent.length);
  for (let t = 0; t < 9; t++) {
    patchOf(latent, t, g, tok);
    writePatch(back, t, g, tok);
  }
  assert.deepEqual(back, latent);
});

test('scatterLayers puts each layer\'s tokens on its grid and the transparent latent elsewhere', () => {
  const g = { channels: 1, patch: 1, grid: 2 };
  const layout = artLayout([[1, 1, 2, 2]], 2);
  const tokens = Float32Array.from({ length: layout.length }, (_, i) => i + 1);
  const out = scatterLayers(tokens, layout, g, Float32Array.from([-1, -2, -3, -4]));
  assert.deepEqual([...out], [1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, 9]);
});

test('confineAlpha clears every pixel outside the box', () => {
  const data = new Uint8Array(3 * 2 * 4).fill(200);
  confineAlpha(data, 3, 2, [1, 0, 2, 2]);
  const alpha = [...data].filter((_, i) => i % 4 === 3);
  assert.deepEqual(alpha, [0, 200, 0, 0, 200, 0]);
});

test('tokenBoxOnCanvas maps a token box back to canvas pixels through the same cover', () => {
  const same = canvasMap({ width: 128, height: 128 }, { width: 128, height: 128 });
  assert.deepEqual(tokenBoxOnCanvas([1, 1, 3, 2], same, 16, { width: 128, height: 128 }), [16, 16, 48, 32]);
  const wide = canvasMap({ width: 512, height: 256 }, { width: 128, height: 128 }); // native y 32..96 visible
  assert.deepEqual(tokenBoxOnCanvas([4, 4, 5, 5], wide, 16, { width: 512, height: 256 }), [256, 128, 320, 192]);
  assert.deepEqual(tokenBoxOnCanvas([0, 0, 8, 8], wide, 16, { width: 512, height: 256 }), [0, 0, 512, 256], 'clamped to the canvas');
});
