import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from '../../editor/editor.ts';
import { MemoryClient } from '../../editor/testing/memory-client.ts';
import { GenerateTask, generateTaskPanel } from './generate-task.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };

async function setup() {
  const client = new MemoryClient();
  const editor = new Editor({ client, tasks: [generateTaskPanel] });
  await editor.newDocument(400, 300, 'Test');
  const task = editor.task<GenerateTask>('generate')!;
  return { client, editor, task };
}

test('generate: spec carries regions; no_pipeline failure becomes an error toast, seed re-rolls', async () => {
  const { editor, client, task } = await setup();
  await editor.mutate([{ op: 'add', layer: { ...base, id: 'r', name: 'r', kind: 'region', x: 0, y: 0, prompt: 'sun', color: '#ffffff', shape: { type: 'box', width: 20, height: 20 } } }]);
  task.set({ prompt: 'scene', seed: 5, seedLocked: false });
  client.overrides['jobs.start'] = () => {
    queueMicrotask(() => client.emit('job.event', { jobId: 'j1', state: 'queued' }));
    return { jobId: 'j1' };
  };
  await task.generate();
  const start = client.calls.find((c) => c.method === 'jobs.start')!.input as { spec: { regions: { id: string }[]; seed: number } };
  assert.deepEqual(start.spec.regions.map((r) => r.id), ['r']);
  assert.equal(start.spec.seed, 5);
  assert.notEqual(task.settings.seed, 5);
  client.emit('job.event', { jobId: 'j1', state: 'step', i: 3, n: 20 });
  assert.deepEqual([editor.state.job!.i, editor.state.job!.n], [3, 20]);
  client.emit('job.event', { jobId: 'j1', state: 'failed', code: 'no_pipeline', message: 'pack "lamina-tiny" has no generate pipeline yet' });
  assert.equal(editor.state.job, null);
  const toast = editor.state.toasts.at(-1)!;
  assert.equal(toast.kind, 'error');
  assert.equal(toast.code, 'no_pipeline');
  assert.match(toast.message, /no generate pipeline/);
});

test('re-bind order: same seed as the last generation, regions in the new stack order', async () => {
  const { editor, client, task } = await setup();
  const region = (id: string) => ({ ...base, id, name: id, kind: 'region' as const, x: 0, y: 0, prompt: `${id} star`, color: '#ffffff', shape: { type: 'box' as const, width: 20, height: 20 } });
  await editor.mutate([{ op: 'add', layer: region('a'), index: 0 }, { op: 'add', layer: region('b'), index: 0 }]);
  task.set({ prompt: 'scene', seed: 77, seedLocked: false });
  let n = 0;
  client.overrides['jobs.start'] = () => {
    const jobId = `j${++n}`;
    queueMicrotask(() => client.emit('job.event', { jobId, state: 'done' }));
    return { jobId };
  };
  await task.generate();
  await new Promise((r) => setTimeout(r, 0));
  assert.notEqual(task.settings.seed, 77, 'Generate re-rolls the seed for next time');
  await editor.mutate([{ op: 'move', id: 'a', index: 0 }]);
  await task.rebindOrder();
  const specs = client.calls.filter((c) => c.method === 'jobs.start').map((c) => (c.input as { spec: { seed: number; order: string[] } }).spec);
  assert.equal(specs.length, 2);
  assert.deepEqual(specs.map((s) => s.seed), [77, 77]);
  assert.deepEqual(specs[0].order, ['b', 'a']);
  assert.deepEqual(specs[1].order, ['a', 'b']);
});


test('generate panel: picks the first pack that loads once the list arrives, keeps a chosen one; Mod+Enter starts it', async () => {
  const { editor, client, task } = await setup();
  const pack = (id: string, ok: boolean) => ({ id, version: '1', ok, pipelines: ['text-to-image'], error: ok ? undefined : 'bad' });
  client.overrides['models.list'] = () => [pack('broken', false), pack('tiny', true)];
  await editor.refreshPacks();
  assert.equal(task.settings.packId, 'tiny');
  task.set({ packId: 'broken' });
  await editor.refreshPacks();
  assert.equal(task.settings.packId, 'broken', 'a chosen pack stays chosen');
  assert.equal(editor.handleKey({ code: 'Enter', key: 'Enter', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false }, false), true);
  await new Promise((r) => setTimeout(r, 0));
  const start = client.calls.find((c) => c.method === 'jobs.start')!.input as { task: string; spec: { packId: string } };
  assert.deepEqual([start.task, start.spec.packId, editor.state.job?.task], ['generate', 'broken', 'generate']);
});

