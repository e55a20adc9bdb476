// Variations and the generation history through the whole engine on the random-weight
// fixture pack: a batch runs distinct seeds (reported), lands as one undo step, enters
// the document's history with thumbnails, and the history survives undo and .ora save/reopen.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { GenerationSpec } from '../../common/contract/generation-spec.ts';
import { variationSeeds } from '../../common/contract/variation-seeds.ts';
import { THUMBNAIL_SIDE } from '../../common/document/generation-history.ts';
import { runVariations } from './jobs/run-variations.ts';
import { tempEngine, type TempEngine } from './testing/temp-engine.ts';
import { collectJobEvents } from './testing/collect-job-events.ts';

const PACKS = fileURLToPath(new URL('./runtime/fixtures', import.meta.url));
let t: TempEngine;
before(() => (t = tempEngine({ packDirs: [PACKS] })));
after(() => t.dispose());

const collect = (jobId: string) => collectJobEvents(t.engine, jobId);

test('variationSeeds: distinct, consecutive, wrapping at 2^32', () => {
  assert.deepEqual(variationSeeds(7, 3), [7, 8, 9]);
  assert.deepEqual(variationSeeds(2 ** 32 - 2, 3), [2 ** 32 - 2, 2 ** 32 - 1, 0]);
  assert.equal(new Set(variationSeeds(123, 8)).size, 8);
  assert.throws(() => GenerationSpec.parse({ prompt: '', width: 8, height: 8, seed: 1, steps: 1, batch: 9 }), /Variations must be at most 8/);
});

test('runVariations: one pipeline run per seed, steps counted over the batch, seeds in the notes', async () => {
  const ran: number[] = [];
  const events: { i?: number; n?: number; state: string }[] = [];
  const pipeline = {
    name: 'fake',
    async run(spec: unknown, ctx: { progress: (e: { state: 'step' | 'loading'; i?: number; n?: number }) => void }) {
      const s = spec as { seed: number; batch: number };
      assert.equal(s.batch, 1);
      ran.push(s.seed);
      ctx.progress({ state: 'loading' });
      for (let i = 1; i <= 2; i++) ctx.progress({ state: 'step', i, n: 2 });
      return { landing: 'add-layers', layers: [{ name: `v${s.seed}` }], at: { parentId: null, index: 0 }, provider: 'cpu', timings: { total_ms: 10 }, notes: ['same'] };
    },
  };
  const spec = GenerationSpec.parse({ prompt: 'a red star', width: 8, height: 8, seed: 40, steps: 2, batch: 3 });
  const r = await runVariations(pipeline as never, spec, { signal: new AbortController().signal, progress: (e) => events.push(e) });
  assert.deepEqual(ran, [40, 41, 42]);
  assert.deepEqual(r.layers.map((l) => l.name), ['v40', 'v41', 'v42']);
  assert.deepEqual(events.filter((e) => e.state === 'step').map((e) => `${e.i}/${e.n}`), ['1/6', '2/6', '3/6', '4/6', '5/6', '6/6']);
  assert.equal(events.filter((e) => e.state === 'loading').length, 1);
  assert.equal(r.timings.total_ms, 30);
  assert.deepEqual(r.notes, ['same', '3 variations, seeds 40, 41, 42']);
});

test('a batch of 3 lands 3 distinct layers in one undo step; the history keeps them through undo and .ora save/reopen', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const spec = { prompt: 'a large red star', width: 64, height: 64, seed: 7, steps: 2, packId: 'fixture-tiny', device: 'cpu' as const, batch: 3 };
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec });
  const events = await collect(jobId);
  const done = events.at(-1)!;
  assert.equal(done.state, 'done', done.message);
  assert.deepEqual(events.filter((e) => e.state === 'step').map((e) => e.i), [1, 2, 3, 4, 5, 6]);
  assert.match((done.result as { notes: string[] }).notes.join(' | '), /3 variations, seeds 7, 8, 9/);

  const snap = await t.engine.call('document.get', { docId: doc.docId });
  const layers = snap.document.layers;
  assert.deepEqual(layers.map((l) => l.provenance?.seed), [7, 8, 9], 'first variation in front, each with its own seed');
  assert.equal(new Set(layers.map((l) => l.name)).size, 3, 'names are unique');
  const pixels = await Promise.all(layers.map((l) => t.engine.call('document.image', { docId: doc.docId, imageId: (l as { imageId: string }).imageId })));
  assert.notDeepEqual(pixels[0].rgba, pixels[1].rgba, 'different seeds, different pictures');
  assert.equal(snap.undoLabel, 'Generate');

  const log = snap.document.generations!;
  assert.deepEqual(log.map((e) => e.spec.seed), [7, 8, 9], 'newest run first; its first variation on top');
  assert.deepEqual(log.map((e) => e.layerId), layers.map((l) => l.id));
  for (const e of log) {
    assert.equal(e.spec.batch, 1, 'each entry re-runs one picture');
    assert.equal(e.spec.prompt, 'a large red star');
    const thumb = await t.engine.call('document.image', { docId: doc.docId, imageId: e.thumbnailId! });
    assert.ok(thumb.width <= THUMBNAIL_SIDE && thumb.height <= THUMBNAIL_SIDE && thumb.width > 0);
  }

  const undone = await t.engine.call('document.undo', { docId: doc.docId });
  assert.equal(undone.document.layers.length, 0, 'one undo removes the whole batch');
  assert.deepEqual(undone.document.generations, log, 'the history is not undone');
  const redone = await t.engine.call('document.redo', { docId: doc.docId });
  assert.equal(redone.document.layers.length, 3);

  const path = join(t.dir, 'variations.ora');
  await t.engine.call('document.save', { docId: doc.docId, path });
  const reopened = await t.engine.call('document.open', { path });
  assert.deepEqual(reopened.document.generations, log, 'the history survives save and reopen');
  for (const [i, e] of log.entries()) {
    const saved: { width: number; height: number; rgba: Uint8Array } = await t.engine.call('document.image', { docId: doc.docId, imageId: e.thumbnailId! });
    const back: { width: number; height: number; rgba: Uint8Array } = await t.engine.call('document.image', { docId: reopened.docId, imageId: reopened.document.generations![i].thumbnailId! });
    assert.deepEqual([back.width, back.height, Buffer.from(back.rgba).equals(Buffer.from(saved.rgba))], [saved.width, saved.height, true]);
  }
});
