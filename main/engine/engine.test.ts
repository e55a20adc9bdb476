import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { JobEvent } from '../../common/contract/contract.ts';
import { tempEngine, type TempEngine } from './testing/temp-engine.ts';

let t: TempEngine;
before(() => (t = tempEngine()));
after(() => t.dispose());

async function png(w: number, h: number, rgba: [number, number, number, number]): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 4, background: { r: rgba[0], g: rgba[1], b: rgba[2], alpha: rgba[3] / 255 } } }).png().toBuffer();
}

test('payloads that fail their schema get a clear error at the edge', async () => {
  await assert.rejects(t.engine.dispatch('document.new', { width: -3, height: 10 }), (e: Error & { code?: string }) => e.code === 'bad_request' && /width/.test(e.message));
  await assert.rejects(t.engine.dispatch('no.such.method', {}), /unknown method "no.such.method"/);
  await assert.rejects(t.engine.dispatch('document.get', { docId: 'nope' }), /no open document "nope"/);
});

test('new, import, mutate, undo/redo, save, reopen', async () => {
  const e = t.engine;
  const doc = await e.call('document.new', { width: 64, height: 48, name: 'Poster' });
  const imgPath = join(t.dir, 'red.png');
  writeFileSync(imgPath, await png(32, 16, [255, 0, 0, 255]));
  let snap = await e.call('document.import', { docId: doc.docId, path: imgPath });
  assert.equal(snap.document.layers.length, 1);
  snap = await e.call('document.import', { docId: doc.docId, file: { name: 'blue.png', dataBase64: (await png(8, 8, [0, 0, 255, 128])).toString('base64') } });
  assert.match(snap.document.layers[0].name, /blue/, 'the newest import lands in front');
  assert.match(snap.document.layers[1].name, /red/);
  // imports land centred on the 64 x 48 canvas: 32 x 16 at (16, 16), 8 x 8 at (28, 20)
  assert.deepEqual([snap.document.layers[1].x, snap.document.layers[1].y], [16, 16]);
  assert.deepEqual([snap.document.layers[0].x, snap.document.layers[0].y], [28, 20]);
  const [front, back] = snap.document.layers;
  snap = await e.call('document.mutate', { docId: doc.docId, ops: [{ op: 'move', id: back.id, index: 0 }], label: 'Reorder' });
  assert.deepEqual(snap.document.layers.map((l) => l.id), [back.id, front.id]);
  assert.equal(snap.undoLabel, 'Reorder');
  snap = await e.call('document.undo', { docId: doc.docId });
  assert.deepEqual(snap.document.layers.map((l) => l.id), [front.id, back.id]);
  snap = await e.call('document.redo', { docId: doc.docId });
  assert.deepEqual(snap.document.layers.map((l) => l.id), [back.id, front.id]);
  assert.equal(snap.dirty, true);

  const out = join(t.dir, 'poster.ora');
  await e.call('document.save', { docId: doc.docId, path: out });
  assert.equal((await e.call('document.get', { docId: doc.docId })).dirty, false);
  const reopened = await e.call('document.open', { path: out });
  assert.deepEqual(reopened.document, { ...snap.document, name: 'poster' }, 'saved under a new name, the document takes the file\'s name');
  const img = await e.call('document.image', { docId: reopened.docId, imageId: (reopened.document.layers[1] as { imageId: string }).imageId });
  assert.equal(img.rgba.byteLength, img.width * img.height * 4, 'document.image gives raw RGBA');
  assert.deepEqual([...img.rgba.subarray(0, 4)], [0, 0, 255, 128]);
});

test('mutations referencing unknown pixels are refused; putImage makes them known', async () => {
  const e = t.engine;
  const doc = await e.call('document.new', { width: 16, height: 16 });
  const layer = { id: 'L1', name: 'L1', kind: 'raster', imageId: 'missing', width: 4, height: 4 } as const;
  await assert.rejects(e.call('document.mutate', { docId: doc.docId, ops: [{ op: 'add', layer }] }), /not in this document/);
  await assert.rejects(e.call('document.putImage', { docId: doc.docId, image: { width: 4, height: 4, rgba: new Uint8Array(15) } }), /15 bytes; 4x4 RGBA needs 64/);
  const put = await e.call('document.putImage', { docId: doc.docId, image: { width: 4, height: 4, rgba: new Uint8Array(64).fill(7) } });
  assert.deepEqual([...(await e.call('document.image', { docId: doc.docId, imageId: put.imageId })).rgba.subarray(0, 4)], [7, 7, 7, 7]);
  const snap = await e.call('document.mutate', { docId: doc.docId, ops: [{ op: 'add', layer: { ...layer, imageId: put.imageId } }] });
  assert.equal(snap.document.layers.length, 1);
});

