// Graphs loaded and released in sequence when the pool's budget needs it: on a budget
// below the text encoder + transformer (and transformer + decoder), the text encoder is
// closed before the transformer is created, the transformer before the decoder, the pool
// never holds more than its budget, and the pixels are byte-identical to a roomy pool's.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { GenerationSpecInput } from '../../../common/contract/generation-spec.ts';
import { SessionPool, type PoolEvent } from '../runtime/session-pool.ts';
import '../runtime/test-quiet-providers.ts';
import { loadFixturePack } from '../testing/test-packs.ts';
import { collectingContext } from './conformance.ts';
import { LayerBindPipeline } from './pipeline-layerbind.ts';
import { TextToImagePipeline } from './pipeline-text-to-image.ts';

const MB = 1024 * 1024;
/** each session "costs" this much (by graph name), so the budget is exact on any machine */
const COST: Record<string, number> = { text_encoder: 2 * MB, transformer: 5 * MB, vae_decoder: 1 * MB, vae_encoder: 1 * MB };
const meter = (phase: 'before' | 'after', label: string) => (phase === 'after' ? COST[label.split('/').pop()!] : 0);
const BUDGET = 5.5 * MB; // < text encoder + transformer, < transformer + decoder, >= each alone

const pack = await loadFixturePack();
const roomy = new SessionPool();
after(() => roomy.dispose());

const base = { prompt: 'a large red star and a small blue circle on a green background', width: 64, height: 64, seed: 7, steps: 4, guidance: 4, device: 'cpu' as const };
const specs: { name: string; spec: GenerationSpecInput; run: (pool: SessionPool, spec: GenerationSpecInput) => Promise<{ layers: { rgba: Uint8Array }[] }> }[] = [
  { name: 'text-to-image', spec: base, run: (pool, spec) => new TextToImagePipeline(pack, { pool, previewEvery: 0 }).run(spec, collectingContext().ctx) },
  {
    name: 'layerbind',
    spec: { ...base, regions: [{ id: 'star', box: [4, 4, 32, 32], prompt: 'a large red star' }, { id: 'circle', box: [24, 24, 36, 36], prompt: 'a small blue circle' }], order: ['star', 'circle'] },
    run: (pool, spec) => new LayerBindPipeline(pack, { pool, previewEvery: 0 }).run(spec, collectingContext().ctx),
  },
];

for (const c of specs) {
  test(`${c.name}: on a small budget the graphs load and go in sequence, within the budget, same pixels`, async () => {
    const events: PoolEvent[] = [];
    const small = new SessionPool({ budgetBytes: BUDGET, meter, onEvent: (e) => events.push(e) });
    const expected = await c.run(roomy, c.spec);
    for (let run = 0; run < 2; run++) {
      const got = await c.run(small, c.spec);
      assert.ok(Buffer.from(got.layers[0].rgba).equals(Buffer.from(expected.layers[0].rgba)), `run ${run}: pixels byte-identical to the roomy pool's`);
      assert.equal(small.inUseCount, 0);
    }
    const log = events.map((e) => `${e.type} ${e.label.split('/').pop()}`);
    assert.deepEqual(log.slice(0, 5), ['create text_encoder', 'dispose text_encoder', 'create transformer', 'dispose transformer', 'create vae_decoder']);
    assert.ok(log.indexOf('dispose text_encoder', 5) < log.indexOf('create transformer', 5), 'the second run closes the text encoder before the transformer again');
    assert.ok(small.peakBytes <= BUDGET, `peak ${small.peakBytes} <= budget ${BUDGET}`);
    assert.equal(small.peakBytes, COST.transformer);
    assert.equal(roomy.openSessionCount, 3, 'a roomy pool keeps all three cached');
    await small.dispose();
    assert.equal(small.openSessionCount, 0);
  });
}
