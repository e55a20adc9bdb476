import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpyFloat32, writeNpyFloat32 } from '../../runtime/npy.ts';
import { imagePositionIds, packLatents, unpackLatents } from './latent-packing.ts';

test('packLatents follows diffusers FluxPipeline._pack_latents: token (i, j) holds the 2x2 patch, features (c, dy, dx); unpack inverts it', () => {
  const B = 2, C = 3, h = 4, w = 6;
  const src = Float32Array.from({ length: B * C * h * w }, (_, k) => k);
  const packed = packLatents(src, B, C, h, w, new Float32Array(src.length));
  const at = (b: number, c: number, y: number, x: number) => src[((b * C + c) * h + y) * w + x];
  const N = (h / 2) * (w / 2);
  for (let b = 0; b < B; b++) for (let i = 0; i < h / 2; i++) for (let j = 0; j < w / 2; j++) for (let c = 0; c < C; c++) for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
    assert.equal(packed[(b * N + i * (w / 2) + j) * 4 * C + c * 4 + dy * 2 + dx], at(b, c, 2 * i + dy, 2 * j + dx));
  }
  assert.deepEqual(unpackLatents(packed, B, C, h, w), src);
  const ids = imagePositionIds(h, w);
  assert.deepEqual(Array.from(ids.subarray(0, 9)), [0, 0, 0, 0, 0, 1, 0, 0, 2]);
  assert.deepEqual(Array.from(ids.subarray(ids.length - 3)), [0, 1, 2]);
});

test('npy float32 round trip; wrong dtype and shape are bad_request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-npy-'));
  const p = join(dir, 'a.npy');
  const data = Float32Array.from([1.5, -2, 3.25, 0, 1e-8, 7]);
  writeNpyFloat32(p, [1, 2, 3], data);
  const back = readNpyFloat32(p);
  assert.deepEqual(back.shape, [1, 2, 3]);
  assert.deepEqual(back.data, data);
  assert.throws(() => readNpyFloat32(join(dir, 'missing.npy')), /cannot read/);
});
