import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationSize } from './generation-size.ts';

test('generationSize: own size for a free-size pack on a multiple of its step, else native', () => {
  const native = { width: 32, height: 32 };
  assert.deepEqual(generationSize({ fixed: false, multipleOf: 4 }, native, { width: 64, height: 48 }), { width: 64, height: 48 });
  assert.deepEqual(generationSize({ fixed: false, multipleOf: 4 }, native, { width: 64, height: 50 }), native);
  assert.deepEqual(generationSize({ fixed: true, multipleOf: 4 }, native, { width: 64, height: 64 }), native);
  assert.deepEqual(generationSize({ fixed: false, multipleOf: 4 }, native), native);
});
