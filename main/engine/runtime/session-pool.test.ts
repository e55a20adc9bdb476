import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { defaultTuning, SessionPool, type PoolEvent } from './session-pool.ts';
import './test-quiet-providers.ts';

const dir = fileURLToPath(new URL('./fixtures/tiny-pack/', import.meta.url));
const ref = (name: string) => ({ path: `${dir}${name}.onnx`, label: name });
const size = (name: string) => statSync(`${dir}${name}.onnx`).size;

test('pool: lazy creation, reuse, one session per (graph, device) even when acquired concurrently', async () => {
  const pool = new SessionPool();
  assert.equal(pool.openSessionCount, 0);
  const [a, b] = await Promise.all([pool.acquire(ref('vae_decoder'), 'cpu'), pool.acquire(ref('vae_decoder'), 'cpu')]);
  assert.equal(a, b);
  assert.equal(pool.created, 1);
  assert.equal(pool.inUseCount, 2);
  pool.release(a);
  pool.release(b);
  pool.release(b); // extra release is harmless
  assert.equal(pool.inUseCount, 0);
  const c = await pool.acquire(ref('vae_decoder'), 'cpu');
  assert.equal(c, a);
  assert.equal(pool.created, 1);
  pool.release(c);
  const r = await c.session.run({ latent: new ort.Tensor('float32', new Float32Array(8 * 8 * 8), [1, 8, 8, 8]) });
  assert.deepEqual(r.image.dims, [1, 4, 64, 64]);
  await pool.dispose();
  assert.equal(pool.openSessionCount, 0);
  await assert.rejects(pool.acquire(ref('vae_decoder'), 'cpu'), /disposed/);
});

const MB = 1024 * 1024;
/** A meter that says each graph's session costs FAKE[name] (by label), so budgets are exact. */
const FAKE: Record<string, number> = { vae_decoder: 3 * MB, vae_encoder: 3 * MB, text_encoder: 2 * MB, transformer: 5 * MB };
const fakeMeter = (phase: 'before' | 'after', label: string) => (phase === 'after' ? FAKE[label.split('/').pop()!] : 0);

test('pool: LRU eviction under the measured budget, never a session in use', async () => {
  const budget = FAKE.vae_decoder + FAKE.vae_encoder + 10;
  const events: PoolEvent[] = [];
  const pool = new SessionPool({ budgetBytes: budget, meter: fakeMeter, onEvent: (e) => events.push(e) });
  const dec = await pool.acquire(ref('vae_decoder'), 'cpu');
  const enc = await pool.acquire(ref('vae_encoder'), 'cpu');
  assert.deepEqual([dec.bytes, enc.bytes, pool.openBytes], [FAKE.vae_decoder, FAKE.vae_encoder, FAKE.vae_decoder + FAKE.vae_encoder], 'sizes are the measured ones, not the files');
  pool.release(dec); // dec is least recently used and idle
  const te = await pool.acquire(ref('text_encoder'), 'cpu');
  assert.equal(pool.openSessionCount, 2, 'decoder evicted');
  assert.deepEqual(events.slice(-2).map((e) => `${e.type} ${e.label}`), ['dispose vae_decoder', 'create text_encoder'], 'evicted before the next session was created');
  assert.ok(pool.openBytes <= budget && pool.peakBytes <= budget);
  // everything in use: the pool goes over budget rather than closing a session under a caller
  const tr = await pool.acquire(ref('transformer'), 'cpu');
  assert.equal(pool.openSessionCount, 3);
  pool.release(enc);
  pool.release(te);
  pool.release(tr);
  await new Promise((r) => setImmediate(r));
  assert.ok(pool.openBytes <= budget || pool.openSessionCount === 1, 'idle sessions trimmed back to the budget after release');
  await pool.trim();
  assert.equal(pool.openSessionCount, 0);
  await pool.dispose();
});

test('pool: a session costs what resident memory grew by while it was created, never less than its file; estimates follow the measurements', async () => {
  let rss = 100 * MB;
  const grow: Record<string, number> = { text_encoder: 4 * MB, vae_decoder: 0 };
  const meter = (phase: 'before' | 'after', label: string) => (phase === 'after' ? (rss += grow[label] ?? 0) : rss);
  const pool = new SessionPool({ meter });
  assert.equal(pool.estimateBytes(ref('transformer'), 'cpu'), size('transformer'), 'nothing measured yet: the file size');
  const te = await pool.acquire(ref('text_encoder'), 'cpu');
  assert.equal(te.bytes, 4 * MB);
  const ratio = (4 * MB) / size('text_encoder');
  assert.equal(pool.estimateBytes(ref('transformer'), 'cpu'), Math.ceil(size('transformer') * ratio), 'unmeasured graphs are estimated with the measured ratio');
  const dec = await pool.acquire(ref('vae_decoder'), 'cpu');
  assert.equal(dec.bytes, size('vae_decoder'), 'a delta below the weights reads as the weights');
  pool.release(te);
  pool.release(dec);
  await pool.trim();
  assert.equal(pool.estimateBytes(ref('text_encoder'), 'cpu'), 4 * MB, 'a closed graph keeps its measurement for next time');
  await pool.dispose();
  // the real meter: a session's cost is measured from the process, at least its weights
  const real = new SessionPool();
  const s = await real.acquire(ref('transformer'), 'cpu');
  assert.ok(s.bytes >= size('transformer'));
  real.release(s);
  await real.dispose();
  assert.equal(real.openSessionCount, 0);
});

test('pool: concurrent first loads are created one at a time (each measurement is one session)', async () => {
  let open = 0, most = 0;
  const meter = (phase: 'before' | 'after') => {
    open += phase === 'before' ? 1 : -1;
    most = Math.max(most, open);
    return 0;
  };
  const pool = new SessionPool({ meter });
  const all = await Promise.all(['text_encoder', 'transformer', 'vae_decoder'].map((n) => pool.acquire(ref(n), 'cpu')));
  assert.equal(most, 1);
  assert.equal(pool.created, 3);
  for (const s of all) pool.release(s);
  await pool.dispose();
});

test('pool: with() releases on throw; missing graph is not_found; tuning from measurement', async () => {
  const pool = new SessionPool();
  await assert.rejects(pool.with(ref('vae_decoder'), 'cpu', async () => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(pool.inUseCount, 0);
  await assert.rejects(pool.acquire({ path: `${dir}nope.onnx` }, 'cpu'), (e) => e instanceof LaminaError && e.code === 'not_found');
  await pool.dispose();
  const t = defaultTuning();
  assert.equal(t.graphOptimizationLevel, 'all');
  assert.ok(t.intraOpNumThreads! >= 1);
});
