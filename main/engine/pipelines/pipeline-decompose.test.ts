// Decomposition: the mask kernels' errors, the inpaint method on a world test scene, the
// model method's clear refusal, and the decompose task through the whole engine (the
// layer replaced by object + background in one undo step).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeMaskRuns } from '../../../common/contract/mask-runs.ts';
import { decodeImage } from '../imaging/image-codec.ts';
import { jobFinished, tempEngine, type TempEngine } from '../testing/temp-engine.ts';
import { maskFromBox, maskFromPicture } from './decompose/decompose-mask.ts';
import { DecomposePipeline } from './pipeline-decompose.ts';
import { distanceToMask, keepGeometry } from './decompose/keep-outside-mask.ts';
import { verifyPack } from '../runtime/pack-registry.ts';
import { SessionPool } from '../runtime/session-pool.ts';
import { FIXTURE_DECOMPOSE_PACK_DIR } from '../testing/test-packs.ts';
import '../runtime/test-quiet-providers.ts';

const FIX = join(import.meta.dirname, 'fixtures', 'decompose');
const png = (name: string) => decodeImage(new Uint8Array(readFileSync(join(FIX, name))), name);

test('masks: read by brightness or by alpha; the wrong size, empty, everything and a box outside the image are one-line errors', () => {
  const img = { width: 4, height: 2 };
  const grey = (v: number[]) => ({ width: 4, height: 2, data: new Uint8Array(v.flatMap((g) => [g, g, g, 255])) });
  assert.deepEqual([...maskFromPicture(grey([0, 255, 200, 0, 0, 0, 127, 0]), img).data], [0, 1, 1, 0, 0, 0, 0, 0]);
  const alpha = { width: 4, height: 2, data: new Uint8Array([0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) };
  assert.deepEqual([...maskFromPicture(alpha, img).data], [1, 0, 0, 0, 0, 0, 0, 0], 'a transparent picture is read by alpha: opaque black is the object');
  assert.throws(() => maskFromPicture(grey([255, 0, 0, 0, 0, 0, 0, 0]), { width: 2, height: 4 }), /the mask is 4x2 px but the image is 2x4 px/);
  assert.throws(() => maskFromPicture(grey([0, 0, 0, 0, 0, 0, 0, 0]), img), /the mask is empty/);
  assert.throws(() => maskFromPicture(grey([255, 255, 255, 255, 255, 255, 255, 255]), img), /covers the whole image/);
  assert.deepEqual([...maskFromBox([1, 0, 2, 1], img).data], [0, 1, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual([...maskFromBox([3, 1, 10, 10], img).data], [0, 0, 0, 0, 0, 0, 0, 1], 'clipped to the image');
  assert.throws(() => maskFromBox([10, 10, 2, 2], img), /lies outside/);
  assert.throws(() => maskFromBox([0, 0, 4, 2], img), /covers the whole image/);
  assert.throws(() => maskFromBox([0, 0, 0, 2], img), /positive width and height/);
});

test('inpaint method on a world test scene: the object leaves the background, the foreground is the mask cut out, and they recompose to the image', async () => {
  const image = await png('1-image.png');
  const mask = maskFromPicture(await png('1-mask.png'), image);
  const truth = await png('1-background.png');
  const out = await new DecomposePipeline(null).decompose({ image, mask, method: 'inpaint' });
  let changed = 0;
  let errIn = 0;
  let errImage = 0;
  let n = 0;
  for (let p = 0; p < image.width * image.height; p++) {
    const fa = out.foreground.data[p * 4 + 3];
    assert.equal(fa, mask.data[p] ? 255 : 0);
    for (let c = 0; c < 3; c++) {
      const bg = out.background.data[p * 4 + c];
      const fg = out.foreground.data[p * 4 + c];
      const recomposed = (fg * fa + bg * (255 - fa)) / 255;
      assert.ok(Math.abs(recomposed - image.data[p * 4 + c]) < 0.5, 'fg over bg = image');
      if (!mask.data[p]) assert.equal(bg, image.data[p * 4 + c], 'outside the mask the background is the image');
      else {
        changed += bg !== image.data[p * 4 + c] ? 1 : 0;
        errIn += Math.abs(bg - truth.data[p * 4 + c]);
        errImage += Math.abs(image.data[p * 4 + c] - truth.data[p * 4 + c]);
        n++;
      }
    }
  }
  assert.ok(changed > n * 0.5, 'the hole is filled');
  assert.ok(errIn < errImage * 0.7, `the filled hole is near the true background (${(errIn / n).toFixed(1)} vs ${(errImage / n).toFixed(1)} levels)`);
});

test('the model method without a decomposition pack says so and what to use instead', async () => {
  const image = { width: 8, height: 8, data: new Uint8Array(256).fill(255) };
  const mask = maskFromBox([2, 2, 3, 3], image);
  await assert.rejects(new DecomposePipeline(null).decompose({ image, mask, method: 'model' }), (err: Error & { code?: string }) => err.code === 'no_pipeline' && /use the inpaint method/.test(err.message));
  await assert.rejects(new DecomposePipeline(null).decompose({ image, mask: { width: 4, height: 4, data: new Uint8Array(16).fill(1) }, method: 'inpaint' }), /the mask is 4x4 px but the image is 8x8 px/);
});

test('model method (random-weight fixture pack): background opaque at the image size, foreground RGBA, seeded, cancellable', async () => {
  const pack = await verifyPack(FIXTURE_DECOMPOSE_PACK_DIR);
  const image = await png('1-image.png'); // 128 px; the fixture model is 64 px native
  const mask = maskFromPicture(await png('1-mask.png'), image);
  const pool = new SessionPool();
  try {
    const p = new DecomposePipeline(pack, { pool, device: 'cpu' });
    const steps: number[] = [];
    const a = await p.decompose({ image, mask, method: 'model', seed: 4, steps: 3, onStep: (i) => steps.push(i) });
    assert.deepEqual(steps, [1, 2, 3]);
    assert.equal(a.method, 'model');
    assert.deepEqual([a.background.width, a.background.height, a.foreground.width, a.foreground.height], [128, 128, 128, 128]);
    for (let q = 3; q < a.background.data.length; q += 4) assert.equal(a.background.data[q], 255);
    assert.ok(a.notes.some((n) => /native 64x64 and resampled to 128x128/.test(n)));
    const again = await p.decompose({ image, mask, method: 'model', seed: 4, steps: 3 });
    assert.deepEqual(again.foreground.data, a.foreground.data, 'same seed, same pixels');
    const other = await p.decompose({ image, mask, method: 'model', seed: 5, steps: 3 });
    assert.notDeepEqual(other.foreground.data, a.foreground.data);
    // the mask conditions the model: another mask, another foreground
    const moved = await p.decompose({ image, mask: maskFromBox([0, 0, 30, 30], image), method: 'model', seed: 4, steps: 3 });
    assert.notDeepEqual(moved.foreground.data, a.foreground.data);
    const ctl = new AbortController();
    await assert.rejects(p.decompose({ image, mask, method: 'model', seed: 4, steps: 6, signal: ctl.signal, onStep: (i) => i === 2 && ctl.abort() }), (e: Error & { code?: string }) => e.code === 'cancelled');
    assert.equal(pool.inUseCount, 0, 'a cancelled run gave its sessions back');
  } finally {
    await pool.dispose();
  }
  assert.equal(pool.openSessionCount, 0);
});

let t: TempEngine;
before(() => (t = tempEngine({ packDirs: [] })));
after(() => t.dispose());

const finished = (jobId: string) => jobFinished(t.engine, jobId);

/** A 128 px document with world test scene 4 imported as its one layer. */
async function sceneDocument(e: TempEngine) {
  const doc = await e.engine.call('document.new', { width: 128, height: 128 });
  const file = { name: 'scene.png', dataBase64: readFileSync(join(FIX, '4-image.png')).toString('base64') };
  const snap = await e.engine.call('document.import', { docId: doc.docId, file });
  return { doc, snap, layer: snap.document.layers[0] };
}

test('the decompose task (inpaint, a box) replaces the layer with object + background in one undo step, with no pack', async () => {
  const { doc, snap, layer } = await sceneDocument(t);
  const before = snap.document.layers.length;
  const { jobId } = await t.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, box: [40, 60, 40, 50], method: 'inpaint' } });
  const ev = await finished(jobId);
  assert.equal(ev.state, 'done', ev.message);
  const after = (await t.engine.call('document.get', { docId: doc.docId })).document;
  assert.equal(after.layers.length, before + 1);
  assert.deepEqual(after.layers.slice(0, 2).map((l) => l.name), [`${layer.name} (object)`, `${layer.name} (background)`]);
  assert.ok(!after.layers.some((l) => l.id === layer.id), 'the layer was replaced');
  assert.equal(after.layers[0].provenance?.params.decompose?.method, 'inpaint');
  const undone = (await t.engine.call('document.undo', { docId: doc.docId })).document;
  assert.deepEqual(undone.layers.map((l) => l.id), snap.document.layers.map((l) => l.id), 'one undo step brings the layer back');
  const noBox = await t.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, method: 'inpaint' } }).catch((e: Error & { code?: string }) => e);
  assert.equal((noBox as { code?: string }).code, 'bad_request');
  assert.match((noBox as Error).message, /mark the object with exactly one of box, mask or regionId/);
});

