import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { autoOrder, createSession, listBackends, probeProviders, providerOption, resetProviderFailures, setFallbackLogger } from './execution-providers.ts';

const GRAPH = fileURLToPath(new URL('./fixtures/matmul.onnx', import.meta.url));
const log: string[] = [];
setFallbackLogger((m) => log.push(m));

test('providers: cpu always starts and reports itself', async () => {
  const { session, provider, fallbacks } = await createSession(GRAPH, 'cpu');
  assert.equal(provider, 'cpu');
  assert.deepEqual(fallbacks, []);
  assert.deepEqual([...session.inputNames], ['A', 'B']);
  await session.release();
});

test('providers: auto picks the first that initializes, logs each fallback once, reports which ran', async () => {
  resetProviderFailures();
  log.length = 0;
  const a = await createSession(GRAPH, 'auto');
  const order = autoOrder();
  assert.ok(order.includes(a.provider));
  assert.equal(order.at(-1), 'cpu');
  // every provider before the one that ran was tried and failed with a reason
  assert.deepEqual(a.fallbacks.map((f) => f.provider), order.slice(0, order.indexOf(a.provider)));
  assert.equal(log.length, a.fallbacks.length);
  await a.session.release();
  const b = await createSession(GRAPH, 'auto');
  assert.equal(b.provider, a.provider);
  assert.equal(log.length, a.fallbacks.length, 'a failed provider is remembered, not re-logged');
  await b.session.release();
});

test('providers: a requested provider that cannot start is provider_failed with a clear message (or works)', async () => {
  for (const device of ['webgpu', 'cuda', 'dml', 'coreml'] as const) {
    try {
      const { session, provider } = await createSession(GRAPH, device);
      assert.equal(provider, device); // this machine has it
      await session.release();
    } catch (err) {
      assert.ok(err instanceof LaminaError, `${device}: ${String(err)}`);
      assert.equal(err.code, 'provider_failed');
      assert.match(err.message, new RegExp(`execution provider "${device}" could not start`));
      assert.match(err.message, /--device cpu/);
      if (device === 'webgpu') assert.match(err.message, /Vulkan|adapter|D3D12|Metal/);
    }
  }
});

test('providers: unknown device is bad_request; a broken graph on cpu is bad_pack naming it', async () => {
  await assert.rejects(createSession(GRAPH, 'tpu' as never), (e) => e instanceof LaminaError && e.code === 'bad_request' && /tpu/.test(e.message));
  const junk = new Uint8Array(readFileSync(GRAPH).subarray(0, 20));
  await assert.rejects(createSession(junk, 'cpu', {}, 'junk.onnx'), (e) => e instanceof LaminaError && e.code === 'bad_pack' && /junk\.onnx/.test(e.message));
});

test('providers: option mapping, backend list, probe', async () => {
  assert.equal(providerOption('cpu'), 'cpu');
  assert.deepEqual(providerOption('webgpu'), { name: 'webgpu' });
  assert.ok(listBackends().some((b) => b.name === 'cpu'));
  const probe = await probeProviders(GRAPH);
  assert.deepEqual(probe.find((p) => p.provider === 'cpu'), { provider: 'cpu', ok: true, reason: null });
  for (const p of probe) if (!p.ok) assert.ok(p.reason && p.reason.length > 0);
});
