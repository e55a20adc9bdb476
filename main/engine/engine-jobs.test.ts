// Jobs through the whole engine on the random-weight fixture pack: a generation lands
// as one undo step, cancel stops within a step (worker death: jobs/job-queue.test.ts).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { tempEngine, type TempEngine } from './testing/temp-engine.ts';
import { collectJobEvents } from './testing/collect-job-events.ts';

const PACKS = fileURLToPath(new URL('./runtime/fixtures', import.meta.url));
let t: TempEngine;
before(() => (t = tempEngine({ packDirs: [PACKS] })));
after(() => t.dispose());

const collect = (jobId: string) => collectJobEvents(t.engine, jobId);
const spec = (steps: number, seed = 7) => ({ prompt: 'a large red star', width: 64, height: 64, seed, steps, packId: 'fixture-tiny', device: 'cpu' as const });

test('a generation lands in its document as one undo step with provenance', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(3) });
  const events = await collect(jobId);
  // ('queued' is sent before jobs.start returns, so this listener starts at 'loading')
  assert.deepEqual(events.map((e) => e.state).filter((s, i, a) => a.indexOf(s) === i), ['loading', 'step', 'done']);
  assert.equal(events.filter((e) => e.state === 'step').length, 3);
  const snap = await t.engine.call('document.get', { docId: doc.docId });
  assert.equal(snap.document.layers.length, 1);
  const layer = snap.document.layers[0];
  assert.equal(layer.kind, 'raster');
  assert.equal(layer.provenance?.seed, 7);
  assert.equal(layer.provenance?.prompt, 'a large red star');
  assert.equal(layer.provenance?.packId, 'fixture-tiny');
  assert.equal(snap.undoLabel, 'Generate');
  const undone = await t.engine.call('document.undo', { docId: doc.docId });
  assert.equal(undone.document.layers.length, 0, 'one undo removes the whole generation');
});

test('a region generation lands with its regions, order and LayerBind parameters, and keeps them through save and reopen', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const regions = [
    { id: 'a', box: [4, 4, 32, 32] as [number, number, number, number], prompt: 'a large red star' },
    { id: 'b', box: [24, 24, 36, 36] as [number, number, number, number], prompt: 'a small blue circle' },
  ];
  const { jobId } = await t.engine.call('jobs.start', {
    task: 'generate', docId: doc.docId,
    spec: { ...spec(4), regions, order: ['b', 'a'], layerbind: { fuseStep: 1, nursingSteps: 2, schedule: 'linear' } },
  });
  assert.equal((await collect(jobId)).at(-1)!.state, 'done');
  const layer = (await t.engine.call('document.get', { docId: doc.docId })).document.layers[0];
  const expected = { mode: 'layerbind', fuseStep: 1, nursingSteps: 2, schedule: 'linear', strength: 1 };
  assert.equal(layer.provenance?.pipeline, 'layerbind');
  assert.deepEqual(layer.provenance?.order, ['b', 'a']);
  assert.deepEqual(layer.provenance?.regions.map((r) => r.prompt), ['a large red star', 'a small blue circle']);
  const { mode, fuseStep, nursingSteps, schedule, strength } = layer.provenance?.params.layerbind ?? {};
  assert.deepEqual({ mode, fuseStep, nursingSteps, schedule, strength }, expected, 'the parameters as the pipeline resolved them');
  const path = `${t.dir}/regions.ora`;
  await t.engine.call('document.save', { docId: doc.docId, path });
  const reopened = await t.engine.call('document.open', { path });
  assert.deepEqual(reopened.document.layers[0].provenance, layer.provenance, 'provenance survives the .ora round trip');
});

test('cancel stops a running generation within one step and nothing lands', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(200) });
  const stepTimes: number[] = [];
  let cancelledAt = 0;
  const done = collect(jobId);
  await new Promise<void>((resolve) => {
    const off = t.engine.on('job.event', (ev) => {
      if (ev.jobId !== jobId || ev.state !== 'step') return;
      stepTimes.push(performance.now());
      if (ev.i === 3) {
        off();
        cancelledAt = performance.now();
        void t.engine.call('jobs.cancel', { jobId });
        resolve();
      }
    });
  });
  const events = await done;
  const latency = performance.now() - cancelledAt;
  assert.equal(events.at(-1)!.state, 'cancelled');
  const lastStep = Math.max(...events.filter((e) => e.state === 'step').map((e) => e.i!));
  assert.ok(lastStep < 200, 'the job did not run to the end');
  // one step of this pack takes a few ms; the cancel must land within one step plus
  // message latency, not after the remaining ~200 steps
  const step = Math.max(...stepTimes.slice(1).map((x, i) => x - stepTimes[i]));
  assert.ok(latency < step + 250, `cancel took ${latency.toFixed(0)} ms, a step ${step.toFixed(0)} ms`);
  assert.equal((await t.engine.call('document.get', { docId: doc.docId })).document.layers.length, 0);
});

