// The decompose bench section runs and reports what it compared (no timing is asserted:
// speed lives in `npm run bench`).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { runDecomposeBench } from './bench-decompose.ts';
import '../../runtime/test-quiet-providers.ts';

test('decompose bench: a model decomposition and a text-to-image at the same size and steps, their ratio, the inpaint method\'s ms', async () => {
  const r = await runDecomposeBench({ runs: 1 });
  if (!existsSync(new URL('../../../../models/lamina-decomp/manifest.json', import.meta.url))) {
    assert.deepEqual([r.packs.decompose, r.packs.text_to_image], ['fixture-tiny-decompose 0.0.1', 'fixture-tiny 0.0.1']);
    assert.match(r.packs.source, /fixtures/);
    assert.deepEqual([r.size, r.steps], [[64, 64], 20], 'the decomposition pack\'s native size and default steps, for both');
  }
  assert.ok(r.decompose_model_ms > 0 && r.text_to_image_ms > 0);
  assert.ok(r.decompose_ratio > 0 && Number.isFinite(r.decompose_ratio));
  assert.ok(Number.isFinite(r.inpaint_ms_128) && Number.isFinite(r.inpaint_ms_512));
});