test('the decompose task with the model method runs the pack\'s decomposition model through the engine (one undo step)', async () => {
  const m = tempEngine({ packDirs: [dirname(FIXTURE_DECOMPOSE_PACK_DIR)] });
  try {
    const { doc, layer } = await sceneDocument(m);
    const { jobId } = await m.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, box: [40, 60, 40, 50], method: 'model', packId: 'fixture-tiny-decompose', seed: 2, steps: 3, device: 'cpu' } });
    const ev = await jobFinished(m.engine, jobId);
    assert.equal(ev.state, 'done', ev.message);
    const after = (await m.engine.call('document.get', { docId: doc.docId })).document;
    assert.deepEqual(after.layers.map((l) => l.name), [`${layer.name} (object)`, `${layer.name} (background)`]);
    assert.equal(after.layers[0].provenance?.params.decompose?.method, 'model');
    assert.equal(after.layers[0].provenance?.steps, 3);
    const undone = (await m.engine.call('document.undo', { docId: doc.docId })).document;
    assert.deepEqual(undone.layers.map((l) => l.id), [layer.id]);
  } finally {
    await m.dispose();
  }
});

test('model method at twice the native size: the image\'s own pixels away from the object, the model\'s background under it, only a shadow taken off around it', async () => {
  const pack = await verifyPack(FIXTURE_DECOMPOSE_PACK_DIR);
  const image = await png('4-image.png'); // 128 px, the fixture model 64 px: resampled x2
  const mask = maskFromPicture(await png('4-mask.png'), image);
  const pool = new SessionPool();
  try {
    const out = await new DecomposePipeline(pack, { pool, device: 'cpu' }).decompose({ image, mask, method: 'model', seed: 1, steps: 2 });
    const { radius, feather } = keepGeometry(128, 128, 8, 8);
    assert.ok(out.notes.some((n) => n.includes(`kept more than ${radius + feather} px`)));
    const dist = distanceToMask(mask);
    let far = 0;
    let nearChanged = 0;
    let near = 0;
    for (let p = 0; p < dist.length; p++) {
      const bg = [...out.background.data.subarray(p * 4, p * 4 + 4)];
      const im = [...image.data.subarray(p * 4, p * 4 + 4)];
      if (dist[p] >= radius + feather) {
        far++;
        assert.deepEqual(bg, im, 'far from the object the background is the image');
        assert.equal(out.foreground.data[p * 4 + 3], 0, 'and the foreground is empty');
      } else if (dist[p] === 0) {
        near++;
        if (bg.some((v, c) => Math.abs(v - im[c]) > 2)) nearChanged++;
      } else if (bg.some((v, c) => Math.abs(v - im[c]) > 2)) {
        // around the object the background is the picture, or lighter in every channel (a shadow taken off)
        assert.ok(bg.slice(0, 3).every((v, c) => v >= im[c]), `only a shadow is taken off around the object: ${bg} vs ${im}`);
        assert.ok(out.foreground.data[p * 4 + 3] > 0 && out.foreground.data[p * 4] === 0, 'and it went into the foreground as black');
      }
    }
    assert.ok(nearChanged > near * 0.5, `under the object the model's (random-weight) background stands: ${nearChanged} / ${near} px differ from the image`);
  } finally {
    await pool.dispose();
  }
});

