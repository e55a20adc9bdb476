import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packLabel } from './pack-label.ts';

test('packLabel: family, native size, dtype, memory and verification state', () => {
  const base = { id: 'tiny-sd3', version: 'converted', dir: '/p', ok: true, error: null, pipelines: ['text-to-image'] };
  assert.equal(packLabel({ ...base, family: 'sd3', native: { width: 1024, height: 1024 }, dtype: 'fp16', memoryBytes: 9.5 * 2 ** 30 }), 'tiny-sd3 converted · sd3 · 1024×1024 · fp16 · ~9.5 GiB · verified');
  assert.equal(packLabel({ ...base, ok: false, error: 'sha256 mismatch' }), 'tiny-sd3 converted (invalid)');
  assert.equal(packLabel({ ...base, pipelines: [] }), 'tiny-sd3 converted · verified (no pipelines)');
});