test('save refuses non-.ora targets and unwritable paths without losing the previous file', async () => {
  const e = t.engine;
  const doc = await e.call('document.new', { width: 8, height: 8 });
  await assert.rejects(e.call('document.save', { docId: doc.docId, path: join(t.dir, 'x.psd') }), /use export/);
  const blocker = join(t.dir, 'a-file');
  writeFileSync(blocker, 'x');
  await assert.rejects(e.call('document.save', { docId: doc.docId, path: join(blocker, 'inside.ora') }), (err: Error & { code?: string }) => err.code === 'io_error');
});

test('save without a path goes to the projects folder, never over another project; Save As renames', async () => {
  const e = t.engine;
  assert.equal((await e.call('app.info', {})).projectsDir, e.projectsDir);
  const a = await e.call('document.new', { width: 8, height: 8, name: 'Flyer/draft' });
  const first = await e.call('document.save', { docId: a.docId });
  assert.equal(first.path, join(e.projectsDir, 'Flyer-draft.ora'), 'a new document lands in the projects folder under its (file-safe) name');
  assert.ok(existsSync(first.path));
  const b = await e.call('document.new', { width: 8, height: 8, name: 'Flyer-draft' });
  await assert.rejects(e.call('document.save', { docId: b.docId }), (err: Error & { code?: string }) => err.code === 'exists' && /already exists/.test(err.message));
  await assert.rejects(e.call('document.save', { docId: b.docId, path: 'Flyer-draft.ora' }), (err: Error & { code?: string }) => err.code === 'exists', 'a relative path is relative to the projects folder');
  assert.equal((await e.call('document.save', { docId: b.docId, overwrite: true })).path, first.path, 'replaced when asked');
  // Save As: the name follows the file; exports use it
  const renamed = await e.call('document.save', { docId: b.docId, path: join(t.dir, 'Poster final.ora') });
  const snap = await e.call('document.get', { docId: b.docId });
  assert.equal(snap.document.name, 'Poster final');
  assert.equal(snap.path, renamed.path);
  assert.equal(snap.dirty, false);
  assert.equal((await e.call('export.bytes', { docId: b.docId, format: 'psd' })).name, 'Poster final.psd');
  // saving again to its own file needs no overwrite
  await e.call('document.save', { docId: b.docId });
});

test('export refuses the document\'s own file and a mismatched extension; relative paths go to the projects folder', async () => {
  const e = t.engine;
  const d = await e.call('document.new', { width: 8, height: 8, name: 'Own' });
  const own = join(t.dir, 'own.ora');
  await e.call('document.save', { docId: d.docId, path: own });
  const refuse = (format: 'ora' | 'psd' | 'png' | 'png-stack', path: string, re: RegExp) =>
    assert.rejects(e.call('export.run', { docId: d.docId, format, path }), (err: Error & { code?: string }) => err.code === 'bad_request' && re.test(err.message));
  await refuse('ora', own, /over the input file/);
  await refuse('psd', own, /over the input file/);
  await refuse('ora', join(t.dir, 'x.psd'), /ORA export must go to a file ending in \.ora/);
  await refuse('png', join(t.dir, 'x.jpg'), /ending in \.png/);
  await refuse('png-stack', join(t.dir, 'x.png'), /folder/);
  const { paths } = await e.call('export.run', { docId: d.docId, format: 'png', path: 'own-flat.png' });
  assert.deepEqual(paths, [join(e.projectsDir, 'own-flat.png')]);
  // a missing folder is an error that says so (the editor shows it)
  await assert.rejects(e.call('export.run', { docId: d.docId, format: 'psd', path: join(t.dir, 'no', 'such', 'x.psd') }), /the folder does not exist/);
});

test('autosave writes recovery files that are offered back and restored', async () => {
  const e = t.engine;
  const doc = await e.call('document.new', { width: 8, height: 8, name: 'Unsaved work' });
  await e.call('document.mutate', { docId: doc.docId, ops: [{ op: 'rename-document', name: 'Unsaved work 2' }] });
  const written = await e.autosaveNow();
  assert.equal(written.length >= 1, true);
  await e.call('document.close', { docId: doc.docId });
  // a crashed process leaves recovery files; a new engine offers them back
  const mine = written.find((p) => p.includes(doc.docId))!;
  assert.equal(existsSync(mine), false, 'a clean close drops the recovery file');
  const doc2 = await e.call('document.new', { width: 8, height: 8, name: 'Crash victim' });
  await e.call('document.mutate', { docId: doc2.docId, ops: [{ op: 'rename-document', name: 'Crash victim!' }] });
  await e.autosaveNow();
  const next = tempEngine({ recoveryDir: e.options.recoveryDir });
  try {
    const offered = await next.engine.call('document.recoveryList', {});
    const entry = offered.find((o) => o.path.includes(doc2.docId));
    assert.ok(entry, 'recovery file offered');
    const recovered = await next.engine.call('document.recover', { path: entry.path });
    assert.equal(recovered.document.name, 'Crash victim!');
    assert.equal(readdirSync(e.options.recoveryDir).some((n) => n.includes(doc2.docId)), false);
    await assert.rejects(next.engine.call('document.recover', { path: '/etc/passwd' }), /not a recovery file/);
  } finally {
    await next.dispose();
  }
});

