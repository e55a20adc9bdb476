import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixturePack } from '../testing/test-packs.ts';
import { checkPackMemory, estimatePackMemory } from './pack-memory.ts';
import { diffusionManifest } from './pack-model.ts';

test('pack memory: the peak of the two phases plus a margin; a machine that cannot hold it is refused with what it needs', async () => {
  const pack = await loadFixturePack();
  const m = estimatePackMemory(diffusionManifest(pack));
  assert.ok(m.bytes > Math.max(m.textPhase, m.denoisePhase));
  assert.ok(m.denoisePhase > 0 && m.textPhase > 0);
  assert.doesNotThrow(() => checkPackMemory(diffusionManifest(pack), m.bytes));
  assert.throws(() => checkPackMemory(diffusionManifest(pack), m.bytes - 1), (e: Error & { code?: string }) => e.code === 'too_large' && /needs about .* GiB.*this machine allows/.test(e.message));
  // fp16-stored weights count twice (cast to fp32 when the session starts)
  const half = estimatePackMemory({ ...diffusionManifest(pack), about: { conversion: { dtype: 'fp16' } } });
  assert.ok(half.denoisePhase > m.denoisePhase);
});
