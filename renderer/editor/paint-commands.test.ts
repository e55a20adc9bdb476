// The brush, eraser and eyedropper through the whole editor (tool tree -> commands ->
// document.mutate), on the memory client, which keeps the pixels it is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drag, key, paintSetup, pixel, ptr, settle } from './testing/paint-fixture.ts';
import type { RasterLayer } from '../../common/document/document-schema.ts';

test('brush (B): one stroke paints the layer in the brush colour and is one undo step', async () => {
  const { client, editor } = await paintSetup();
  assert.ok(editor.handleKey(key('KeyB'), false));
  assert.equal(editor.state.tool, 'brush');
  editor.store.set({ brush: { size: 10, hardness: 1, opacity: 1, color: [255, 0, 0] } });
  editor.pointer('onPointerDown', ptr(30, 50));
  assert.equal(editor.state.toolPath, 'brush.painting');
  editor.pointer('onPointerMove', ptr(50, 50));
  assert.equal(editor.state.preview?.kind, 'paint');
  editor.pointer('onPointerMove', ptr(70, 50));
  editor.pointer('onPointerUp', ptr(70, 50));
  await settle();
  assert.equal(editor.state.preview, null);
  assert.equal(editor.state.snapshot!.undoLabel, 'Brush Stroke');
  assert.deepEqual(pixel(client, editor, 'blue', 50, 50), [255, 0, 0, 255]);
  assert.deepEqual(pixel(client, editor, 'blue', 50, 30), [0, 0, 255, 255]);
  await editor.undo();
  assert.deepEqual(pixel(client, editor, 'blue', 50, 50), [0, 0, 255, 255], 'undo brings the old pixels back');
  await editor.redo();
  assert.deepEqual(pixel(client, editor, 'blue', 50, 50), [255, 0, 0, 255]);
});

test('brush: a stroke past the layer grows it (within the canvas); pen pressure thins it', async () => {
  const { client, editor } = await paintSetup();
  editor.setTool('brush');
  editor.store.set({ brush: { size: 10, hardness: 1, opacity: 1, color: [0, 255, 0] } });
  await drag(editor, [[5, 5], [10, 5]]);
  const l = editor.document!.layers[0] as RasterLayer;
  assert.deepEqual([l.x, l.y, l.x + l.width, l.y + l.height], [0, 0, 80, 80]);
  assert.deepEqual(pixel(client, editor, 'blue', 6, 5), [0, 255, 0, 255]);
  assert.deepEqual(pixel(client, editor, 'blue', 50, 50), [0, 0, 255, 255], 'the old pixels stay where they were');
  await drag(editor, [[40, 30], [60, 30]], { pressure: 0.2 });
  assert.ok(pixel(client, editor, 'blue', 50, 30)[1] > 240, `on the line: ${pixel(client, editor, 'blue', 50, 30)}`);
  assert.deepEqual(pixel(client, editor, 'blue', 50, 33), [0, 0, 255, 255], 'at 20% pressure the 10 px brush is 2 px wide');
});

test('eraser (E): takes alpha away at the brush opacity; undo restores', async () => {
  const { client, editor } = await paintSetup();
  assert.ok(editor.handleKey(key('KeyE'), false));
  editor.store.set({ brush: { size: 12, hardness: 1, opacity: 0.5, color: [0, 0, 0] } });
  await drag(editor, [[30, 40], [60, 40]]);
  assert.equal(editor.state.snapshot!.undoLabel, 'Eraser Stroke');
  assert.deepEqual(pixel(client, editor, 'blue', 45, 40), [0, 0, 255, 128]);
  const l = editor.document!.layers[0] as RasterLayer;
  assert.deepEqual([l.width, l.height], [60, 60], 'erasing never grows the layer');
  await editor.undo();
  assert.deepEqual(pixel(client, editor, 'blue', 45, 40), [0, 0, 255, 255]);
});

test('a marquee selection limits the brush; lock transparency keeps alpha', async () => {
  const { client, editor } = await paintSetup();
  editor.setTool('marquee');
  await drag(editor, [[0, 0], [50, 100]]);
  assert.ok(editor.state.pixelSelection);
  editor.setTool('brush');
  editor.store.set({ brush: { size: 10, hardness: 1, opacity: 1, color: [255, 255, 0] } });
  await drag(editor, [[30, 60], [70, 60]]);
  assert.deepEqual(pixel(client, editor, 'blue', 40, 60), [255, 255, 0, 255]);
  assert.deepEqual(pixel(client, editor, 'blue', 60, 60), [0, 0, 255, 255], 'outside the selection');
  editor.runCommand('select.none');
  await editor.updateLayer('blue', { lockAlpha: true });
  await drag(editor, [[10, 30], [40, 30]]);
  assert.deepEqual(pixel(client, editor, 'blue', 15, 30), [0, 0, 0, 0], 'transparent (outside the layer) stays so');
  assert.deepEqual(pixel(client, editor, 'blue', 30, 30), [255, 255, 0, 255]);
  assert.equal((editor.document!.layers[0] as RasterLayer).width, 60, 'a locked-alpha layer does not grow');
});

test('painting with no raster layer selected makes a new layer; locked and hidden layers refuse', async () => {
  const { client, editor } = await paintSetup();
  editor.select([]);
  editor.setTool('brush');
  editor.store.set({ brush: { size: 6, hardness: 1, opacity: 1, color: [1, 2, 3] } });
  await drag(editor, [[10, 10], [20, 10]]);
  const layers = editor.document!.layers;
  assert.equal(layers.length, 2);
  assert.equal(layers[0].name, 'Layer 1');
  assert.deepEqual(editor.selection, [layers[0].id]);
  assert.deepEqual(pixel(client, editor, layers[0].id, 15, 10), [1, 2, 3, 255]);
  await editor.updateLayer('blue', { locked: true });
  editor.select(['blue']);
  const v = editor.state.snapshot!.version;
  await drag(editor, [[50, 50], [60, 50]]);
  assert.equal(editor.state.snapshot!.version, v);
  assert.match(editor.toastLog.at(-1)!.message, /locked/);
});

test('eyedropper (I) picks the composite colour; Alt+click with the brush too', async () => {
  const { editor } = await paintSetup();
  await editor.updateLayer('blue', { opacity: 0.5 });
  assert.ok(editor.handleKey(key('KeyI'), false));
  editor.pointer('onPointerDown', ptr(50, 50));
  editor.pointer('onPointerUp', ptr(50, 50));
  await settle();
  assert.deepEqual(editor.state.brush.color, [0, 0, 255], 'a half-transparent layer over nothing shows its own colour');
  editor.store.set({ brush: { ...editor.state.brush, color: [9, 9, 9] } });
  editor.setTool('brush');
  editor.pointer('onPointerDown', ptr(50, 50, { altKey: true }));
  editor.pointer('onPointerUp', ptr(50, 50, { altKey: true }));
  await settle();
  assert.deepEqual(editor.state.brush.color, [0, 0, 255]);
  assert.equal(editor.state.snapshot!.undoLabel, 'Layer Properties', 'Alt+click painted nothing');
});
