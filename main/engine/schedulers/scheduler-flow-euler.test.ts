import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { FlowMatchEulerScheduler } from './scheduler-flow-euler.ts';

interface Case {
  steps: number; shift: number; num_train_timesteps: number; dynamic?: boolean; mu?: number; linspace_sigmas?: boolean;
  timesteps: number[]; sigmas: number[]; initial_sample: number[]; model_outputs: number[][]; step_samples: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/flow-euler-diffusers.json', import.meta.url), 'utf8')) as { diffusers_version: string; cases: Case[] };

function ulpsApart(a: number, b: number): number {
  const fa = new Float32Array([a, b]);
  const ia = new Int32Array(fa.buffer);
  return Math.abs(ia[0] - ia[1]);
}

for (const c of fixture.cases) {
  const name = `steps=${c.steps} shift=${c.shift} N=${c.num_train_timesteps}${c.dynamic ? ` mu=${c.mu}` : ''}${c.linspace_sigmas ? ' linspace' : ''}`;
  test(`flow euler matches diffusers ${fixture.diffusers_version}: ${name}`, () => {
    const s = new FlowMatchEulerScheduler({ numTrainTimesteps: c.num_train_timesteps, shift: c.shift, useDynamicShifting: c.dynamic });
    const sched = s.setTimesteps(c.steps, { mu: c.mu, spacing: c.linspace_sigmas ? 'linspace' : 'diffusers' });
    assert.equal(sched.timesteps.length, c.timesteps.length);
    assert.equal(sched.sigmas.length, c.sigmas.length);
    // float32 values; allow 1 ulp for the float64 shift formula evaluated in another language
    sched.timesteps.forEach((t, i) => assert.ok(ulpsApart(t, c.timesteps[i]) <= 1, `timestep ${i}: ${t} vs ${c.timesteps[i]}`));
    sched.sigmas.forEach((v, i) => assert.ok(ulpsApart(v, c.sigmas[i]) <= 1, `sigma ${i}: ${v} vs ${c.sigmas[i]}`));
    let sample: Float32Array = Float32Array.from(c.initial_sample);
    let maxErr = 0;
    for (let i = 0; i < c.steps; i++) {
      sample = s.step(Float32Array.from(c.model_outputs[i]), sample);
      for (let k = 0; k < sample.length; k++) maxErr = Math.max(maxErr, Math.abs(sample[k] - c.step_samples[i][k]));
    }
    assert.ok(maxErr <= 1e-6, `step outputs differ by ${maxErr}`);
  });
}

test('flow euler: step in place, predictX0, scaleNoise, errors', () => {
  const s = new FlowMatchEulerScheduler({ shift: 3 });
  s.setTimesteps(4);
  const x = Float32Array.from([1, 2, 3]);
  const v = Float32Array.from([0.5, -0.5, 0]);
  const x0 = s.predictX0(v, x);
  assert.deepEqual([...x0], [1 - 0.5, 2 + 0.5, 3]); // sigma_0 = 1
  const noised = s.scaleNoise(Float32Array.from([2, 2, 2]), Float32Array.from([0, 1, -1]), 0);
  assert.deepEqual([...noised], [0, 1, -1]);
  const same = s.step(v, x, x);
  assert.equal(same, x);
  assert.equal(s.index, 1);
  for (let i = 1; i < 4; i++) s.step(v, x, x);
  assert.throws(() => s.step(v, x, x), /after the last timestep/);
  assert.throws(() => new FlowMatchEulerScheduler().timesteps, /setTimesteps/);
  assert.throws(() => s.setTimesteps(0), RangeError);
});

test('schedulers are pure math: no ORT, node or engine imports', () => {
  const dir = new URL('./', import.meta.url);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const src = readFileSync(new URL(name, dir), 'utf8');
    const imports = [...src.matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    assert.deepEqual(imports.filter((i) => /onnxruntime|^node:|\.\.\//.test(i)), [], `${name} imports ${imports.join(', ')}`);
  }
});
