import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { normalNoise, philox4x32, uniformNoise } from './prng.ts';

const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, '0')).join(' ');

test('philox4x32-10 matches the Random123 known-answer vectors', () => {
  assert.equal(hex(philox4x32([0, 0, 0, 0], [0, 0])), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  assert.equal(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])), '408f276d 41c83b0e a20bc7c6 6d5451fd');
  assert.equal(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])), 'd16cfe09 94fdcceb 5001e420 24126ea1');
});

test('normal noise: fixed values for seed 42 (same on every platform)', () => {
  const n = normalNoise(42, 6);
  assert.deepEqual([...n], [-0.9701898097991943, 0.19401895999908447, -1.2356207370758057, 1.9239267110824585, -0.07318150997161865, 0.13913749158382416]);
  // a digest of a larger draw pins every value
  const big = normalNoise(1234, 4096, 7);
  const digest = createHash('sha256').update(Buffer.from(big.buffer)).digest('hex');
  assert.equal(digest, DIGEST_1234_4096_7);
});

test('normal noise: statistics, streams, offsets, odd lengths', () => {
  const n = normalNoise(42, 40000);
  let m = 0;
  for (const x of n) m += x;
  m /= n.length;
  let v = 0;
  for (const x of n) v += (x - m) ** 2;
  v /= n.length;
  assert.ok(Math.abs(m) < 0.02 && Math.abs(v - 1) < 0.03, `mean ${m} var ${v}`);
  assert.notDeepEqual([...normalNoise(42, 8, 1)], [...normalNoise(42, 8, 0)]);
  assert.notDeepEqual([...normalNoise(43, 8)], [...normalNoise(42, 8)]);
  assert.deepEqual([...normalNoise(42, 8, 0, 4)], [...n.slice(4, 12)]);
  assert.deepEqual([...normalNoise(42, 7)], [...n.slice(0, 7)]);
  assert.throws(() => normalNoise(-1, 4), RangeError);
  assert.throws(() => normalNoise(1.5, 4), RangeError);
  const u = uniformNoise(9, 1000);
  assert.ok(u.every((x) => x >= 0 && x < 1));
});

const DIGEST_1234_4096_7 = '4c74ef022abf48f0308b1d276a29d75e553207efab8482597ae314a6c0d53a8e';
