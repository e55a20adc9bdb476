import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { LaminaError } from '../../../common/errors/lamina-error.ts';
import { verifyPack } from './pack-registry.ts';
import { createSession } from './execution-providers.ts';
import { evalDim, expectedInputs, FeedBuffers, resolveDims, tensorFrom, validateFeeds } from './feeds.ts';
import { GraphRunner } from './graph-runner.ts';
import { SessionPool } from './session-pool.ts';

const DIR = fileURLToPath(new URL('./fixtures/tiny-pack/', import.meta.url));
const pack = await verifyPack(DIR);
const f32 = (dims: number[]) => new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);

test('feeds: expected inputs merge session metadata with the manifest', async () => {
  const { session } = await createSession(`${DIR}transformer.onnx`, 'cpu');
  const exp = expectedInputs(session, pack.manifest.graphs.transformer.inputs);
  assert.deepEqual(exp.map((e) => e.name), ['latent', 'timestep', 'text_embeds', 'text_mask', 'attn_bias', 'text_k_override', 'text_v_override', 'kv_mix']);
  assert.deepEqual(exp[0], { name: 'latent', dtype: 'float32', dims: ['batch', 8, 8, 8] });
  await session.release();
});

test('feeds: every problem is listed with expected and given dtype + dims', () => {
  const expected = [
    { name: 'latent', dtype: 'float32', dims: ['batch', 8, 8, 8] },
    { name: 'timestep', dtype: 'float32', dims: ['batch'] },
    { name: 'ids', dtype: 'int64', dims: ['batch', 'text_len'] },
    { name: 'bias', dtype: 'float32', dims: ['batch', 'text_len + 16'] },
  ];
  try {
    validateFeeds('transformer', expected, {
      latent: f32([2, 8, 4, 8]),
      ids: new ort.Tensor('int32', new Int32Array(6), [3, 2]),
      bias: f32([2, 17]),
      extra: f32([1]),
    });
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof LaminaError);
    assert.equal(err.code, 'bad_request');
    const m = err.message;
    assert.match(m, /^transformer: feeds do not match the graph/);
    assert.match(m, /input "latent": expects float32 \[batch, 8, 8, 8\], given float32 \[2, 8, 4, 8\] \(dim 2 is 4, must be 8\)/);
    assert.match(m, /missing input "timestep": expects float32 \[batch\]/);
    assert.match(m, /input "ids": expects int64 \[batch, text_len\], given int32 \[3, 2\] \(dtype int32 is not int64; dim 0 \(batch\) is 3, but batch = 2 elsewhere\)/);
    assert.match(m, /input "bias": .*dim 1 \(text_len \+ 16\) is 17, must be 18/);
    assert.match(m, /unexpected input "extra" \(given float32 \[1\]\); the graph takes: latent, timestep, ids, bias/);
  }
  assert.throws(() => validateFeeds('g', [{ name: 'x', dtype: 'float32', dims: [2, 3] }], { x: f32([2, 3, 1]) }), /rank 3 is not 2/);
  const ok = validateFeeds('g', expected, { latent: f32([1, 8, 8, 8]), timestep: f32([1]), ids: tensorFrom('int64', [1, 2, 3], [1, 3]), bias: f32([1, 19]) });
  assert.equal(ok.get('text_len'), 3);
});

test('feeds: dim expressions, zero fill, buffer reuse', () => {
  const b = new Map([['text_len', 5], ['batch', 2]]);
  assert.equal(evalDim('text_len + 16', b), 21);
  assert.equal(evalDim('(text_len + 1) * 2 - batch', b), 10);
  assert.equal(evalDim('unknown + 1', b), null);
  assert.deepEqual(resolveDims(['batch', 1, 'text_len * 2'], b), [2, 1, 10]);
  const buf = new FeedBuffers();
  const t1 = buf.tensor('x', 'float32', [2, 3]);
  assert.equal(buf.tensor('x', 'float32', [2, 3]), t1, 'same shape -> same buffer');
  assert.notEqual(buf.tensor('x', 'float32', [3, 3]), t1);
  const feeds: Record<string, ort.Tensor> = { a: f32([2, 5]) };
  const filled = buf.fillMissingWithZeros('g', [{ name: 'a', dtype: 'float32', dims: ['batch', 'text_len'] }, { name: 'z', dtype: 'float32', dims: ['batch', 1, 'text_len + 4'] }], feeds, new Map());
  assert.deepEqual(filled, ['z']);
  assert.deepEqual(feeds.z.dims, [2, 1, 9]);
  assert.throws(() => buf.fillMissingWithZeros('g', [{ name: 'q', dtype: 'float32', dims: ['mystery'] }], {}, new Map()), /cannot size a zero tensor for unused input "q"/);
  assert.deepEqual([...(tensorFrom('int64', [1, 2], [2]).data as BigInt64Array)], [1n, 2n]);
});

test('graph runner: zero-fills unused transformer inputs (attn bias, K/V overrides) and runs', async () => {
  const pool = new SessionPool();
  try {
    const s = await pool.acquire({ path: `${DIR}transformer.onnx` }, 'cpu');
    const g = new GraphRunner('transformer', s, pack.manifest.graphs.transformer);
    const T = 5;
    const out = await g.run({ latent: f32([2, 8, 8, 8]), timestep: f32([2]), text_embeds: f32([2, T, 32]), text_mask: f32([2, T]) }, { bindings: { joint_len: T + 16 }, fetch: ['velocity'] });
    assert.deepEqual(out.velocity.dims, [2, 8, 8, 8]);
    assert.deepEqual(Object.keys(out), ['velocity']);
    await assert.rejects(g.run({ latent: f32([2, 8, 8, 8]) }, { zeroFill: false }), /missing input "timestep"/);
    pool.release(s);
  } finally {
    await pool.dispose();
  }
});
