import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from '../../editor/editor.ts';
import { MemoryClient } from '../../editor/testing/memory-client.ts';
import { decodeMaskRuns } from '../../../common/contract/mask-runs.ts';
import { DecomposeTask, decomposeTaskPanel } from './decompose-task.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
const pack = (id: string, pipelines: string[]) => ({ id, version: '1', dir: `/p/${id}`, ok: true, error: null, pipelines, native: { width: 64, height: 64 }, defaultSteps: 12 });

async function setup() {
  const client = new MemoryClient();
  const editor = new Editor({ client, tasks: [decomposeTaskPanel] });
  await editor.newDocument(200, 100, 'Test');
  await editor.mutate([
    { op: 'add', layer: { ...base, id: 'pic', name: 'scene.png', kind: 'raster', x: 0, y: 0, imageId: 'img-1', width: 200, height: 100 } },
    { op: 'add', index: 0, layer: { ...base, id: 'r', name: 'r', kind: 'region', x: 30, y: 10, prompt: 'cup', color: '#ffffff', shape: { type: 'box', width: 20.5, height: 25.2 } } },
  ]);
  let n = 0;
  client.overrides['jobs.start'] = () => ({ jobId: `j${++n}` });
  const task = editor.task<DecomposeTask>('decompose')!;
  const starts = () => client.calls.filter((c) => c.method === 'jobs.start').map((c) => c.input as { task: string; docId: string; spec: Record<string, unknown> });
  return { client, editor, task, starts };
}

test('decompose: needs a picture layer and a box; says which is missing instead of starting', async () => {
  const { editor, task, starts } = await setup();
  assert.deepEqual(task.target(), { ok: false, problem: 'Select the picture layer (a raster layer) that holds the object' });
  editor.select(['pic']);
  const t = task.target();
  assert.ok(!t.ok && /Mark the object/.test(t.problem));
  await task.decompose();
  assert.equal(starts().length, 0);
  assert.match(editor.state.toasts.at(-1)!.message, /Mark the object: draw a marquee/);
});

test('decompose: the marquee\'s box on the selected layer, inpaint without a decomposition pack; the selection goes once it lands', async () => {
  const { editor, client, task, starts } = await setup();
  client.overrides['models.list'] = () => [pack('lamina-tiny', ['text-to-image', 'layerbind'])];
  await editor.refreshPacks();
  editor.select(['pic']);
  editor.pixelSelection.apply({ type: 'rect', rect: { x: 40, y: 20, width: 30, height: 50 } }, 'replace');
  assert.equal(task.method(), 'inpaint');
  await task.decompose();
  const [start] = starts();
  assert.equal(start.task, 'decompose');
  assert.deepEqual(start.spec, { layerId: 'pic', box: [40, 20, 30, 50], method: 'inpaint' });
  assert.equal(editor.state.job?.task, 'decompose');
  client.emit('job.event', { jobId: 'j1', state: 'step', i: 1, n: 1 });
  assert.equal(editor.state.job?.i, 1);
  client.emit('job.event', { jobId: 'j1', state: 'done' });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(editor.state.job, null);
  assert.equal(editor.state.pixelSelection, null, 'the used marquee is gone');
  assert.equal(editor.state.toasts.at(-1)!.message, 'Decomposition finished');
});