test('decompose all (fixture model): the layer becomes a group of the objects the model found over "Background", one undo step; with inpaint it is refused', async () => {
  const m = tempEngine({ packDirs: [dirname(FIXTURE_DECOMPOSE_PACK_DIR)] });
  try {
    const { doc, layer } = await sceneDocument(m);
    const steps: number[] = [];
    const { jobId } = await m.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, all: true, maxForegrounds: 2, method: 'model', packId: 'fixture-tiny-decompose', seed: 1, steps: 2, device: 'cpu' } });
    const off = m.engine.on('job.event', (e) => { if (e.jobId === jobId && e.state === 'step') steps.push(e.i!); });
    const ev = await jobFinished(m.engine, jobId);
    off();
    assert.equal(ev.state, 'done', ev.message);
    const after = (await m.engine.call('document.get', { docId: doc.docId })).document;
    assert.equal(after.layers.length, 1);
    const group = after.layers[0];
    assert.equal(group.kind, 'group');
    assert.equal(group.name, `${layer.name} (decomposed)`);
    const names = group.kind === 'group' ? group.children.map((l) => l.name) : [];
    assert.equal(names.at(-1), 'Background');
    const n = names.length - 1;
    assert.ok(n >= 1 && n <= 2, `1 to 2 objects (the cap): ${names.join(', ')}`);
    assert.deepEqual(names.slice(0, -1), n === 2 ? ['Object 2 (front)', 'Object 1 (back)'] : ['Object 1']);
    assert.ok(steps.length > 0 && steps.every((i, k) => k === 0 || i >= steps[k - 1]), 'progress only moves forward');
    const undone = (await m.engine.call('document.undo', { docId: doc.docId })).document;
    assert.deepEqual(undone.layers.map((l) => l.id), [layer.id], 'one undo step');
    const bad = await m.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, all: true, method: 'inpaint' } }).catch((e: Error) => e);
    assert.match(String((bad as Error).message ?? ''), /inpaint method needs a marked object/);
    const two = await m.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, all: true, box: [1, 1, 4, 4] } }).catch((e: Error) => e);
    assert.match(String((two as Error).message ?? ''), /exactly one of box, mask or regionId/);
  } finally {
    await m.dispose();
  }
});

