// Process isolation for real: a job process that aborts natively (SIGABRT, as an ORT
// assertion or bad_alloc does) or is SIGKILLed (as the OOM killer does) in the middle of a pipeline fails only its job; the engine, its open documents
// and their history survive, and the next job runs (for real, on the fixture pack) in a
// fresh job process.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { JobEvent } from '../../../common/contract/contract.ts';
import { tempEngine, type TempEngine } from '../testing/temp-engine.ts';

const PACKS = fileURLToPath(new URL('../runtime/fixtures', import.meta.url));
const CRASHING = { process: new URL('./fixtures/crashing-process.mjs', import.meta.url) };
let t: TempEngine;
before(() => (t = tempEngine({ packDirs: [PACKS], jobWorker: CRASHING })));
after(() => t.dispose());

const spec = (seed: number) => ({ prompt: 'a red circle', width: 64, height: 64, seed, steps: 2, packId: 'fixture-tiny', device: 'cpu' as const });
function finalEvent(jobId: string): Promise<JobEvent> {
  return new Promise((resolve) => {
    const off = t.engine.on('job.event', (ev) => {
      if (ev.jobId === jobId && ['done', 'failed', 'cancelled'].includes(ev.state)) {
        off();
        resolve(ev);
      }
    });
  });
}

test('a native abort and an OOM kill inside a pipeline fail only their job; the engine and its documents go on', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64, name: 'precious' });
  await t.engine.call('document.mutate', { docId: doc.docId, ops: [{ op: 'rename-document', name: 'precious work' }] });
  const enginePid = process.pid;
  for (const [seed, why] of [[666, /killed by SIGABRT/], [667, /killed by SIGKILL/]] as const) {
    const prompt = seed === 666 ? 'SIGABRT' : 'SIGKILL';
    const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(seed) });
    const ev = await finalEvent(jobId);
    assert.equal(ev.state, 'failed', prompt);
    assert.equal(ev.code, 'internal', ev.message);
    assert.equal(ev.code, 'internal');
    assert.match(ev.message ?? '', /job worker died: /);
    assert.match(ev.message ?? '', why, ev.message);
    assert.equal(process.pid, enginePid);
    const snap = await t.engine.call('document.get', { docId: doc.docId });
    assert.equal(snap.document.name, 'precious work', 'the open document is untouched');
    assert.equal(snap.document.layers.length, 0, 'nothing landed from the crashed job');
    assert.equal(snap.canUndo, true, 'its history too');
  }
  // the next job gets a fresh process and really runs the pipeline
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(3) });
  const ev = await finalEvent(jobId);
  assert.equal(ev.state, 'done', ev.message);
  assert.equal((await t.engine.call('document.get', { docId: doc.docId })).document.layers.length, 1);
  assert.deepEqual((await t.engine.call('jobs.list', {})).map((j) => j.state), ['failed', 'failed', 'done']);
});

test('the engine\'s real jobs run in a child process by default, not a worker thread', async () => {
  const { JOB_PROCESS } = await import('./job-queue.ts');
  assert.ok(!(JOB_PROCESS instanceof URL) && JOB_PROCESS.process.pathname.endsWith('/jobs/job-process-entry.mjs'));
  const plain = tempEngine({ packDirs: [PACKS] });
  try {
    assert.equal((plain.engine.jobs as unknown as { runner: unknown }).runner, JOB_PROCESS);
  } finally {
    await plain.dispose();
  }
});