test('provenance keeps every field the pipeline computed through landing, undo/redo, .ora save/reopen and PSD metadata', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const regions = [{ id: 'a', box: [4, 4, 32, 32] as [number, number, number, number], prompt: 'a large red star' }];
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: { ...spec(2), regions, order: ['a'] } });
  const done = (await collect(jobId)).at(-1)!;
  assert.equal(done.state, 'done');
  const made = (done.result as { layers: { provenance: Record<string, unknown> }[] }).layers[0].provenance;
  for (const key of ['task', 'packId', 'packVersion', 'pipeline', 'prompt', 'regions', 'order', 'seed', 'steps', 'guidance', 'sampler', 'shift', 'spacing', 'timestepScale', 'noise', 'native', 'provider', 'createdAt', 'params']) {
    assert.ok(made[key] !== undefined, `the pipeline records ${key}`);
  }
  assert.equal(made.task, 'generate');
  const landed = () => t.engine.call('document.get', { docId: doc.docId }).then((s) => s.document.layers[0]?.provenance);
  assert.deepEqual(await landed(), made, 'landing keeps every field');
  await t.engine.call('document.undo', { docId: doc.docId });
  await t.engine.call('document.redo', { docId: doc.docId });
  assert.deepEqual(await landed(), made, 'undo + redo keep every field');
  const ora = `${t.dir}/prov.ora`;
  await t.engine.call('document.save', { docId: doc.docId, path: ora });
  assert.deepEqual((await t.engine.call('document.open', { path: ora })).document.layers[0].provenance, made, '.ora keeps every field');
  const psd = `${t.dir}/prov.psd`;
  await t.engine.call('export.run', { docId: doc.docId, format: 'psd', path: psd });
  assert.deepEqual((await t.engine.call('document.open', { path: psd })).document.layers[0].provenance, made, 'PSD metadata keeps every field');
});

test('jobs route by task: a task this pack has no pipeline for fails no_pipeline; a task on a layer checks the layer at start', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(1) });
  await collect(jobId);
  const layerId = (await t.engine.call('document.get', { docId: doc.docId })).document.layers[0].id;
  const dec = await t.engine.call('jobs.start', { task: 'decompose', docId: doc.docId, spec: { layerId, box: [1, 1, 4, 4], seed: 1, steps: 2, packId: 'fixture-tiny' } });
  const ev = (await collect(dec.jobId)).at(-1)!;
  assert.deepEqual([ev.state, ev.code], ['failed', 'no_pipeline']);
  assert.match(ev.message!, /no decompose pipeline \(task "decompose"\)/);
  assert.deepEqual((await t.engine.call('jobs.list', {})).find((j) => j.jobId === dec.jobId), { jobId: dec.jobId, task: 'decompose', state: 'failed' });
  await assert.rejects(t.engine.call('jobs.start', { task: 'text-edit', docId: doc.docId, spec: { layerId: 'nope', from: 'red', to: 'blue' } }), /no layer "nope"/);
  await assert.rejects(t.engine.call('jobs.start', { task: 'place', spec: { layerId } }), /give docId/);
  await assert.rejects(t.engine.call('jobs.start', { task: 'paint', spec: {} } as never), /jobs\.start: task/);
});