test('the object marked by a painted mask (runs) or a mask region: the inpaint foreground is exactly that mask on the layer', async () => {
  const { doc, layer } = await sceneDocument(t);
  // an L-shaped mask in document pixels, 20 x 20 at (30, 40)
  const mw = 20;
  const bits = new Uint8Array(mw * mw);
  for (let y = 0; y < mw; y++) for (let x = 0; x < mw; x++) bits[y * mw + x] = x < 6 || y >= 14 ? 255 : 0;
  const mask = { x: 30, y: 40, width: mw, height: mw, runs: encodeMaskRuns(bits) };
  const inside = (x: number, y: number) => x >= 30 && x < 50 && y >= 40 && y < 60 && bits[(y - 40) * mw + (x - 30)] > 0;
  const objectAlpha = async (spec: Record<string, unknown>) => {
    const { jobId } = await t.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, method: 'inpaint', ...spec } });
    const ev = await finished(jobId);
    assert.equal(ev.state, 'done', ev.message);
    const after = (await t.engine.call('document.get', { docId: doc.docId })).document;
    const obj = after.layers.find((l) => l.name === `${layer.name} (object)`) as { imageId: string } | undefined;
    assert.ok(obj, 'the object layer landed');
    const px = await t.engine.call('document.image', { docId: doc.docId, imageId: obj.imageId });
    await t.engine.call('document.undo', { docId: doc.docId });
    return (x: number, y: number) => px.rgba[(y * 128 + x) * 4 + 3];
  };
  const check = (alpha: (x: number, y: number) => number, what: string) => {
    let on = 0;
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) {
      assert.equal(alpha(x, y), inside(x, y) ? 255 : 0, `${what}: alpha at ${x},${y}`);
      on += inside(x, y) ? 1 : 0;
    }
    assert.equal(on, 6 * 20 + 14 * 6, 'the L, not its box');
  };
  check(await objectAlpha({ mask }), 'painted mask');
  // a region painted with the mask brush (its mask image's alpha) marks the object the same way
  const rgba = new Uint8Array(mw * mw * 4);
  for (let p = 0; p < mw * mw; p++) rgba[p * 4 + 3] = bits[p];
  const put = await t.engine.call('document.putImage', { docId: doc.docId, image: { width: mw, height: mw, rgba } });
  const region = { id: 'mask-region', kind: 'region', name: 'Mask 1', x: 30, y: 40, prompt: '', shape: { type: 'mask', width: mw, height: mw, maskImageId: put.imageId } };
  await t.engine.call('document.mutate', { docId: doc.docId, ops: [{ op: 'add', layer: region }] });
  check(await objectAlpha({ regionId: 'mask-region' }), 'mask region');
  const missing = await t.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId: layer.id, regionId: 'nope', method: 'inpaint' } }).catch((e: Error) => e);
  assert.match(String((missing as Error).message), /no region layer "nope"/);
});
