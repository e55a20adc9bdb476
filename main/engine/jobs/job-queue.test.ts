import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobEvent } from '../../../common/contract/contract.ts';
import { JobQueue } from './job-queue.ts';

const DYING = new URL('./fixtures/dying-worker.mjs', import.meta.url);
const job = (prompt: string) => ({
  task: 'generate' as const,
  packDirs: [],
  spec: { prompt, width: 8, height: 8, seed: 1, steps: 1, guidance: 4, regions: [], order: [], device: 'cpu' as const, upscale: 'lanczos' as const },
});

test('a worker that dies fails only its job; the queue starts a new worker for the next', async () => {
  const q = new JobQueue(DYING);
  try {
    const a = q.start(job('die'));
    const b = q.start(job('fine'));
    const ea = await a.done;
    assert.equal(ea.state, 'failed');
    assert.equal(ea.code, 'internal');
    assert.match(ea.message!, /job worker died: exit code 3/);
    assert.equal((await b.done).state, 'done');
    assert.deepEqual(q.list().map((j) => j.state), ['failed', 'done']);
  } finally {
    await q.close();
  }
});

test('jobs run one at a time in order, with events for each', async () => {
  const q = new JobQueue(DYING);
  const seen: JobEvent[] = [];
  q.onEvent((e) => seen.push(e));
  try {
    const jobs = [q.start(job('a')), q.start(job('b')), q.start(job('c'))];
    await Promise.all(jobs.map((j) => j.done));
    const order = seen.filter((e) => e.state === 'done').map((e) => e.jobId);
    assert.deepEqual(order, jobs.map((j) => j.jobId));
  } finally {
    await q.close();
  }
});

test('close cancels a running job gracefully before stopping the worker', async () => {
  const q = new JobQueue(DYING);
  const slow = q.start(job('slow'));
  await new Promise<void>((resolve) => q.onEvent((e) => e.state === 'step' && resolve()));
  await q.close();
  assert.equal((await slow.done).state, 'cancelled');
  assert.throws(() => q.start(job('x')), /closed/);
});

test('a result is done only once `finish` (the landing) resolves; a landing that throws fails the job for listeners and in list()', async () => {
  let landings = 0;
  const q = new JobQueue(DYING, async (_jobId, result) => {
    if (landings++ === 1) throw new Error('cannot land: layer is gone');
    return { landed: result };
  });
  try {
    const ok = await q.start(job('a')).done;
    assert.equal(ok.state, 'done');
    assert.deepEqual(ok.result, { landed: { ok: true } });
    const bad = await q.start(job('b')).done;
    assert.equal(bad.state, 'failed');
    assert.match(bad.message!, /cannot land: layer is gone/);
    assert.deepEqual(q.list().map((j) => [j.task, j.state]), [['generate', 'done'], ['generate', 'failed']]);
  } finally {
    await q.close();
  }
});

test('ended jobs let go of their inputs and results, and list() keeps only the last `keepFinished` of them (a long session runs thousands)', async () => {
  const q = new JobQueue(DYING, undefined, 2);
  try {
    const jobs = [q.start(job('a')), q.start(job('b')), q.start(job('c'))];
    const pending = q.start(job('d'));
    q.cancel(pending.jobId);
    await Promise.all(jobs.map((j) => j.done));
    // ended in the order d (cancelled while queued), a, b, c: the last two are b and c
    assert.deepEqual(q.list(), [{ jobId: jobs[1].jobId, task: 'generate', state: 'done' }, { jobId: jobs[2].jobId, task: 'generate', state: 'done' }]);
    const records = (q as unknown as { jobs: Map<string, { payload: unknown; done: unknown; settle: unknown }> }).jobs;
    assert.ok([...records.values()].every((r) => r.payload === null && r.done === null && r.settle === null), 'no ended job keeps its payload or its final event (a result with pixels)');
    assert.equal((await jobs[2].done).state, 'done', 'the caller still has its own promise');
    assert.equal(q.cancel(jobs[0].jobId), false, 'a forgotten job cannot be cancelled');
  } finally {
    await q.close();
  }
});