test('decompose: the model method (with its pack) when a pack lists decompose, unless inpaint is picked; a region selected with the layer gives the box', async () => {
  const { editor, client, task, starts } = await setup();
  client.overrides['models.list'] = () => [pack('lamina-tiny', ['text-to-image']), pack('lamina-decomp', ['decompose'])];
  await editor.refreshPacks();
  editor.select(['pic', 'r']);
  const t = task.target();
  assert.ok(t.ok && t.from === 'region');
  assert.deepEqual(t.ok && t.box, [30, 10, 21, 26], 'the region\'s box, out to whole pixels');
  assert.equal(task.method(), 'model');
  await task.decompose();
  assert.deepEqual(starts()[0].spec, { layerId: 'pic', box: [30, 10, 21, 26], method: 'model', packId: 'lamina-decomp' });
  assert.equal(editor.state.job?.n, 12, 'the pack\'s default steps until the first step event');
  client.emit('job.event', { jobId: 'j1', state: 'failed', code: 'bad_request', message: 'the box 300,0,10,10 lies outside the 200x100 px image' });
  const toast = editor.state.toasts.at(-1)!;
  assert.deepEqual([toast.kind, toast.code], ['error', 'bad_request']);
  assert.match(toast.message, /lies outside/);
  task.setMethod('inpaint');
  await task.decompose();
  assert.deepEqual(starts()[1].spec, { layerId: 'pic', box: [30, 10, 21, 26], method: 'inpaint' });
});

test('decompose: an ellipse selection travels as its shape (mask runs), a marquee as its box, a painted mask region as its id', async () => {
  const { editor, client, task, starts } = await setup();
  client.overrides['models.list'] = () => [pack('lamina-decomp', ['decompose'])];
  await editor.refreshPacks();
  editor.select(['pic']);
  editor.pixelSelection.apply({ type: 'ellipse', rect: { x: 40, y: 20, width: 30, height: 50 } }, 'replace');
  const t = task.target();
  assert.ok(t.ok && 'mask' in t.mark);
  const m = t.ok && 'mask' in t.mark ? t.mark.mask : null;
  assert.deepEqual([m!.x, m!.y, m!.width, m!.height], [40, 20, 30, 50]);
  const bits = decodeMaskRuns(m!);
  assert.equal(bits[0], 0, 'a corner of the ellipse\'s box is not the object');
  assert.equal(bits[25 * 30 + 15], 1, 'its middle is');
  const area = bits.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(area - Math.PI * 15 * 25) < 40, `about the ellipse's area: ${area}`);
  await task.decompose();
  assert.deepEqual(Object.keys(starts()[0].spec).sort(), ['layerId', 'mask', 'method', 'packId']);
  client.emit('job.event', { jobId: 'j1', state: 'done' });
  await new Promise((r) => setTimeout(r, 0));
  // a region painted with the mask brush: the engine reads its mask
  await editor.mutate([{ op: 'add', index: 0, layer: { ...base, id: 'painted', name: 'Mask 1', kind: 'region', x: 5, y: 5, prompt: '', color: '#ffffff', shape: { type: 'mask', width: 10, height: 10, maskImageId: 'mask-1' } } }]);
  editor.select(['pic', 'painted']);
  const r = task.target();
  assert.ok(r.ok && r.from === 'region');
  assert.deepEqual(r.ok && r.mark, { regionId: 'painted' });
  await task.decompose();
  assert.deepEqual(starts()[1].spec, { layerId: 'pic', regionId: 'painted', method: 'model', packId: 'lamina-decomp' });
});

test('decompose all: needs the model and a picture layer; starts one job with all, the cap and the pack', async () => {
  const { editor, client, task, starts } = await setup();
  editor.select(['pic']);
  const none = task.allTarget();
  assert.ok(!none.ok && /none is installed/.test(none.problem));
  await task.decomposeAll();
  assert.equal(starts().length, 0);
  assert.match(editor.state.toasts.at(-1)!.message, /decomposition model/);
  client.overrides['models.list'] = () => [pack('lamina-decomp', ['decompose'])];
  await editor.refreshPacks();
  editor.select(['r']);
  assert.ok(!task.allTarget().ok, 'a region alone is not a picture');
  editor.select(['pic']);
  await task.decomposeAll(3);
  assert.deepEqual(starts()[0].spec, { layerId: 'pic', all: true, maxForegrounds: 3, method: 'model', packId: 'lamina-decomp' });
  assert.equal(editor.state.job?.n, 12 * 4, 'progress counts every peel\'s steps against the most there can be');
});
