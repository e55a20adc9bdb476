// A small run of the kill -9 harness (npm run crash-saves does 100 per mode): the engine
// process is really killed mid-loop; the file stays readable and recovery offers the
// last autosave. And the check itself catches a torn file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashTrial } from './crash-harness.ts';

for (const mode of ['ora', 'psd', 'autosave'] as const) {
  test(`kill -9 during ${mode === 'autosave' ? 'autosave' : `${mode} save`}: the file is intact and holds the last acknowledged save (2 kills, one aimed at the write)`, async () => {
    const trials = [];
    // seeds 1 and 3: one kill anywhere in a save, one aimed at its write
    for (const seed of [1, 3]) {
      const t = await crashTrial(mode, seed);
      assert.ok(t.ok, `${mode} seed ${seed}: ${t.problem}`);
      assert.ok(t.acked >= 2, 'it was killed after saving twice, while saving again');
      trials.push(t.aimed);
    }
    assert.deepEqual(trials.sort(), [false, true]);
  });
}

test('the crash check is not blind: a stale version, a torn .ora, a rename-only marker and a missing recovery file all fail it', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { tempEngine } = await import('../testing/temp-engine.ts');
  const { checkAfterCrash } = await import('./crash-harness.ts');
  const { newCrashDocument, markVersion } = await import('./crash-document.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lamina-crash-check-'));
  const t = tempEngine();
  try {
    const docId = await newCrashDocument(t.engine);
    const path = join(dir, 'doc.ora');
    await markVersion(t.engine, docId, 3);
    await t.engine.call('document.save', { docId, path }); // Save As renames the document: the marker is not its name
    assert.deepEqual(await checkAfterCrash('ora', dir, docId, 3), { ok: true, acked: 3, found: 3, midWrite: false }, 'control: the good file passes');
    await t.engine.call('document.save', { docId, path, overwrite: true });
    assert.match((await checkAfterCrash('ora', dir, docId, 5)).problem ?? '', /holds v3, last acknowledged save was v5/);
    // the marker's name says v4 but its pixels still say 3
    await t.engine.call('document.mutate', { docId, ops: [{ op: 'update', id: 'marker', patch: { name: 'v4' } }] });
    await t.engine.call('document.save', { docId, path });
    assert.match((await checkAfterCrash('ora', dir, docId, 4)).problem ?? '', /marker torn/);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    assert.match((await checkAfterCrash('ora', dir, docId, 3)).problem ?? '', /unreadable/);
    mkdirSync(join(dir, 'recovery'));
    assert.match((await checkAfterCrash('autosave', dir, docId, 3)).problem ?? '', /recovery offers \[\]/);
  } finally {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