test('re-bind with "replace the previous result" asks the engine to land in place of the last result; the last seed stays shown', async () => {
  const { editor, client, task } = await setup();
  const region = { ...base, id: 'a', name: 'a', kind: 'region' as const, x: 0, y: 0, prompt: 'a star', color: '#ffffff', shape: { type: 'box' as const, width: 20, height: 20 } };
  await editor.mutate([{ op: 'add', layer: region, index: 0 }]);
  task.set({ prompt: 'scene', seed: 41, seedLocked: false });
  let n = 0;
  client.overrides['jobs.start'] = () => {
    const jobId = `j${++n}`;
    // the engine lands a raster layer, then says done
    void client.call('document.mutate', { docId: editor.docId!, ops: [{ op: 'add', layer: { ...base, id: `res${n}`, name: `scene · seed 41`, kind: 'raster', imageId: 'i', x: 0, y: 0, width: 4, height: 4 }, index: 0 }] })
      .then(() => client.emit('job.event', { jobId, state: 'done' }));
    return { jobId };
  };
  await task.generate();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(task.store.get().lastResultId, 'res1', 'the landed layer is remembered');
  assert.equal(task.store.get().lastSeed, 41);
  assert.notEqual(task.settings.seed, 41, 'the field moves on; the last run\'s seed is kept separately');
  await task.rebindOrder();
  const plain = client.calls.filter((c) => c.method === 'jobs.start').at(-1)!.input as { replaceLayerId?: string };
  assert.equal(plain.replaceLayerId, undefined, 'by default Re-bind stacks a new result');
  await new Promise((r) => setTimeout(r, 10));
  task.set({ replacePrevious: true });
  await task.rebindOrder();
  const replacing = client.calls.filter((c) => c.method === 'jobs.start').at(-1)!.input as { replaceLayerId?: string; spec: { seed: number } };
  assert.equal(replacing.replaceLayerId, 'res2');
  assert.equal(replacing.spec.seed, 41);
});

test('regenerate area: the region\'s box and prompt, no regions in the spec, the strength as given', async () => {
  const { editor, client, task } = await setup();
  await editor.mutate([{ op: 'add', layer: { ...base, id: 'r', name: 'r', kind: 'region', x: 30, y: 20, prompt: 'a blue circle', color: '#ffffff', shape: { type: 'box', width: 50.5, height: 40.2 } } }]);
  task.set({ prompt: 'scene', seed: 9, seedLocked: true });
  client.overrides['jobs.start'] = () => ({ jobId: 'j1' });
  await task.regenerateArea('r', 0.35);
  const start = client.calls.find((c) => c.method === 'jobs.start')!.input as { spec: { prompt: string; regions: unknown[]; seed: number; width: number }; regenerateArea: { box: number[]; strength: number } };
  assert.equal(start.spec.prompt, 'a blue circle');
  assert.deepEqual(start.spec.regions, []);
  assert.deepEqual([start.spec.seed, start.spec.width], [9, 400]);
  assert.deepEqual(start.regenerateArea, { box: [30, 20, 51, 41], strength: 0.35 });
});

