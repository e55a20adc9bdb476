import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMaskRuns, encodeMaskRuns, MaskRuns } from './mask-runs.ts';

test('mask runs: a selection survives the trip (partly selected pixels by the threshold); runs that do not add up are refused', () => {
  const data = new Uint8Array([0, 0, 255, 255, 130, 0, 12, 255, 255, 0, 0, 0]);
  const runs = encodeMaskRuns(data);
  assert.deepEqual(runs, [2, 3, 2, 2, 3]);
  const m = MaskRuns.parse({ x: 3, y: 4, width: 4, height: 3, runs });
  assert.deepEqual([...decodeMaskRuns(m)], [0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0]);
  assert.deepEqual(encodeMaskRuns(new Uint8Array([255, 0])), [0, 1, 1], 'a mask starting inside opens with an empty run');
  assert.equal(MaskRuns.safeParse({ x: 0, y: 0, width: 4, height: 3, runs: [2, 3] }).success, false);
  assert.match(MaskRuns.safeParse({ x: 0, y: 0, width: 4, height: 3, runs: [2, 3] }).error!.message, /add up to width x height/);
});