test('results are named by prompt and seed (unique in the stack); replaceLayerId lands in place of the previous result as one undo step', async () => {
  const doc = await t.engine.call('document.new', { width: 128, height: 128 });
  const run = async (extra: { replaceLayerId?: string } = {}, seed = 7) => {
    const { jobId } = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: { ...spec(2, seed), width: 128, height: 128, upscale: 'nearest' }, ...extra });
    assert.equal((await collect(jobId)).at(-1)!.state, 'done');
    return (await t.engine.call('document.get', { docId: doc.docId })).document.layers;
  };
  let layers = await run();
  assert.equal(layers[0].name, 'a large red star · seed 7');
  assert.equal(layers[0].provenance?.upscale, 'nearest');
  assert.deepEqual(layers[0].provenance?.native, { width: 64, height: 64 }, 'generated at the pack\'s 64 x 64, enlarged 2x');
  // nearest-neighbour enlarging: every 2x2 block is one colour
  const img = await t.engine.call('document.image', { docId: doc.docId, imageId: (layers[0] as { imageId: string }).imageId });
  assert.equal(img.width, 128);
  let blocksDiffer = 0;
  for (let y = 0; y < 128; y += 2) for (let x = 0; x < 128; x += 2) {
    const at = (dx: number, dy: number) => img.rgba.subarray(((y + dy) * 128 + x + dx) * 4, ((y + dy) * 128 + x + dx) * 4 + 4).join();
    if (at(0, 0) !== at(1, 0) || at(0, 0) !== at(0, 1) || at(0, 0) !== at(1, 1)) blocksDiffer++;
  }
  assert.equal(blocksDiffer, 0);
  layers = await run();
  assert.deepEqual(layers.map((l) => l.name), ['a large red star · seed 7 (2)', 'a large red star · seed 7']);
  const [prev, first] = layers.map((l) => l.id);
  layers = await run({ replaceLayerId: prev }, 9);
  assert.deepEqual(layers.map((l) => l.name), ['a large red star · seed 9', 'a large red star · seed 7'], 'replaced in place');
  assert.equal(layers[1].id, first);
  const undone = await t.engine.call('document.undo', { docId: doc.docId });
  assert.deepEqual(undone.document.layers.map((l) => l.id), [prev, first], 'one undo brings the replaced result back');
  await assert.rejects(t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(1), replaceLayerId: 'gone' }), /no layer "gone" to replace/);
});

test('regenerateArea: the document as it looks now is the init image, the box its mask; the result lands as a layer holding just the box', async () => {
  const e = t.engine;
  const doc = await e.call('document.new', { width: 96, height: 64 });
  const rgba = new Uint8Array(96 * 64 * 4);
  for (let p = 0; p < 96 * 64; p++) rgba.set([(p * 7) & 255, (p * 3) & 255, 90, 255], p * 4);
  const { imageId } = await e.call('document.putImage', { docId: doc.docId, image: { width: 96, height: 64, rgba } });
  await e.call('document.mutate', { docId: doc.docId, ops: [{ op: 'add', layer: { kind: 'raster', id: 'photo', name: 'photo', imageId, x: 0, y: 0, width: 96, height: 64 } }] });
  const { jobId } = await e.call('jobs.start', { task: 'generate', docId: doc.docId, spec: { ...spec(4), width: 96, height: 64 }, regenerateArea: { box: [20, 10, 30, 20], strength: 0.75 } });
  assert.equal((await collect(jobId)).at(-1)!.state, 'done');
  const snap = await e.call('document.get', { docId: doc.docId });
  const top = snap.document.layers[0] as { kind: string; x: number; y: number; width: number; height: number; imageId: string; provenance: { params: Record<string, unknown> } };
  assert.deepEqual([top.kind, top.x, top.y, top.width, top.height], ['raster', 20, 10, 30, 20]);
  assert.deepEqual(top.provenance.params.init, { strength: 0.75, masked: true, startStep: 1 });
  const px = await e.call('document.image', { docId: doc.docId, imageId: top.imageId });
  let changed = 0;
  for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) {
    const a = ((y + 10) * 96 + x + 20) * 4, b = (y * 30 + x) * 4;
    if (px.rgba[b] !== rgba[a] || px.rgba[b + 1] !== rgba[a + 1] || px.rgba[b + 2] !== rgba[a + 2]) changed++;
  }
  assert.ok(changed > 300, `${changed} of 600 pixels in the area regenerated`);
  assert.equal(snap.undoLabel, 'Generate');
  await assert.rejects(e.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(1), regenerateArea: { box: [200, 200, 5, 5], strength: 0.5 } }), /outside the 96x64 canvas/);
});