function waitFinal(jobId: string): Promise<JobEvent> {
  return new Promise((resolve) => {
    const off = t.engine.on('job.event', (ev) => {
      if (ev.jobId === jobId && ['done', 'failed', 'cancelled'].includes(ev.state)) {
        off();
        resolve(ev);
      }
    });
  });
}

test('a generate job without a pack fails with a clear code and the engine keeps serving', async () => {
  const spec = { prompt: 'red star', width: 64, height: 64, seed: 1, steps: 2 };
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', spec });
  const ev = await waitFinal(jobId);
  assert.equal(ev.state, 'failed');
  assert.equal(ev.code, 'not_found');
  assert.match(ev.message!, /no verified model pack/);
  // a pack that fails its checksum is named with the failed check
  const packDir = join(t.dir, 'packs', 'broken');
  mkdirSync(packDir, { recursive: true });
  writeFileSync(join(packDir, 'a.onnx'), 'abc');
  writeFileSync(join(packDir, 'manifest.json'), JSON.stringify({ id: 'broken', version: '1', files: { 'a.onnx': { sha256: '0'.repeat(64), bytes: 3 } } }));
  const list = await t.engine.call('models.list', {});
  assert.equal(list[0].ok, false);
  assert.match(list[0].error!, /a\.onnx: sha256 mismatch/);
  const second = await t.engine.call('jobs.start', { task: 'generate', spec: { ...spec, packId: 'broken' } });
  const ev2 = await waitFinal(second.jobId);
  assert.equal(ev2.code, 'bad_pack');
  assert.equal((await t.engine.call('document.new', { width: 4, height: 4 })).document.width, 4);
});

test('queued jobs can be cancelled before they run', async () => {
  const spec = { prompt: 'x', width: 8, height: 8, seed: 1, steps: 1 };
  const a = await t.engine.call('jobs.start', { task: 'generate', spec });
  const b = await t.engine.call('jobs.start', { task: 'generate', spec });
  const fb = waitFinal(b.jobId);
  assert.equal((await t.engine.call('jobs.cancel', { jobId: b.jobId })).cancelled, true);
  assert.equal((await fb).state, 'cancelled');
  await waitFinal(a.jobId);
  assert.equal((await t.engine.call('jobs.cancel', { jobId: b.jobId })).cancelled, false);
});

test('a document whose clients all left (a browser reload) is autosaved and offered back live, with its history', async () => {
  const e = t.engine;
  const d = (await e.dispatch('document.new', { width: 8, height: 8, name: 'Tab work' }, 'tab-1')) as { docId: string };
  await e.dispatch('document.mutate', { docId: d.docId, ops: [{ op: 'rename-document', name: 'Tab work 2' }], label: 'Rename' }, 'tab-1');
  await e.dispatch('document.get', { docId: d.docId }, 'watcher'); // reading does not keep it
  assert.equal((await e.call('document.recoveryList', {})).some((r) => r.name === 'Tab work 2'), false, 'open in a tab: not offered');
  e.releaseClient('tab-1');
  const offered = (await e.call('document.recoveryList', {})).find((r) => r.name === 'Tab work 2');
  assert.ok(offered, 'offered after its tab went away');
  assert.ok(existsSync(offered.path), 'and written to disk at once');
  const back = (await e.dispatch('document.recover', { path: offered.path }, 'tab-2')) as { docId: string; canUndo: boolean; undoLabel: string | null; document: { name: string } };
  assert.equal(back.docId, d.docId, 'the live document, not a copy');
  assert.deepEqual([back.document.name, back.canUndo, back.undoLabel], ['Tab work 2', true, 'Rename']);
  assert.equal((await e.call('document.recoveryList', {})).some((r) => r.path === offered.path), false);
  // a clean document whose tab leaves is not offered
  const clean = (await e.dispatch('document.new', { width: 8, height: 8, name: 'Clean' }, 'tab-3')) as { docId: string };
  e.releaseClient('tab-3');
  assert.equal((await e.call('document.recoveryList', {})).some((r) => r.name === 'Clean' || r.path.includes(clean.docId)), false);
});
