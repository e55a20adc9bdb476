import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from '../../editor/editor.ts';
import { MemoryClient } from '../../editor/testing/memory-client.ts';
import type { Layer } from '../../../common/document/document-schema.ts';
import { artPacks, artSource, LayersTask, layersTaskPanel } from './layers-task.ts';

const settle = () => new Promise((r) => setTimeout(r, 0));
const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false };

async function setup() {
  const client = new MemoryClient();
  const editor = new Editor({ client, tasks: [layersTaskPanel] });
  await editor.newDocument(128, 96, 'Layers');
  editor.setTool('layers');
  const task = editor.task<LayersTask>('layers')!;
  return { client, editor, task };
}
const starts = (c: MemoryClient) => c.calls.filter((x) => x.method === 'jobs.start').map((x) => x.input as { task: string; spec: Record<string, unknown>; replaceLayerId?: string });

/** A layer as a layers job lands it: canvas-sized, provenance.params.art with its box. */
function artLayer(id: string, box: number | undefined, seed = 11): Layer {
  const art = { boxes: [[0, 0, 40, 40], [50, 20, 60, 60]], tokenBoxes: [], fullLayers: false, ...(box === undefined ? {} : { box }) };
  return {
    ...base, id, name: box === undefined ? 'Background' : `Box ${box + 1}`, kind: 'raster', imageId: `img-${id}`, x: 0, y: 0, width: 128, height: 96,
    provenance: { task: 'layers', packId: 'fixture-tiny-art', pipeline: 'art', prompt: 'a red star', regions: [], seed, steps: 6, guidance: 3, params: { art } },
  };
}

test('layers task: Generate starts one layers job with the tool\'s boxes and the panel\'s settings; landing resets the boxes\' undo', async () => {
  const { editor, client, task } = await setup();
  editor.boxes.add({ x: 4, y: 6, width: 30, height: 20 });
  editor.boxes.add({ x: 60, y: 10, width: 50.4, height: 70 });
  task.set({ prompt: 'a red star and a blue circle', seed: 9, steps: 6, guidance: 3 });
  client.overrides['jobs.start'] = () => {
    queueMicrotask(() => client.emit('job.event', { jobId: 'j1', state: 'step', i: 1, n: 6 }));
    return { jobId: 'j1' };
  };
  await task.generate();
  await settle();
  const [start] = starts(client);
  assert.equal(start.task, 'layers');
  assert.deepEqual(start.spec, { prompt: 'a red star and a blue circle', boxes: [[4, 6, 30, 20], [60, 10, 51, 70]], width: 128, height: 96, seed: 9, steps: 6, guidance: 3 });
  assert.deepEqual([editor.state.job?.task, editor.state.job?.i, editor.state.job?.n], ['layers', 1, 6], 'progress like the generate task');
  assert.notEqual(task.settings.seed, 9, 'the seed re-rolls');
  assert.equal(editor.boxes.canUndo, true);
  client.emit('job.event', { jobId: 'j1', state: 'done' });
  await settle();
  await settle();
  assert.equal(editor.state.job, null);
  assert.equal(editor.boxes.canUndo, false, 'the next undo is the generation\'s');
  assert.equal(editor.state.layerBoxes.selected, null, 'Delete now deletes the selected group, not a box');
  assert.equal(editor.state.layerBoxes.boxes.length, 2, 'the boxes stay to adjust and go again');
});

test('layers task: the engine\'s refusals come back as error toasts; no boxes: nothing starts', async () => {
  const { editor, client, task } = await setup();
  await task.generate();
  assert.equal(starts(client).length, 0);
  assert.match(editor.state.toasts.at(-1)!.message, /Draw at least one box/);
  editor.boxes.add({ x: 0, y: 0, width: 20, height: 20 });
  task.set({ prompt: 'a star' });
  client.overrides['jobs.start'] = () => {
    throw Object.assign(new Error('no model pack has the art pipeline: model pack "lamina-tiny" has no art pipeline (task "layers")'), { code: 'no_pipeline' });
  };
  await task.generate();
  const t = editor.state.toasts.at(-1)!;
  assert.deepEqual([t.kind, t.code], ['error', 'no_pipeline']);
  assert.equal(editor.state.job, null);
  client.overrides['jobs.start'] = () => ({ jobId: 'j2' });
  await task.generate();
  client.emit('job.event', { jobId: 'j2', state: 'failed', code: 'bad_request', message: 'box 1 [0, 0, 20, 20] reaches outside the 16x16 canvas' });
  assert.match(editor.state.toasts.at(-1)!.message, /box 1 .* reaches outside/);
});

test('re-generate this box: same prompt, boxes, steps and pack, a new seed, only that box, landing in place of that layer', async () => {
  const { editor, client, task } = await setup();
  await editor.mutate([{ op: 'add', layer: artLayer('bg', undefined) }, { op: 'add', layer: artLayer('b1', 0) }, { op: 'add', layer: artLayer('b2', 1) }]);
  assert.equal(artSource(editor.document!.layers.find((l) => l.id === 'bg')), null, 'the background is no box');
  assert.equal(artSource({ ...artLayer('x', 0), provenance: { ...artLayer('x', 0).provenance!, task: 'generate' } } as Layer), null);
  assert.deepEqual(artSource(artLayer('b2', 1))?.box, 1);
  client.overrides['jobs.start'] = () => ({ jobId: 'j3' });
  await task.regenerateBox('b1');
  const [start] = starts(client);
  assert.equal(start.replaceLayerId, 'b1');
  const { seed, ...rest } = start.spec;
  assert.notEqual(seed, 11, 'a new seed');
  assert.deepEqual(rest, { prompt: 'a red star', boxes: [[0, 0, 40, 40], [50, 20, 60, 60]], width: 128, height: 96, steps: 6, guidance: 3, packId: 'fixture-tiny-art', only: [0] });
});

test('art packs: only packs with the art pipeline, loadable ones first', () => {
  const p = (id: string, ok: boolean, pipelines: string[]) => ({ id, version: '1', dir: '', ok, error: null, pipelines, native: null, defaultSteps: null, vocabulary: null });
  assert.deepEqual(artPacks([p('tiny', true, ['text-to-image']), p('broken', false, ['art']), p('art', true, ['art'])]).map((x) => x.id), ['art', 'broken']);
});