test('regenerateArea with a pixel selection: only selected pixels come back; "into" replaces them in the layer (one undo step)', async () => {
  const e = t.engine;
  const doc = await e.call('document.new', { width: 64, height: 64 });
  const rgba = new Uint8Array(64 * 64 * 4);
  for (let p = 0; p < 64 * 64; p++) rgba.set([(p * 7) & 255, (p * 3) & 255, 90, 255], p * 4);
  const { imageId } = await e.call('document.putImage', { docId: doc.docId, image: { width: 64, height: 64, rgba } });
  await e.call('document.mutate', { docId: doc.docId, ops: [{ op: 'add', layer: { kind: 'raster', id: 'photo', name: 'photo', imageId, x: 0, y: 0, width: 64, height: 64 } }] });
  // a selection: the left half of the box [16, 16, 32, 32]
  const mask = new Uint8Array(64 * 64 * 4);
  for (let y = 16; y < 48; y++) for (let x = 16; x < 32; x++) mask.set([255, 255, 255, 255], (y * 64 + x) * 4);
  const selection = { width: 64, height: 64, rgba: mask };
  const { jobId } = await e.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(2), regenerateArea: { box: [16, 16, 32, 32], strength: 0.9, mask: selection } });
  assert.equal((await collect(jobId)).at(-1)!.state, 'done');
  let snap = await e.call('document.get', { docId: doc.docId });
  const top = snap.document.layers[0] as { x: number; y: number; width: number; height: number; imageId: string };
  assert.deepEqual([top.x, top.y, top.width, top.height], [16, 16, 32, 32]);
  const px = await e.call('document.image', { docId: doc.docId, imageId: top.imageId });
  assert.ok(px.rgba[(10 * 32 + 5) * 4 + 3] > 0, 'selected: kept');
  assert.equal(px.rgba[(10 * 32 + 25) * 4 + 3], 0, 'in the box but not selected: transparent');
  await e.call('document.undo', { docId: doc.docId });
  const again = await e.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(2), regenerateArea: { box: [16, 16, 32, 32], strength: 0.9, mask: selection, into: 'photo' } });
  assert.equal((await collect(again.jobId)).at(-1)!.state, 'done');
  snap = await e.call('document.get', { docId: doc.docId });
  assert.equal(snap.document.layers.length, 1, 'no new layer');
  const photo = snap.document.layers[0] as { imageId: string; width: number };
  assert.notEqual(photo.imageId, imageId);
  const out = await e.call('document.image', { docId: doc.docId, imageId: photo.imageId });
  let inside = 0, outside = 0;
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) {
    const i = (y * 64 + x) * 4;
    const same = out.rgba[i] === rgba[i] && out.rgba[i + 1] === rgba[i + 1] && out.rgba[i + 2] === rgba[i + 2] && out.rgba[i + 3] === rgba[i + 3];
    if (mask[i]) inside += same ? 0 : 1;
    else outside += same ? 0 : 1;
  }
  assert.equal(outside, 0, 'pixels outside the selection come back unchanged');
  assert.ok(inside > 200, `${inside} of 512 selected pixels regenerated`);
  await assert.rejects(e.call('jobs.start', { task: 'generate', docId: doc.docId, spec: spec(1), regenerateArea: { box: [0, 0, 8, 8], strength: 0.5, into: 'photo' } }), /needs the selection/);
});

test('layers: the result lands as one named group (one undo step); a one-box job with replaceLayerId replaces only that layer\'s pixels in place', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const layersSpec = { prompt: 'a large red star and a small blue circle', boxes: [[4, 4, 24, 24], [36, 30, 20, 26]] as [number, number, number, number][], width: 64, height: 64, seed: 3, steps: 2, packId: 'fixture-tiny-art', device: 'cpu' as const };
  const done = async (jobId: string) => assert.equal((await collect(jobId)).at(-1)!.state, 'done');
  await done((await t.engine.call('jobs.start', { task: 'layers', docId: doc.docId, spec: layersSpec })).jobId);
  let snap = await t.engine.call('document.get', { docId: doc.docId });
  assert.equal(snap.undoLabel, 'Generate Layers');
  const group = snap.document.layers[0];
  assert.ok(group.kind === 'group');
  const before = group.children.map((l) => ({ ...l }));
  assert.deepEqual(before.map((l) => l.name), ['Box 2', 'Box 1', 'Background']);
  const pixels = async (imageId: string) => Buffer.from((await t.engine.call('document.image', { docId: doc.docId, imageId })).rgba);
  const box1 = before[1] as { id: string; imageId: string };
  const old = await pixels(box1.imageId);
  await done((await t.engine.call('jobs.start', { task: 'layers', docId: doc.docId, spec: { ...layersSpec, seed: 4, only: [0] }, replaceLayerId: box1.id })).jobId);
  snap = await t.engine.call('document.get', { docId: doc.docId });
  const after = (snap.document.layers[0] as typeof group).children;
  assert.deepEqual(after.map((l) => l.id), before.map((l) => l.id), 'same layers, same ids, same order');
  assert.deepEqual([after[0], after[2]], [before[0], before[2]], 'box 2 and the background untouched');
  const now = after[1] as { imageId: string; name: string; provenance: { seed: number; params: { art?: { box?: number } } } };
  assert.equal(now.name, 'Box 1');
  assert.equal(now.provenance.seed, 4);
  assert.equal(now.provenance.params.art?.box, 0);
  assert.notDeepEqual(await pixels(now.imageId), old, 'new pixels');
  const undone = await t.engine.call('document.undo', { docId: doc.docId });
  assert.equal(((undone.document.layers[0] as typeof group).children[1] as { imageId: string }).imageId, box1.imageId, 'one undo step brings the old pixels back');
});