test('variations: the spec asks for the batch; the landed candidates can be picked (others deleted, one undo step)', async () => {
  const { editor, client, task } = await setup();
  task.set({ prompt: 'a red star', seed: 10, batch: 3 });
  client.overrides['jobs.start'] = () => {
    queueMicrotask(async () => {
      const docId = editor.docId!;
      await client.call('document.mutate', { docId, ops: ['c', 'b', 'a'].map((id) => ({ op: 'add' as const, index: 0, layer: { ...base, id, name: id, kind: 'raster' as const, imageId: id, x: 0, y: 0, width: 10, height: 10 } })) });
      client.emit('job.event', { jobId: 'j1', state: 'done' });
    });
    return { jobId: 'j1' };
  };
  await task.generate();
  const start = client.calls.find((c) => c.method === 'jobs.start')!.input as { spec: { batch: number; seed: number } };
  assert.deepEqual([start.spec.batch, start.spec.seed], [3, 10]);
  for (let i = 0; i < 20 && !task.store.get().candidates.length; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(task.store.get().candidates, ['a', 'b', 'c']);
  await task.pickVariation('b');
  assert.deepEqual(editor.document!.layers.map((l) => l.id), ['b']);
  assert.deepEqual(task.store.get().candidates, []);
  assert.deepEqual(editor.state.selection, ['b']);
  await editor.undo();
  assert.deepEqual(editor.document!.layers.map((l) => l.id), ['a', 'b', 'c'], 'Pick Variation is one undo step');
});

test('history: reopening an entry loads its spec (seed locked) and puts back its missing regions', async () => {
  const { editor, task } = await setup();
  const spec = {
    prompt: 'on a white background', width: 400, height: 300, seed: 4242, steps: 12, guidance: 6, packId: 'lamina-tiny', upscale: 'nearest' as const,
    regions: [{ id: 'gone', box: [10, 20, 100, 80] as [number, number, number, number], prompt: 'a red circle' }], order: ['gone'], batch: 1, device: 'auto' as const,
    layerbind: { fuseStep: 2 },
  };
  await editor.mutate([{ op: 'record-generation', entry: { id: 'e1', createdAt: new Date().toISOString(), spec, thumbnailId: 't1' } }], { history: 'ignore' });
  task.set({ prompt: 'something else', seed: 1, seedLocked: false, batch: 4 });
  await task.reopen('e1');
  const s = task.settings;
  assert.deepEqual([s.prompt, s.seed, s.seedLocked, s.steps, s.guidance, s.packId, s.upscale, s.batch, s.regionMethod?.fuseStep], ['on a white background', 4242, true, 12, 6, 'lamina-tiny', 'nearest', 1, 2]);
  const region = editor.document!.layers.find((l) => l.id === 'gone');
  assert.ok(region && region.kind === 'region');
  assert.deepEqual([region.x, region.y, region.shape.width, region.shape.height, region.prompt], [10, 20, 100, 80, 'a red circle']);
  assert.equal(region.color, '#dc322f', 'the restored region takes its prompt\'s colour');
  await task.reopen('e1');
  assert.equal(editor.document!.layers.filter((l) => l.id === 'gone').length, 1, 'a region still there is not added twice');
  await editor.undo();
  assert.equal(editor.document!.layers.length, 0);
  assert.equal(editor.document!.generations!.length, 1, 'the history stays');
});

test('regenerate a pixel selection: the selection goes as the mask, its bounds as the box; "into" replaces a layer\'s pixels', async () => {
  const client = new MemoryClient();
  const editor = new Editor({ client, tasks: [generateTaskPanel] });
  await editor.newDocument(40, 30);
  const task = editor.task<GenerateTask>('generate')!;
  await task.regenerateSelection(0.5);
  assert.match(editor.toastLog.at(-1)!.message, /Select an area first/);
  editor.pixelSelection.apply({ type: 'rect', rect: { x: 5, y: 6, width: 10, height: 8 } }, 'replace');
  await task.regenerateSelection(0.7, 'layer-x');
  const start = client.calls.find((c) => c.method === 'jobs.start')!.input as { regenerateArea: { box: number[]; strength: number; into: string; mask: { width: number; rgba: Uint8Array } } };
  assert.deepEqual(start.regenerateArea.box, [5, 6, 10, 8]);
  assert.equal(start.regenerateArea.strength, 0.7);
  assert.equal(start.regenerateArea.into, 'layer-x');
  assert.equal(start.regenerateArea.mask.width, 40);
  assert.equal(start.regenerateArea.mask.rgba[(6 * 40 + 5) * 4], 255);
  assert.equal(start.regenerateArea.mask.rgba[(6 * 40 + 4) * 4], 0);
  editor.dispose();
});
