import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Editor } from '../../editor/editor.ts';
import { MemoryClient } from '../../editor/testing/memory-client.ts';
import { tempEngine } from '../../../main/engine/testing/temp-engine.ts';
import { checkReplacement, TextEditTask, textEditSource, textEditTaskPanel } from './text-edit-task.ts';

const vocabulary = { words: ['a', 'large', 'small', 'red', 'green', 'grey', 'blue', 'star', 'circle', 'on', 'background'], split: '[a-z]+', lowercase: true, colours: {} };
const pack = (pipelines: string[]) => ({ id: 'lamina-tiny', version: '1', dir: '/p', ok: true, error: null, pipelines, native: { width: 64, height: 64 }, defaultSteps: 12, vocabulary });
const prov = (extra: Record<string, unknown> = {}) => ({ task: 'generate', packId: 'lamina-tiny', pipeline: 'text-to-image', prompt: 'a large red star on a blue background', regions: [], seed: 7, steps: 9, params: {}, ...extra });
const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false };

async function setup() {
  const client = new MemoryClient();
  client.overrides['models.list'] = () => [pack(['text-to-image', 'text-edit'])];
  const editor = new Editor({ client, tasks: [textEditTaskPanel] });
  await editor.newDocument(200, 100, 'Test');
  await editor.refreshPacks();
  await editor.mutate([
    { op: 'add', layer: { ...base, id: 'gen', name: 'Star', kind: 'raster', x: 20, y: 10, imageId: 'img-1', width: 64, height: 64, provenance: prov() } },
    { op: 'add', index: 0, layer: { ...base, id: 'pasted', name: 'photo.png', kind: 'raster', x: 0, y: 0, imageId: 'img-2', width: 10, height: 10, provenance: null } },
    { op: 'add', index: 0, layer: { ...base, id: 'edited', name: 'Edited', kind: 'raster', x: 0, y: 0, imageId: 'img-3', width: 10, height: 10, provenance: prov({ task: 'text-edit', pipeline: 'text-edit', params: { textEdit: { from: 'red', to: 'green', prompt: 'a large green star on a blue background', blocks: [0], startStep: 0 } } }) } },
    { op: 'add', index: 0, layer: { ...base, id: 'bound', name: 'Bound', kind: 'raster', x: 0, y: 0, imageId: 'img-4', width: 10, height: 10, provenance: prov({ pipeline: 'layerbind', regions: [{ id: 'r', box: [0, 0, 5, 5], prompt: 'a star' }] }) } },
  ]);
  let n = 0;
  client.overrides['jobs.start'] = () => ({ jobId: `j${++n}` });
  const task = editor.task<TextEditTask>('text-edit')!;
  const starts = () => client.calls.filter((c) => c.method === 'jobs.start').map((c) => c.input as { task: string; docId: string; spec: Record<string, unknown> });
  return { client, editor, task, starts };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

test('edit text: only a plain text-to-image layer opens the panel; the others say why and nothing opens', async () => {
  const { editor, task } = await setup();
  for (const [id, why] of [['pasted', /was not generated \(imported or painted\)/], ['bound', /made by layerbind with regions/]] as const) {
    assert.equal(task.open(id), false);
    assert.match(editor.state.toasts.at(-1)!.message, why);
    assert.equal(task.state.layerId, null);
    assert.ok(!task.canEdit(id).ok);
  }
  assert.equal(editor.state.tool, 'move');
  // an edited layer edits again: its words are the edited prompt's
  assert.ok(task.canEdit('edited').ok);
  const edited = textEditSource(editor.document, 'edited', editor.state.packs);
  assert.ok(edited.ok && edited.words.includes('green') && !edited.words.includes('red'));
  // Shift+T on the selected generated layer opens it with the prompt's words and the word-box tool
  editor.select(['gen']);
  editor.runCommand('layer.editText');
  assert.equal(task.state.layerId, 'gen');
  const src = task.source();
  assert.ok(src.ok);
  assert.deepEqual(src.ok && src.words, ['a', 'large', 'red', 'star', 'on', 'blue', 'background']);
  assert.equal(editor.state.tool, 'word-box');
  task.close();
  assert.equal(editor.state.tool, 'move', 'closing gives back the tool it replaced');
});

test('edit text: unknown words get the closest vocabulary words; a different word count and the same word are refused', async () => {
  assert.deepEqual(checkReplacement(null, 'green', vocabulary), { ok: false, problem: 'Pick the word of the prompt to replace' });
  const unknown = checkReplacement('red', 'gren', vocabulary);
  assert.ok(!unknown.ok);
  assert.deepEqual(!unknown.ok && unknown.unknown, [{ word: 'gren', suggestions: ['green', 'grey', 'red'] }]);
  assert.match(!unknown.ok ? unknown.problem : '', /"gren" \(did you mean "green", "grey", "red"\?\) is not in model pack vocabulary/);
  const prefix = checkReplacement('red', 'gr', vocabulary);
  assert.deepEqual(!prefix.ok && prefix.unknown?.[0].suggestions, ['green', 'grey'], 'a word begun: the words it begins');
  assert.match((checkReplacement('red', 'small green', vocabulary) as { problem: string }).problem, /"small green" is 2 words and "red" is one: a text edit keeps the prompt's token count/);
  assert.match((checkReplacement('red', 'RED', vocabulary) as { problem: string }).problem, /the word already there/);
  assert.deepEqual(checkReplacement('red', ' Green ', vocabulary), { ok: true });
  assert.deepEqual(checkReplacement('red', 'anything', null), { ok: true }, 'no vocabulary (sub-word tokenizer): the engine decides');

  const { editor, task, starts } = await setup();
  task.open('gen');
  task.pickWord('red');
  task.setReplacement('gren');
  await task.apply();
  assert.equal(starts().length, 0, 'nothing starts with an unknown word');
  assert.match(task.state.error!, /did you mean "green"/);
  task.useSuggestion('gren', 'green');
  assert.equal(task.state.to, 'green');
  assert.equal(task.state.error, null);
  assert.equal(editor.state.job, null);
});

test('edit text: Apply sends layer, from, to, the pack and the box in layer pixels; progress; a failure keeps the panel with its error; cancel', async () => {
  const { editor, client, task, starts } = await setup();
  task.open('gen');
  task.pickWord('red');
  task.setReplacement('green');
  // the box gesture on the canvas (the word-box tool): canvas px -> layer px (the layer sits at 20, 10)
  editor.pointer('onPointerDown', { canvas: { x: 30.4, y: 20 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  editor.pointer('onPointerMove', { canvas: { x: 50, y: 34.2 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  assert.equal(editor.state.toolPath, 'word-box.drawing');
  editor.pointer('onPointerUp', { canvas: { x: 50, y: 34.2 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  assert.deepEqual(editor.state.wordBox, { x: 30, y: 20, width: 20, height: 15 });
  await task.apply();
  const [start] = starts();
  assert.equal(start.task, 'text-edit');
  assert.deepEqual(start.spec, { layerId: 'gen', from: 'red', to: 'green', packId: 'lamina-tiny', box: [10, 10, 20, 15] });
  assert.equal(editor.state.job?.task, 'text-edit');
  assert.equal(editor.state.job?.n, 9, 'the generation\'s steps until the first step event');
  client.emit('job.event', { jobId: 'j1', state: 'step', i: 3, n: 9 });
  assert.equal(editor.state.job?.i, 3);
  await editor.cancelJob();
  assert.deepEqual(client.calls.at(-1), { method: 'jobs.cancel', input: { jobId: 'j1' } });
  client.emit('job.event', { jobId: 'j1', state: 'failed', code: 'bad_request', message: 'the edited prompt has 9 text tokens and the original 8' });
  assert.equal(editor.state.job, null);
  assert.match(task.state.error!, /9 text tokens/);
  assert.deepEqual([task.state.layerId, task.state.from, task.state.to], ['gen', 'red', 'green'], 'nothing lost: the panel keeps its fields');
  assert.deepEqual(editor.state.toasts.at(-1)!.code, 'bad_request');
  // a click without a drag clears the box: the whole layer may change
  editor.pointer('onPointerDown', { canvas: { x: 5, y: 5 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  editor.pointer('onPointerUp', { canvas: { x: 5, y: 5 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  assert.equal(editor.state.wordBox, null);
  await task.apply();
  assert.deepEqual(starts()[1].spec, { layerId: 'gen', from: 'red', to: 'green', packId: 'lamina-tiny' });
  client.emit('job.event', { jobId: 'j2', state: 'cancelled' });
  assert.equal(task.state.layerId, 'gen', 'cancelled: the panel stays');
  // a box off the layer is refused before anything starts
  editor.store.set({ wordBox: { x: 150, y: 80, width: 20, height: 10 } });
  await task.apply();
  assert.equal(starts().length, 2);
  assert.match(task.state.error!, /The box misses "Star"/);
  // Esc during a drag puts the old box back
  editor.store.set({ wordBox: { x: 30, y: 20, width: 5, height: 5 } });
  editor.pointer('onPointerDown', { canvas: { x: 40, y: 30 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  editor.pointer('onPointerMove', { canvas: { x: 60, y: 50 }, screen: { x: 0, y: 0 }, button: 0, shiftKey: false, altKey: false, modKey: false });
  editor.runCommand('cancel');
  assert.deepEqual(editor.state.wordBox, { x: 30, y: 20, width: 5, height: 5 });
});

test('edit text through the real engine: the layer\'s pixels change in place as one undo step; undo restores the pixels and the provenance', { timeout: 120_000 }, async () => {
  const t = tempEngine({ packDirs: [fileURLToPath(new URL('../../../main/engine/runtime/fixtures', import.meta.url))] });
  const editor = new Editor({ client: t.engine, tasks: [textEditTaskPanel] });
  try {
    await editor.connect();
    await editor.newDocument(64, 64, 'Edit');
    const gen = await t.engine.call('jobs.start', { task: 'generate', docId: editor.docId!, spec: { prompt: 'a large red star on a blue background', width: 64, height: 64, seed: 7, steps: 2, packId: 'fixture-tiny', device: 'cpu' } });
    await new Promise<void>((resolve) => { const off = t.engine.on('job.event', (e) => { if (e.jobId === gen.jobId && e.state === 'done') { off(); resolve(); } }); });
    editor.setSnapshot(await t.engine.call('document.get', { docId: editor.docId! }));
    const before = editor.document!.layers[0] as { id: string; imageId: string; provenance: { task: string } };
    const pixels = async (imageId: string) => (await t.engine.call('document.image', { docId: editor.docId!, imageId })).rgba;
    const original = await pixels(before.imageId);

    const task = editor.task<TextEditTask>('text-edit')!;
    assert.equal(task.open(before.id), true, JSON.stringify(editor.state.toasts));
    task.pickWord('red');
    task.setReplacement('green');
    editor.store.set({ wordBox: { x: 8, y: 8, width: 40, height: 40 } });
    await task.apply();
    assert.equal(task.state.error, null);
    for (let i = 0; i < 600 && task.state.layerId; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(task.state.layerId, null, `the panel closes when the edit lands: ${JSON.stringify(editor.state.toasts)}`);
    assert.equal(editor.state.wordBox, null);
    const after = editor.document!.layers[0] as typeof before & { provenance: { task: string; params: { textEdit: Record<string, unknown> } } };
    assert.equal(editor.document!.layers.length, 1, 'in place');
    assert.equal(after.id, before.id);
    assert.equal(editor.state.snapshot!.undoLabel, 'Edit Text');
    assert.equal(after.provenance.task, 'text-edit');
    assert.deepEqual(after.provenance.params.textEdit.box, [8, 8, 40, 40]);
    assert.equal(after.provenance.params.textEdit.to, 'green');
    const edited = await pixels(after.imageId);
    assert.notDeepEqual(edited, original, 'new pixels');
    assert.deepEqual(edited.subarray(0, 4 * 64 * 8), original.subarray(0, 4 * 64 * 8), 'the rows above the box are as they were');

    await editor.undo();
    await tick();
    const undone = editor.document!.layers[0] as typeof before;
    assert.equal(undone.imageId, before.imageId);
    assert.equal(undone.provenance.task, 'generate', 'one undo: the provenance as it was');
    assert.deepEqual(await pixels(undone.imageId), original, 'one undo: the pixels as they were');
  } finally {
    editor.dispose();
    await t.dispose();
  }
});