test('a text edit updates the generated layer\'s pixels in place as one undo step, with the edit in its provenance', async () => {
  const doc = await t.engine.call('document.new', { width: 64, height: 64 });
  const gen = await t.engine.call('jobs.start', { task: 'generate', docId: doc.docId, spec: { ...spec(3), prompt: 'a large red star on a blue background' } });
  assert.equal((await collect(gen.jobId)).at(-1)!.state, 'done');
  const before = (await t.engine.call('document.get', { docId: doc.docId })).document.layers[0] as { id: string; imageId: string; name: string };
  const pixels = async (imageId: string) => (await t.engine.call('document.image', { docId: doc.docId, imageId })).rgba;
  const original = await pixels(before.imageId);
  // no packId: the engine takes the layer's own pack from its provenance
  const { jobId } = await t.engine.call('jobs.start', { task: 'text-edit', docId: doc.docId, spec: { layerId: before.id, from: 'red', to: 'green', device: 'cpu' } });
  const events = await collect(jobId);
  assert.equal(events.at(-1)!.state, 'done', JSON.stringify(events.at(-1)));
  const snap = await t.engine.call('document.get', { docId: doc.docId });
  assert.equal(snap.document.layers.length, 1, 'in place: no layer added');
  const after = snap.document.layers[0] as typeof before & { provenance: { task: string; prompt: string; params: Record<string, unknown> } };
  assert.equal(after.id, before.id);
  assert.equal(before.name, 'a large red star on a blue background · seed 7');
  assert.equal(after.name, 'a large green star on a blue background · seed 7', 'still named after its prompt: renamed after the edited one');
  assert.equal(snap.undoLabel, 'Edit Text');
  assert.notDeepEqual(await pixels(after.imageId), original, 'new pixels');
  assert.equal(after.provenance.task, 'text-edit');
  assert.equal(after.provenance.prompt, 'a large red star on a blue background');
  assert.deepEqual(after.provenance.params.textEdit, { from: 'red', to: 'green', prompt: 'a large green star on a blue background', blocks: [0, 1], startStep: 0 });
  const undone = (await t.engine.call('document.undo', { docId: doc.docId })).document.layers[0] as typeof after;
  assert.equal(undone.provenance.task, 'generate');
  assert.equal(undone.name, before.name, 'one undo restores the name');
  assert.deepEqual(await pixels(undone.imageId), original, 'one undo restores the pixels');
  // a pasted picture has no generation to re-run
  const { imageId } = await t.engine.call('document.putImage', { docId: doc.docId, image: { width: 64, height: 64, rgba: new Uint8Array(64 * 64 * 4) } });
  await t.engine.call('document.mutate', { docId: doc.docId, ops: [{ op: 'add', layer: { kind: 'raster', id: 'pasted', name: 'pasted', imageId, x: 0, y: 0, width: 64, height: 64 } }] });
  const bad = await t.engine.call('jobs.start', { task: 'text-edit', docId: doc.docId, spec: { layerId: 'pasted', from: 'red', to: 'green', packId: 'fixture-tiny' } });
  const ev = (await collect(bad.jobId)).at(-1)!;
  assert.deepEqual([ev.state, ev.code], ['failed', 'bad_request']);
  assert.match(ev.message!, /layer "pasted" has no generation provenance/);
});
