import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from '../editor.ts';
import { MemoryClient } from '../testing/memory-client.ts';
import type { TaskPanel, TaskPanelContext, TaskPanelDefinition } from './task-panel.ts';
import type { Layer } from '../../../common/document/document-schema.ts';

const raster = (id: string): Layer => ({ id, name: id, kind: 'raster', imageId: id, x: 0, y: 0, width: 10, height: 10, visible: true, opacity: 1, blendMode: 'normal', locked: false, provenance: null });

/** A task panel that is not generate: the tracker must know nothing about generate to run it. */
class DecomposePanel implements TaskPanel {
  readonly id = 'decompose' as const;
  runs = 0;
  constructor(private readonly ctx: TaskPanelContext) {}
  async run(): Promise<void> {
    this.runs++;
    const docId = this.ctx.core.docId!;
    await this.ctx.jobs.start({ task: 'decompose', docId, spec: { layerId: 'photo' } as never }, { noun: 'Decomposition', steps: 4 });
  }
}
const decompose: TaskPanelDefinition = { id: 'decompose', create: (ctx) => new DecomposePanel(ctx) };

async function setup(tasks: TaskPanelDefinition[] = [decompose]) {
  const client = new MemoryClient();
  const editor = new Editor({ client, tasks, previewIntervalMs: 0 });
  await editor.newDocument(100, 100, 'T');
  await editor.mutate([{ op: 'add', layer: raster('photo'), index: 0 }]);
  let n = 0;
  client.overrides['jobs.start'] = () => ({ jobId: `j${++n}` });
  return { client, editor, panel: editor.task<DecomposePanel>('decompose')! };
}

test('job tracker: any registered task panel gets progress, previews, its own toasts and its landed layers selected', async () => {
  const { client, editor, panel } = await setup();
  await panel.run();
  const start = client.calls.find((c) => c.method === 'jobs.start')!.input as { task: string };
  assert.equal(start.task, 'decompose');
  assert.deepEqual(editor.state.job && [editor.state.job.task, editor.state.job.jobId, editor.state.job.n], ['decompose', 'j1', 4]);
  client.emit('job.event', { jobId: 'j1', state: 'step', i: 2, n: 4, preview: 'AAAA' });
  assert.deepEqual([editor.state.job!.i, editor.state.job!.preview], [2, 'data:image/png;base64,AAAA']);
  client.emit('job.event', { jobId: 'other', state: 'failed', message: 'not ours' });
  assert.ok(editor.state.job, 'events of other jobs are ignored');
  // the engine lands the result as one undo step, then says done
  const docId = editor.docId!;
  const landed = await client.call('document.mutate', { docId, ops: [{ op: 'add', layer: raster('part-a'), index: 0 }, { op: 'add', layer: raster('part-b'), index: 0 }], history: 'record', label: 'Decompose' });
  client.emit('job.event', { jobId: 'j1', state: 'done' });
  assert.equal(editor.state.job, null);
  assert.equal(editor.state.toasts.at(-1)!.message, 'Decomposition finished');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(editor.state.snapshot!.version, landed.version);
  assert.deepEqual([...editor.state.selection].sort(), ['part-a', 'part-b']);
});

test('job tracker: one job at a time; failure and cancel toasts name the task', async () => {
  const { client, editor, panel } = await setup();
  await panel.run();
  await panel.run();
  assert.equal(client.calls.filter((c) => c.method === 'jobs.start').length, 1, 'a second start while one runs is refused');
  client.emit('job.event', { jobId: 'j1', state: 'failed' });
  assert.deepEqual([editor.state.toasts.at(-1)!.kind, editor.state.toasts.at(-1)!.message], ['error', 'Decomposition failed']);
  await panel.run();
  await editor.cancelJob();
  assert.deepEqual(client.calls.at(-1), { method: 'jobs.cancel', input: { jobId: 'j2' } });
  client.emit('job.event', { jobId: 'j2', state: 'cancelled' });
  assert.equal(editor.state.toasts.at(-1)!.message, 'Decomposition cancelled');
  assert.equal(editor.state.job, null);
});

test('job tracker: events that outrun the jobs.start reply are replayed; a refused start clears the job and toasts', async () => {
  const { client, editor, panel } = await setup();
  client.overrides['jobs.start'] = () => {
    client.emit('job.event', { jobId: 'early', state: 'step', i: 1, n: 4 });
    return { jobId: 'early' };
  };
  await panel.run();
  assert.deepEqual([editor.state.job!.state, editor.state.job!.i], ['step', 1]);
  client.emit('job.event', { jobId: 'early', state: 'cancelled' });
  client.overrides['jobs.start'] = () => {
    throw Object.assign(new Error('pack "x" has no decompose pipeline'), { code: 'no_pipeline' });
  };
  await panel.run();
  assert.equal(editor.state.job, null);
  assert.deepEqual([editor.state.toasts.at(-1)!.code, editor.state.toasts.at(-1)!.message], ['no_pipeline', 'pack "x" has no decompose pipeline']);
});

test('task panels: registered by task id once; a panel with a command runs from its shortcut; unregistered tasks are absent', async () => {
  const runs: string[] = [];
  const generateLike: TaskPanelDefinition = { id: 'generate', create: () => ({ id: 'generate', command: 'gen.generate', run: async () => void runs.push('generate') }) };
  const { editor } = await setup([decompose, generateLike]);
  assert.deepEqual(editor.tasks.list().map((p) => p.id), ['decompose', 'generate']);
  editor.runCommand('gen.generate');
  assert.deepEqual(runs, ['generate']);
  assert.equal(editor.task('place'), undefined);
  assert.throws(() => editor.tasks.register(decompose), /registered twice/);
  const wrong: TaskPanelDefinition = { id: 'place', create: (ctx) => new DecomposePanel(ctx) };
  assert.throws(() => editor.tasks.register(wrong), /created a controller for "decompose"/);
  const bare = new Editor({ client: new MemoryClient() });
  bare.runCommand('gen.generate'); // no panel registered: nothing to run, no throw
  assert.equal(bare.state.job, null);
});

test('Esc cancels a running job, also from inside a text field; with no job it is the tools\' cancel', async () => {
  const { client, editor, panel } = await setup();
  const esc = { code: 'Escape', key: 'Escape', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false };
  editor.handleKey(esc, false); // no job: the tools' cancel
  assert.equal(client.calls.some((c) => c.method === 'jobs.cancel'), false);
  await panel.run();
  client.emit('job.event', { jobId: 'j1', state: 'step', i: 1, n: 4 });
  assert.equal(editor.handleKey(esc, true), true, 'Esc in the prompt box is taken by the running job');
  await new Promise((r) => setTimeout(r, 0));
  const cancel = client.calls.find((c) => c.method === 'jobs.cancel');
  assert.deepEqual(cancel?.input, { jobId: 'j1' });
});
