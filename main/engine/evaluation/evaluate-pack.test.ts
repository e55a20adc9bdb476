import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { evaluatePack } from './evaluate-pack.ts';

const FIXTURE = fileURLToPath(new URL('../runtime/fixtures/tiny-pack', import.meta.url));

test('evaluates a pack on held-out captions, tallied by object count', async () => {
  const r = await evaluatePack({ packDir: FIXTURE, captions: 6, steps: 2 });
  assert.equal(r.captions, 6);
  const counts = Object.values(r.by_object_count).reduce((n, t) => n + t.captions, 0);
  assert.equal(counts, 6);
  for (const t of Object.values(r.by_object_count)) {
    for (const v of [t.colour_accuracy, t.shape_accuracy, t.count_accuracy]) assert.ok(v !== null && v >= 0 && v <= 100);
  }
});
