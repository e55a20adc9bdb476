import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { MemoryClient } from './testing/memory-client.ts';
import type { ToolPointer } from './tools/state-node.ts';
import type { Layer } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
const raster = (id: string, x: number, y: number, w = 100, h = 100): Layer => ({ ...base, id, name: id, kind: 'raster', imageId: id, x, y, width: w, height: h });
const ptr = (x: number, y: number, mods: Partial<ToolPointer> = {}): ToolPointer => ({
  canvas: { x, y }, screen: { x, y }, button: 0, shiftKey: false, altKey: false, modKey: false, ...mods,
});
const settle = () => new Promise((r) => setTimeout(r, 0));
const key = (code: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean }> = {}) => ({ code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

async function setup() {
  const client = new MemoryClient();
  let n = 0;
  const editor = new Editor({ client, newId: (p) => `${p}${++n}` });
  editor.setScreen(1000, 800);
  await editor.newDocument(400, 300, 'Test');
  await editor.mutate([
    { op: 'add', layer: raster('back', 0, 0, 400, 300), index: 0 },
    { op: 'add', layer: raster('front', 50, 50), index: 0 },
  ]);
  return { client, editor };
}
const order = (e: Editor) => e.document!.layers.map((l) => l.id);

test('new document is fitted and empty', async () => {
  const client = new MemoryClient();
  const editor = new Editor({ client });
  editor.setScreen(1000, 800);
  await editor.newDocument(2000, 1000);
  assert.equal(editor.document!.width, 2000);
  assert.ok(editor.state.viewport.zoom < 0.5);
});

test('move tool: click selects the top visible layer; drag commits one move with snapping', async () => {
  const { editor } = await setup();
  editor.setViewport({ zoom: 1, x: 0, y: 0 });
  editor.pointer('onPointerDown', ptr(60, 60));
  assert.deepEqual(editor.state.selection, ['front']);
  assert.equal(editor.state.toolPath, 'move.dragging');
  editor.pointer('onPointerMove', ptr(70, 75));
  assert.deepEqual(editor.state.preview && editor.state.preview.kind === 'move' && [editor.state.preview.dx, editor.state.preview.dy], [10, 15]);
  // near the canvas centre (x 200): left edge 50+147=197 snaps to 200
  editor.pointer('onPointerMove', ptr(60 + 147, 60));
  const p = editor.state.preview;
  assert.ok(p && p.kind === 'move');
  assert.equal(p.dx, 150);
  assert.deepEqual(p.guidesX, [200]);
  editor.pointer('onPointerUp', ptr(60 + 147, 60));
  await settle();
  const front = editor.document!.layers[0];
  assert.equal(front.x, 200);
  assert.equal(editor.state.preview, null);
  assert.equal(editor.state.snapshot!.undoLabel, 'Move');
  editor.pointer('onPointerDown', ptr(390, 290));
  assert.deepEqual(editor.state.selection, ['back']);
  editor.pointer('onPointerUp', ptr(390, 290));
  editor.pointer('onPointerDown', ptr(-50, -50));
  assert.deepEqual(editor.state.selection, []);
});

test('locked layers select but do not move', async () => {
  const { editor } = await setup();
  await editor.updateLayer('front', { locked: true });
  editor.pointer('onPointerDown', ptr(60, 60));
  assert.deepEqual(editor.state.selection, ['front']);
  assert.equal(editor.state.toolPath, 'move.idle');
});

test('region tool (R): drag draws a region layer in front of the selection with in-place prompt', async () => {
  const { editor } = await setup();
  assert.ok(editor.handleKey(key('KeyR'), false));
  assert.equal(editor.state.tool, 'region');
  editor.pointer('onPointerDown', ptr(10, 10));
  editor.pointer('onPointerMove', ptr(110, 60));
  assert.deepEqual(editor.state.preview, { kind: 'box', rect: { x: 10, y: 10, width: 100, height: 50 } });
  editor.pointer('onPointerUp', ptr(110, 60));
  await settle();
  const region = editor.document!.layers[0];
  assert.equal(region.kind, 'region');
  assert.equal(region.kind === 'region' && region.shape.type, 'box');
  assert.deepEqual([region.x, region.y], [10, 10]);
  assert.deepEqual(editor.state.selection, [region.id]);
  assert.equal(editor.state.editingRegionId, region.id);
  await editor.updateLayer(region.id, { prompt: 'a red circle' });
  assert.equal((editor.document!.layers[0] as { prompt: string }).prompt, 'a red circle');
  // a tiny drag is a click, not a region
  editor.pointer('onPointerDown', ptr(300, 200));
  editor.pointer('onPointerUp', ptr(301, 201));
  await settle();
  assert.equal(editor.document!.layers.length, 3);
  assert.deepEqual(editor.state.selection, ['back']);
});

test('shortcuts: arrange, delete, deselect, undo/redo go through the engine', async () => {
  const { editor, client } = await setup();
  editor.select(['front']);
  editor.handleKey(key('BracketLeft', { ctrlKey: true }), false);
  await settle();
  assert.deepEqual(order(editor), ['back', 'front']);
  editor.handleKey(key('BracketRight', { ctrlKey: true, shiftKey: true }), false);
  await settle();
  assert.deepEqual(order(editor), ['front', 'back']);
  editor.handleKey(key('KeyZ', { ctrlKey: true }), false);
  await settle();
  assert.deepEqual(order(editor), ['back', 'front']);
  editor.handleKey(key('KeyZ', { ctrlKey: true, shiftKey: true }), false);
  await settle();
  assert.deepEqual(order(editor), ['front', 'back']);
  editor.handleKey(key('Delete'), false);
  await settle();
  assert.deepEqual(order(editor), ['back']);
  editor.select(['back']);
  editor.handleKey(key('KeyD', { ctrlKey: true }), false);
  assert.deepEqual(editor.state.selection, []);
  assert.ok(client.calls.some((c) => c.method === 'document.undo'));
});

test('layers panel drop becomes one move op', async () => {
  const { editor, client } = await setup();
  assert.ok(await editor.dropLayer('front', 'back', 'after'));
  assert.deepEqual(order(editor), ['back', 'front']);
  const last = client.calls.at(-1)!;
  assert.equal(last.method, 'document.mutate');
  assert.deepEqual((last.input as { ops: unknown[] }).ops, [{ op: 'move', id: 'front', parentId: null, index: 1 }]);
  assert.equal(await editor.dropLayer('front', 'back', 'after'), false);
});

test('group and ungroup', async () => {
  const { editor } = await setup();
  editor.select(['front', 'back']);
  await editor.groupSelection();
  assert.equal(editor.document!.layers.length, 1);
  assert.equal(editor.document!.layers[0].kind, 'group');
  await editor.ungroupSelection();
  assert.deepEqual(order(editor), ['front', 'back']);
});

test('a failing call shows the engine message as a toast', async () => {
  const { editor } = await setup();
  assert.equal(await editor.updateLayer('nope', { name: 'x' }), false);
  assert.match(editor.state.toasts.at(-1)!.message, /no layer with id "nope"/);
});

test('unsaved-changes guard asks before replacing a dirty document', async () => {
  const client = new MemoryClient();
  const asked: string[] = [];
  const editor = new Editor({ client, confirm: (m) => (asked.push(m), false) });
  await editor.newDocument(10, 10, 'A');
  assert.equal(editor.confirmDiscard(), true);
  await editor.mutate([{ op: 'rename-document', name: 'B' }]);
  assert.equal(editor.confirmDiscard(), false);
  assert.match(asked[0], /unsaved changes/);
  await editor.save('/tmp/b.ora');
  assert.equal(editor.state.snapshot!.dirty, false);
});

test('stale snapshots are ignored; document.changed refreshes', async () => {
  const { editor, client } = await setup();
  const v = editor.state.snapshot!.version;
  editor.setSnapshot({ ...editor.state.snapshot!, version: v - 1, document: { ...editor.document!, name: 'stale' } });
  assert.notEqual(editor.document!.name, 'stale');
  const docId = editor.docId!;
  await client.call('document.mutate', { docId, ops: [{ op: 'rename-document', name: 'Renamed elsewhere' }] });
  client.emit('document.changed', { docId, version: v + 1 });
  await settle();
  await settle();
  assert.equal(editor.document!.name, 'Renamed elsewhere');
});

function withPixels(editor: Editor, client?: MemoryClient) {
  const seen: string[] = [];
  let size = { width: 10, height: 10 };
  let n = 0;
  const raw = (width: number, height: number) => ({ width, height, rgba: new Uint8Array(width * height * 4) });
  if (client) client.overrides['document.putImage'] = () => ({ imageId: `px${++n}`, ...size });
  editor.pixels = {
    rasterizeMask: async (req) => ((size = { width: req.bounds.width, height: req.bounds.height }), seen.push(`mask ${JSON.stringify(req.bounds)} base=${req.base?.imageId ?? '-'} erase=${req.stroke.erase}`), raw(req.bounds.width, req.bounds.height)),
    resample: async (id, w, h) => ((size = { width: w, height: h }), seen.push(`resample ${id} ${w}x${h}`), raw(w, h)),
    mergeDown: async (u, l) => (seen.push(`merge ${u.imageId} onto ${l.imageId}`), { image: raw(400, 300), rect: { x: 0, y: 0, width: 400, height: 300 } }),
  };
  return seen;
}
const until = async (pred: () => boolean) => {
  for (let i = 0; i < 50 && !pred(); i++) await new Promise((r) => setTimeout(r, 2));
};

test('mask brush (B): a stroke makes a mask region; the next stroke extends the selected one', async () => {
  const { editor, client } = await setup();
  const seen = withPixels(editor, client);
  editor.select([]);
  editor.setTool('mask');
  editor.store.set({ brushSize: 20 });
  editor.pointer('onPointerDown', ptr(50, 50));
  editor.pointer('onPointerMove', ptr(60, 50));
  editor.pointer('onPointerMove', ptr(90, 60));
  assert.equal(editor.state.preview?.kind, 'stroke');
  editor.pointer('onPointerUp', ptr(90, 60));
  await until(() => editor.document!.layers[0].kind === 'region');
  const m = editor.document!.layers[0];
  assert.ok(m.kind === 'region' && m.shape.type === 'mask');
  assert.deepEqual([m.x, m.y], [40, 40]);
  assert.equal(seen[0], 'mask {"x":40,"y":40,"width":60,"height":30} base=- erase=false');
  assert.deepEqual(editor.state.selection, [m.id]);
  editor.pointer('onPointerDown', ptr(10, 10));
  editor.pointer('onPointerUp', ptr(10, 10));
  await until(() => seen.length === 2 && editor.document!.layers[0].x === 0);
  assert.match(seen[1], /^mask \{"x":0,"y":0,"width":100,"height":70\} base=px1 erase=false$/);
  assert.equal(editor.document!.layers.filter((l) => l.kind === 'region').length, 1, 'extended, not added');
});

test('transform handles: scaling a raster resamples into a new image in one undo step', async () => {
  const { editor } = await setup();
  const seen = withPixels(editor);
  await editor.commitTransform('front', { x: 40, y: 45.4, width: 150.2, height: 149.6 });
  const f = editor.document!.layers.find((l) => l.id === 'front')!;
  assert.equal(seen[0], 'resample front 150x150');
  assert.ok(f.kind === 'raster' && f.imageId !== 'front' && f.x === 40 && f.y === 45);
  assert.equal(editor.state.snapshot!.undoLabel, 'Transform');
  await editor.undo();
  assert.equal((editor.document!.layers.find((l) => l.id === 'front') as { imageId: string }).imageId, 'front');
});

test('resize is a state of the move tool: drag the corner handle of the selected layer, keep the ratio, one Transform step', async () => {
  const { editor } = await setup();
  const seen = withPixels(editor);
  editor.setViewport({ zoom: 1, x: 0, y: 0 });
  editor.select(['front']);
  assert.deepEqual(editor.transformTarget(), { id: 'front', rect: { x: 50, y: 50, width: 100, height: 100 } });
  editor.pointer('onPointerDown', ptr(151, 149)); // on the se handle (within its radius)
  assert.equal(editor.state.toolPath, 'move.resizing');
  editor.pointer('onPointerMove', ptr(210, 190, { modKey: true }));
  assert.deepEqual(editor.state.preview, { kind: 'transform', id: 'front', rect: { x: 50, y: 50, width: 160, height: 160 }, guidesX: [], guidesY: [] }, 'a corner keeps the aspect ratio');
  editor.pointer('onPointerUp', ptr(210, 190, { modKey: true }));
  assert.equal(editor.state.toolPath, 'move.idle');
  await until(() => editor.state.snapshot!.undoLabel === 'Transform');
  assert.equal(seen[0], 'resample front 160x160');
  const f = editor.document!.layers.find((l) => l.id === 'front')!;
  assert.ok(f.kind === 'raster' && f.width === 160 && f.x === 50);
  // Escape mid-gesture backs out: nothing committed
  editor.pointer('onPointerDown', ptr(210, 130)); // e handle
  assert.equal(editor.state.toolPath, 'move.resizing');
  editor.pointer('onPointerMove', ptr(260, 130, { modKey: true }));
  editor.runCommand('cancel');
  assert.equal(editor.state.preview, null);
  assert.equal(editor.state.toolPath, 'move.idle');
});

test('pan is a state of the hand tool: the middle button or Space+drag pans from any tool and hands back', async () => {
  const { client, editor } = await setup();
  editor.setViewport({ zoom: 1, x: 0, y: 0 });
  editor.setTool('region');
  const mutations = client.calls.filter((c) => c.method === 'document.mutate').length;
  editor.pointer('onPointerDown', ptr(100, 100, { button: 1 }));
  assert.equal(editor.state.toolPath, 'hand.panning');
  editor.pointer('onPointerMove', ptr(130, 80, { button: 1 }));
  editor.pointer('onPointerMove', ptr(140, 90, { button: 1 }));
  assert.deepEqual([editor.state.viewport.x, editor.state.viewport.y], [40, -10]);
  editor.pointer('onPointerUp', ptr(140, 90, { button: 1 }));
  assert.equal(editor.state.toolPath, 'region.idle', 'back to the tool it interrupted');
  editor.setSpacePan(true);
  editor.pointer('onPointerDown', ptr(0, 0));
  editor.pointer('onPointerMove', ptr(-20, 5));
  editor.pointer('onPointerUp', ptr(-20, 5));
  editor.setSpacePan(false);
  assert.deepEqual([editor.state.viewport.x, editor.state.viewport.y], [20, -5]);
  assert.equal(editor.state.toolPath, 'region.idle');
  assert.equal(editor.document!.layers.filter((l) => l.kind === 'region').length, 0, 'panning drew no region');
  assert.equal(client.calls.filter((c) => c.method === 'document.mutate').length, mutations, 'panning edits nothing');
  editor.setTool('hand');
  editor.pointer('onPointerDown', ptr(0, 0));
  editor.pointer('onPointerMove', ptr(5, 5));
  editor.pointer('onPointerUp', ptr(5, 5));
  assert.equal(editor.state.toolPath, 'hand.idle');
});

test('moving a group moves its unlocked leaves in one step', async () => {
  const { editor } = await setup();
  editor.select(['front', 'back']);
  await editor.groupSelection();
  const gid = editor.state.selection[0];
  editor.commitMove([gid], 5, -3);
  await until(() => editor.document!.layers[0].kind === 'group' && (editor.document!.layers[0] as { children: Layer[] }).children[0].x === 55);
  const g = editor.document!.layers[0];
  assert.ok(g.kind === 'group');
  assert.deepEqual(g.children.map((c) => [c.x, c.y]), [[55, 47], [5, -3]]);
  assert.deepEqual([g.x, g.y], [0, 0]);
});

test('merge down composites onto the layer below and removes the upper one', async () => {
  const { editor } = await setup();
  const seen = withPixels(editor);
  editor.select(['front']);
  await editor.mergeDown();
  assert.deepEqual(seen, ['merge front onto back']);
  assert.deepEqual(order(editor), ['back']);
  assert.equal(editor.state.snapshot!.undoLabel, 'Merge Down');
});

test('arrow keys nudge the selection; a burst of presses is one undo step', async () => {
  const { editor } = await setup();
  editor.select(['front']);
  const arrow = (code: string, shiftKey = false) => editor.handleKey({ code, key: '', ctrlKey: false, metaKey: false, shiftKey, altKey: false }, false);
  assert.ok(arrow('ArrowRight'));
  await settle();
  arrow('ArrowRight');
  await settle();
  arrow('ArrowDown', true);
  await settle();
  const f = editor.document!.layers.find((l) => l.id === 'front')!;
  assert.deepEqual([f.x, f.y], [52, 60]);
  await editor.undo();
  const back = editor.document!.layers.find((l) => l.id === 'front')!;
  assert.deepEqual([back.x, back.y], [50, 50], 'one undo step for the burst');
  assert.equal(editor.handleKey({ code: 'ArrowLeft', key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false }, true), false, 'arrows in a text field stay there');
});
