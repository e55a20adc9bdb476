import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { MemoryClient } from './testing/memory-client.ts';
import type { PixelServices, TextRenderRequest } from './pixel-services.ts';
import type { ToolPointer } from './tools/state-node.ts';
import type { TextLayer } from '../../common/document/document-schema.ts';

const ptr = (x: number, y: number): ToolPointer => ({ canvas: { x, y }, screen: { x, y }, button: 0, shiftKey: false, altKey: false, modKey: false });
const key = (code: string) => ({ code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false });

/** A fake text rasterizer: a box 10 px per character of the longest line, fontSize per line, in the colour. */
function fakePixels(calls: TextRenderRequest[]): PixelServices {
  return {
    rasterizeMask: async () => null,
    resample: async () => { throw new Error('unused'); },
    mergeDown: async () => { throw new Error('unused'); },
    async rasterizeText(req) {
      calls.push(req);
      const lines = req.text.split('\n');
      const width = Math.max(1, ...lines.map((l) => l.length * 10));
      const height = Math.ceil(req.fontSize * lines.length);
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0; i < rgba.length; i += 4) rgba.set(req.color, i);
      return { width, height, rgba };
    },
  };
}

async function setup() {
  const client = new MemoryClient();
  const calls: TextRenderRequest[] = [];
  let n = 0;
  const editor = new Editor({ client, newId: (p) => `${p}${++n}`, pixels: fakePixels(calls) });
  editor.setScreen(1000, 800);
  await editor.newDocument(400, 300, 'Test');
  return { editor, calls };
}
const text = (e: Editor, id: string) => e.document!.layers.find((l) => l.id === id) as TextLayer;

test('Text tool (T): click places a text layer where typed text lands, rendered, one undo step', async () => {
  const { editor, calls } = await setup();
  assert.ok(editor.handleKey(key('KeyT'), false));
  assert.equal(editor.state.tool, 'text');
  await editor.text.setToolStyle({ fontSize: 20, color: [255, 0, 0, 255], align: 'center' });
  editor.pointer('onPointerDown', ptr(30.4, 40.6));
  editor.pointer('onPointerUp', ptr(30.4, 40.6));
  assert.deepEqual(editor.state.editingText, { id: null, at: { x: 30, y: 41 } });
  assert.equal(editor.document!.layers.length, 0, 'nothing is added until text is typed');
  assert.ok(await editor.text.finish('Hello\nWorld'));
  const [layer] = editor.document!.layers as TextLayer[];
  assert.equal(layer.kind, 'text');
  assert.deepEqual(
    { text: layer.text, name: layer.name, x: layer.x, y: layer.y, fontFamily: layer.fontFamily, fontSize: layer.fontSize, color: layer.color, align: layer.align, width: layer.width, height: layer.height },
    { text: 'Hello\nWorld', name: 'Hello', x: 30, y: 41, fontFamily: 'DejaVu Sans', fontSize: 20, color: [255, 0, 0, 255], align: 'center', width: 50, height: 40 },
  );
  assert.ok(layer.imageId, 'the layer carries its rendered pixels');
  assert.deepEqual(calls.at(-1), { text: 'Hello\nWorld', fontFamily: 'DejaVu Sans', fontSize: 20, color: [255, 0, 0, 255], align: 'center' });
  assert.deepEqual(editor.state.selection, [layer.id]);
  assert.equal(editor.state.editingText, null);
  assert.equal(editor.state.snapshot!.undoLabel, 'Add Text');
  await editor.undo();
  assert.equal(editor.document!.layers.length, 0);
  await editor.redo();
  assert.equal(text(editor, layer.id).text, 'Hello\nWorld');
});

test('empty text places nothing; Escape / tool switch drops the pending placement', async () => {
  const { editor } = await setup();
  editor.setTool('text');
  editor.pointer('onPointerDown', ptr(10, 10));
  assert.equal(await editor.text.finish('   '), false);
  assert.equal(editor.document!.layers.length, 0);
  editor.pointer('onPointerDown', ptr(10, 10));
  editor.setTool('move');
  assert.equal(editor.state.editingText, null);
});

test('editing: the Text tool on a text layer (or double-click) edits it; new words re-render; undo restores the old', async () => {
  const { editor } = await setup();
  editor.setTool('text');
  const id = (await editor.text.create({ x: 10, y: 20 }, 'Hi'))!;
  const before = text(editor, id);
  editor.pointer('onPointerDown', ptr(12, 25));
  assert.deepEqual(editor.state.editingText, { id });
  assert.ok(await editor.text.finish('Hello there'));
  const after = text(editor, id);
  assert.equal(after.text, 'Hello there');
  assert.equal(after.name, 'Hello there', 'a name that followed the text keeps following it');
  assert.equal(after.width, 110);
  assert.notEqual(after.imageId, before.imageId);
  assert.equal(editor.state.snapshot!.undoLabel, 'Edit Text');
  await editor.undo();
  assert.deepEqual(text(editor, id), before);
  // unchanged text is no new step; a locked layer is not edited
  assert.ok(editor.text.beginEdit(id));
  assert.equal(await editor.text.finish('Hi'), false);
  await editor.updateLayer(id, { locked: true });
  assert.equal(editor.text.beginEdit(id), false);
});

test('style change: font size, colour and alignment re-render the layer as one undo step each', async () => {
  const { editor, calls } = await setup();
  const id = (await editor.text.create({ x: 0, y: 0 }, 'Ab', { fontFamily: 'DejaVu Sans', fontSize: 10, color: [0, 0, 0, 255], align: 'left' }))!;
  const before = text(editor, id);
  assert.ok(await editor.text.setStyle(id, { fontSize: 30 }));
  assert.equal(text(editor, id).fontSize, 30);
  assert.equal(text(editor, id).height, 30);
  assert.equal(editor.state.snapshot!.undoLabel, 'Text Style');
  editor.select([id]);
  await editor.text.setToolStyle({ color: [0, 128, 255, 255], align: 'right' });
  const styled = text(editor, id);
  assert.deepEqual([styled.color, styled.align, styled.fontSize], [[0, 128, 255, 255], 'right', 30]);
  assert.deepEqual(calls.at(-1), { text: 'Ab', fontFamily: 'DejaVu Sans', fontSize: 30, color: [0, 128, 255, 255], align: 'right' });
  await editor.undo();
  assert.deepEqual([text(editor, id).color, text(editor, id).align], [[0, 0, 0, 255], 'left']);
  await editor.undo();
  assert.deepEqual(text(editor, id), before);
});

test('ops: a text layer takes a font, RGBA colour and alignment; a region refuses an RGBA colour', async () => {
  const { editor } = await setup();
  const id = (await editor.text.create({ x: 0, y: 0 }, 'x'))!;
  assert.ok(await editor.updateLayer(id, { align: 'center', fontFamily: 'DejaVu Sans', color: [1, 2, 3, 255] }));
  assert.equal(await editor.updateLayer(id, { color: '#ffffff' }), false);
});
