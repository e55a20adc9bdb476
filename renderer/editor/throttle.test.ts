import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Throttle } from './throttle.ts';

test('Throttle delivers at most once per interval and keeps the latest', async () => {
  const got: number[] = [];
  const t = new Throttle<number>(30, (v) => got.push(v));
  t.push(1);
  t.push(2);
  t.push(3);
  assert.deepEqual(got, [1]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(got, [1, 3]);
  t.cancel();
});

test('Throttle never delivers a stale trailing value after a newer one', () => {
  let now = 0;
  const got: number[] = [];
  const t = new Throttle<number>(100, (v) => got.push(v), () => now);
  t.push(1); // delivered at 0
  now = 50;
  t.push(2); // pending, timer for 50 ms
  now = 120; // timer has not fired yet (event loop busy) when the next value arrives
  t.push(3); // delivered now, pending 2 dropped
  assert.deepEqual(got, [1, 3]);
  t.cancel();
});
