import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIMITS, outOfRange, parseLimited } from './limits.ts';
import { contract } from './contract.ts';
import { GenerationSpec } from './generation-spec.ts';
import { LayersSpec } from './task-specs.ts';

test('out-of-range values get a message, never a clamp', () => {
  assert.equal(outOfRange(LIMITS.canvasSide, 1024), null);
  assert.equal(outOfRange(LIMITS.canvasSide, 100000), 'Canvas size 100000 px is past the maximum 16384 px');
  assert.equal(outOfRange(LIMITS.steps, 3000), 'Steps 3000 is past the maximum 200');
  assert.equal(outOfRange(LIMITS.steps, 0), 'Steps 0 is below the minimum 1');
  assert.equal(outOfRange(LIMITS.steps, 2.5), 'Steps must be a whole number');
  assert.deepEqual(parseLimited(LIMITS.guidance, ' 4.5 '), { value: 4.5, error: null });
  assert.match(parseLimited(LIMITS.guidance, '').error ?? '', /must be a number from 0 to 30/);
});

test('the contract\'s schemas are built from the same limits', () => {
  const newDoc = contract['document.new'].input;
  assert.equal(newDoc.safeParse({ width: LIMITS.canvasSide.max, height: 1 }).success, true);
  const big = newDoc.safeParse({ width: 100000, height: 100000 });
  assert.equal(big.success, false);
  assert.match(JSON.stringify(big.error?.issues), /at most 16384/);
  const spec = { prompt: 'x', width: LIMITS.generateSide.max, height: 64, seed: LIMITS.seed.max, steps: LIMITS.steps.max };
  assert.equal(GenerationSpec.safeParse(spec).success, true);
  assert.equal(GenerationSpec.safeParse({ ...spec, steps: 3000 }).success, false);
  assert.equal(GenerationSpec.safeParse({ ...spec, width: LIMITS.generateSide.max + 1 }).success, false);
  assert.equal(LayersSpec.safeParse({ prompt: 'x', boxes: [[0, 0, 4, 4]], width: LIMITS.generateSide.max + 1, height: 8, seed: 1, steps: 1 }).success, false);
  assert.equal(LayersSpec.safeParse({ prompt: 'x', boxes: [[0, 0, 4, 4]], width: 8, height: 8, seed: 1, steps: 1 }).success, true);
  assert.equal(LayersSpec.safeParse({ prompt: 'x', boxes: Array(LIMITS.artBoxes.max + 1).fill([0, 0, 4, 4]), width: 8, height: 8, seed: 1, steps: 1 }).success, false);
});
