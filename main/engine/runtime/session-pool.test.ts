import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { defaultTuning, SessionPool } from './session-pool.ts';
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

test('pool: LRU eviction under the memory budget, never a session in use', async () => {
  const budget = size('vae_decoder') + size('vae_encoder') + 10;
  const pool = new SessionPool({ budgetBytes: budget });
  const dec = await pool.acquire(ref('vae_decoder'), 'cpu');
  const enc = await pool.acquire(ref('vae_encoder'), 'cpu');
  pool.release(dec); // dec is least recently used and idle
  const te = await pool.acquire(ref('text_encoder'), 'cpu');
  assert.equal(pool.openSessionCount, 2, 'decoder evicted');
  assert.ok(pool.openBytes <= budget);
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
