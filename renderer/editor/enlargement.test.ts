import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enlargement } from './enlargement.ts';
import type { Layer } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, x: 0, y: 0 };
const prov = { task: 'generate', packId: 'p', pipeline: 'text-to-image', prompt: 'x', regions: [], seed: 1, steps: 2, params: {} };

test('a generated layer bigger than the pack\'s native size says it was enlarged, and how', () => {
  const big: Layer = { ...base, id: 'a', name: 'a', kind: 'raster', imageId: 'i', width: 1024, height: 1024, provenance: { ...prov, native: { width: 128, height: 128 }, upscale: 'nearest' } };
  assert.equal(enlargement(big)?.text, 'generated at 128 × 128, enlarged 8× (nearest)');
  assert.equal(enlargement({ ...big, width: 128, height: 128 } as Layer), null, 'native size: nothing to say');
  assert.equal(enlargement({ ...big, provenance: null } as Layer), null, 'not generated');
  assert.equal(enlargement({ ...big, provenance: { ...prov, native: { width: 128, height: 128 } } } as Layer)?.upscale, 'lanczos', 'files from before the choice: lanczos');
});
