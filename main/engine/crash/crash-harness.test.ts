// A small run of the kill -9 harness (npm run crash-saves does 100 per mode): the engine
// process is really killed mid-loop; the file stays readable and recovery offers the
// last autosave. And the check itself catches a torn file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashTrial } from './crash-harness.ts';

for (const mode of ['ora', 'psd', 'autosave'] as const) {
  test(`kill -9 during ${mode === 'autosave' ? 'autosave' : `${mode} save`}: the file is intact and holds the last acknowledged save (2 kills)`, async () => {
    for (const seed of [1, 2]) {
      const t = await crashTrial(mode, seed);
      assert.ok(t.ok, `${mode} seed ${seed}: ${t.problem}`);
      assert.ok(t.acked >= 2, 'it was killed after saving twice, while saving again');
    }
  });
}

test('the crash check is not blind: a torn .ora, a stale file and a missing recovery file all fail it', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { tempEngine } = await import('../testing/temp-engine.ts');
  const { checkAfterCrash } = await import('./crash-harness.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lamina-crash-check-'));
  const t = tempEngine();
  try {
    const { docId } = await t.engine.call('document.new', { width: 8, height: 8, name: 'v3' });
    for (let i = 0; i < 4; i++) {
      const { imageId } = await t.engine.call('document.putImage', { docId, image: { width: 2, height: 2, rgba: new Uint8Array(16) } });
      await t.engine.call('document.mutate', { docId, ops: [{ op: 'add', layer: { id: `l${i}`, name: `L${i}`, kind: 'raster', imageId, width: 2, height: 2 } as never }] });
    }
    await t.engine.call('document.save', { docId, path: join(dir, 'doc.ora') }); // Save As names it "doc"
    await t.engine.call('document.mutate', { docId, ops: [{ op: 'rename-document', name: 'v3' }] });
    await t.engine.call('document.save', { docId, path: join(dir, 'doc.ora') });
    assert.equal((await checkAfterCrash('ora', dir, docId, 3)).ok, true, 'control: the good file passes');
    assert.match((await checkAfterCrash('ora', dir, docId, 5)).problem ?? '', /holds v3, last acknowledged save was v5/);
    const bytes = readFileSync(join(dir, 'doc.ora'));
    writeFileSync(join(dir, 'doc.ora'), bytes.subarray(0, bytes.length >> 1));
    assert.match((await checkAfterCrash('ora', dir, docId, 3)).problem ?? '', /unreadable/);
    mkdirSync(join(dir, 'recovery'));
    assert.match((await checkAfterCrash('autosave', dir, docId, 3)).problem ?? '', /recovery offers \[\]/);
  } finally {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
