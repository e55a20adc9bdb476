import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { defaultNursingParams, resolveNursingParams, stepPhases, transparencySchedule } from './nursing-schedule.ts';

test('transparencySchedule: exact opacity per step for each shape; zero outside the window', () => {
  const p = { fuseStep: 2, nursingSteps: 4, strength: 1 };
  assert.deepEqual([...transparencySchedule(8, { ...p, schedule: 'linear' })], [0, 0, 1, 0.75, 0.5, 0.25, 0, 0]);
  assert.deepEqual([...transparencySchedule(8, { ...p, schedule: 'constant', strength: 0.6 })], [0, 0, 0.6, 0.6, 0.6, 0.6, 0, 0]);
  const cos = [...transparencySchedule(8, { ...p, schedule: 'cosine' })];
  const expected = [0, 0, 1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2, 0, 0];
  cos.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-15, `step ${i}: ${v} vs ${expected[i]}`));
  assert.deepEqual([...transparencySchedule(8, { ...p, nursingSteps: 0, schedule: 'cosine' })], [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('stepPhases: instance steps, then nursing while the opacity is > 0, then global', () => {
  assert.deepEqual(stepPhases(8, { fuseStep: 2, nursingSteps: 3, schedule: 'cosine', strength: 1 }), ['instance', 'instance', 'nursing', 'nursing', 'nursing', 'global', 'global', 'global']);
  assert.deepEqual(stepPhases(3, { fuseStep: 0, nursingSteps: 3, schedule: 'linear', strength: 0 }), ['global', 'global', 'global']);
});

test('defaults: fuse after 10% of the steps, nurse the next 20% (at least 1 each)', () => {
  assert.deepEqual(defaultNursingParams(20), { fuseStep: 2, nursingSteps: 4, schedule: 'cosine', strength: 1 });
  assert.deepEqual(defaultNursingParams(28), { fuseStep: 3, nursingSteps: 6, schedule: 'cosine', strength: 1 });
  assert.deepEqual(defaultNursingParams(4), { fuseStep: 1, nursingSteps: 1, schedule: 'cosine', strength: 1 });
  assert.deepEqual(defaultNursingParams(1), { fuseStep: 0, nursingSteps: 1, schedule: 'cosine', strength: 1 });
  assert.deepEqual(resolveNursingParams(20, { fuseStep: 18 }), { fuseStep: 18, nursingSteps: 2, schedule: 'cosine', strength: 1 });
});

test('resolveNursingParams: out-of-range parameters are bad requests naming the field', () => {
  const bad = (given: object, re: RegExp) =>
    assert.throws(() => resolveNursingParams(10, given), (e) => e instanceof LaminaError && e.code === 'bad_request' && re.test(e.message));
  bad({ fuseStep: 10 }, /fuseStep must be an integer in \[0, 9\]/);
  bad({ fuseStep: 1.5 }, /fuseStep/);
  bad({ fuseStep: 2, nursingSteps: 9 }, /nursingSteps must be an integer in \[0, 8\]/);
  bad({ schedule: 'exp' }, /schedule must be one of cosine, linear, constant/);
  bad({ strength: 1.5 }, /strength must be in \[0, 1\]/);
});
