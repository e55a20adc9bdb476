import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaminaError } from '../../../../common/errors/lamina-error.ts';
import { FlowMatchEulerScheduler } from '../../schedulers/scheduler-flow-euler.ts';
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

test('defaults at shift 1: fuse after 10% of the steps, nurse the next 20% (at least 1 each)', () => {
  assert.deepEqual(defaultNursingParams(20), { fuseStep: 2, nursingSteps: 4, schedule: 'cosine', strength: 1 });
  assert.deepEqual(defaultNursingParams(28), { fuseStep: 3, nursingSteps: 6, schedule: 'cosine', strength: 1 });
  assert.deepEqual(defaultNursingParams(4), { fuseStep: 1, nursingSteps: 1, schedule: 'cosine', strength: 1 });
  assert.deepEqual(defaultNursingParams(1), { fuseStep: 0, nursingSteps: 1, schedule: 'cosine', strength: 1 });
  assert.deepEqual(resolveNursingParams(20, { fuseStep: 18 }), { fuseStep: 18, nursingSteps: 2, schedule: 'cosine', strength: 1 });
});

test('phases are noise levels: a pack\'s sampling shift changes the step counts, not the sigma where the branches fuse', () => {
  const shifted = (steps: number, shift: number) => new FlowMatchEulerScheduler({ shift }).setTimesteps(steps).sigmas;
  for (const shift of [1, 3]) {
    const sig = shifted(20, shift);
    const p = resolveNursingParams(20, {}, sig);
    // the fused steps are exactly those that start above 0.9; nursing ends at the first step at or below 0.7
    assert.ok(sig[p.fuseStep - 1] > 0.9 && sig[p.fuseStep] <= 0.9 + 1e-4, `shift ${shift}: fuse at ${p.fuseStep}`);
    const end = p.fuseStep + p.nursingSteps;
    assert.ok(sig[end - 1] > 0.7 && sig[end] <= 0.7 + 1e-4, `shift ${shift}: nursing ends at ${end}`);
  }
  // shift 3 keeps the noise high for longer, so more steps lie above the same levels (the
  // scheduler's sigmas run from 1 to shift(1/1000) like diffusers', not to 0)
  assert.deepEqual(resolveNursingParams(20, {}, shifted(20, 3)), { fuseStep: 5, nursingSteps: 6, schedule: 'cosine', strength: 1 });
  assert.deepEqual(resolveNursingParams(20, { fuseSigma: 0.8, nursingEndSigma: 0.5 }), { fuseStep: 4, nursingSteps: 6, schedule: 'cosine', strength: 1 });
  // explicit steps win over levels
  assert.deepEqual(resolveNursingParams(20, { fuseStep: 1, nursingSteps: 2 }, shifted(20, 3)), { fuseStep: 1, nursingSteps: 2, schedule: 'cosine', strength: 1 });
});

test('resolveNursingParams: out-of-range parameters are bad requests naming the field', () => {
  const bad = (given: object, re: RegExp) =>
    assert.throws(() => resolveNursingParams(10, given), (e) => e instanceof LaminaError && e.code === 'bad_request' && re.test(e.message));
  bad({ fuseStep: 10 }, /fuseStep must be an integer in \[0, 9\]/);
  bad({ fuseStep: 1.5 }, /fuseStep/);
  bad({ fuseStep: 2, nursingSteps: 9 }, /nursingSteps must be an integer in \[0, 8\]/);
  bad({ schedule: 'exp' }, /schedule must be one of cosine, linear, constant/);
  bad({ strength: 1.5 }, /strength must be in \[0, 1\]/);
  bad({ fuseSigma: 0 }, /fuseSigma must be in \(0, 1\]/);
  bad({ fuseSigma: 0.6, nursingEndSigma: 0.7 }, /nursingEndSigma must be in \[0, fuseSigma 0.6\]/);
});
