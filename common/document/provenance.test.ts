import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Provenance } from './provenance.ts';

const full = {
  task: 'generate', packId: 'lamina-tiny', packVersion: '0.3.0', pipeline: 'layerbind', prompt: 'a red star',
  regions: [{ id: 'r', box: [1, 2, 3, 4] as [number, number, number, number], prompt: 'a red star' }], order: ['r'],
  seed: 7, steps: 20, guidance: 4, sampler: 'flow_match_euler', shift: 3, spacing: 'linspace', timestepScale: 1,
  noise: 'philox4x32-10 + box-muller', native: { width: 128, height: 128 }, provider: 'cpu', createdAt: '2026-12-01T00:00:00.000Z',
  params: { layerbind: { mode: 'layerbind' as const, fuseStep: 2, laterKnob: true }, art: { layers: 3 } },
};

test('provenance: a full record parses to itself (no field dropped, per-method params keep unknown keys)', () => {
  assert.deepEqual(Provenance.parse(full), full);
  assert.deepEqual(Provenance.parse(JSON.parse(JSON.stringify(full))), full);
});

test('provenance: a record from before tasks and params reads as task generate with params.layerbind', () => {
  const old = { packId: 'lamina-tiny', pipeline: 'layerbind', prompt: 'x', seed: 1, steps: 2, guidance: 4, regions: [], layerbind: { mode: 'global' } };
  const p = Provenance.parse(old);
  assert.equal(p.task, 'generate');
  assert.deepEqual(p.params, { layerbind: { mode: 'global' } });
  assert.ok(!('layerbind' in p));
  assert.ok(!Provenance.safeParse({ ...full, seed: 1.5 }).success);
});
