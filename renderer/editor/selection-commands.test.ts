// Marquee, lasso, select all / deselect / invert, and what a selection limits (delete,
// copy / paste) through the whole editor on the memory client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drag, key, paintSetup, pixel, ptr, settle } from './testing/paint-fixture.ts';
import { selectedAt, selectionBounds } from './pixels/selection-mask.ts';

test('marquee (M): drag selects a rectangle, Shift adds, Alt subtracts, a click deselects', async () => {
  const { editor } = await paintSetup();
  assert.ok(editor.handleKey(key('KeyM'), false));
  assert.equal(editor.state.tool, 'marquee');
  editor.pointer('onPointerDown', ptr(10, 10));
  editor.pointer('onPointerMove', ptr(30, 20));
  assert.deepEqual(editor.state.preview, { kind: 'select', shape: { type: 'rect', rect: { x: 10, y: 10, width: 20, height: 10 } } });
  editor.pointer('onPointerUp', ptr(30, 20));
  assert.deepEqual(selectionBounds(editor.state.pixelSelection!), { x: 10, y: 10, width: 20, height: 10 });
  await drag(editor, [[50, 50], [60, 60]], { shiftKey: true });
  assert.deepEqual(selectionBounds(editor.state.pixelSelection!), { x: 10, y: 10, width: 50, height: 50 });
  await drag(editor, [[0, 0], [20, 100]], { altKey: true });
  assert.deepEqual(selectionBounds(editor.state.pixelSelection!), { x: 20, y: 10, width: 40, height: 50 });
  assert.equal(editor.state.snapshot!.canUndo, true);
  const v = editor.state.snapshot!.version;
  editor.pointer('onPointerDown', ptr(5, 5));
  editor.pointer('onPointerUp', ptr(5, 5));
  assert.equal(editor.state.pixelSelection, null);
  assert.equal(editor.state.snapshot!.version, v, 'selections do not edit the document');
});

test('ellipse marquee (Shift+M) and lasso (L)', async () => {
  const { editor } = await paintSetup();
  assert.ok(editor.handleKey(key('KeyM', { shiftKey: true }), false));
  assert.equal(editor.state.marqueeShape, 'ellipse');
  await drag(editor, [[0, 0], [40, 40]]);
  const e = editor.state.pixelSelection!;
  assert.equal(selectedAt(e, 20, 20), 1);
  assert.equal(selectedAt(e, 1, 1), 0);
  assert.ok(editor.handleKey(key('KeyL'), false));
  await drag(editor, [[10, 10], [90, 10], [10, 90]]);
  const l = editor.state.pixelSelection!;
  assert.equal(editor.state.preview, null);
  assert.equal(selectedAt(l, 20, 20), 1);
  assert.equal(selectedAt(l, 80, 80), 0);
});

test('select all, invert (Ctrl+Shift+I), deselect (Ctrl+D keeps the layer selection)', async () => {
  const { editor } = await paintSetup();
  assert.ok(editor.handleKey(key('KeyA', { ctrlKey: true }), false));
  assert.equal(editor.state.pixelSelection!.data.every((v) => v === 255), true);
  assert.ok(editor.handleKey(key('KeyI', { ctrlKey: true, shiftKey: true }), false));
  assert.equal(editor.state.pixelSelection, null, 'inverting everything leaves nothing');
  editor.setTool('marquee');
  await drag(editor, [[0, 0], [50, 100]]);
  editor.runCommand('select.invert');
  assert.deepEqual(selectionBounds(editor.state.pixelSelection!), { x: 50, y: 0, width: 50, height: 100 });
  assert.ok(editor.handleKey(key('KeyD', { ctrlKey: true }), false));
  assert.equal(editor.state.pixelSelection, null);
  assert.deepEqual(editor.selection, ['blue'], 'the first Ctrl+D drops the pixel selection only');
  editor.runCommand('select.none');
  assert.deepEqual(editor.selection, []);
});

test('Delete with a selection clears the selected pixels (one undo step), not the layer', async () => {
  const { client, editor } = await paintSetup();
  editor.setTool('marquee');
  await drag(editor, [[30, 30], [50, 50]]);
  assert.ok(editor.handleKey(key('Delete'), false));
  await settle();
  assert.equal(editor.document!.layers.length, 1);
  assert.equal(editor.state.snapshot!.undoLabel, 'Delete Pixels');
  assert.deepEqual(pixel(client, editor, 'blue', 40, 40), [0, 0, 255, 0]);
  assert.deepEqual(pixel(client, editor, 'blue', 55, 40), [0, 0, 255, 255]);
  await editor.undo();
  assert.deepEqual(pixel(client, editor, 'blue', 40, 40), [0, 0, 255, 255]);
});

test('copy / paste the selected pixels as a new layer where they were', async () => {
  const { client, editor } = await paintSetup();
  editor.setTool('marquee');
  await drag(editor, [[10, 10], [40, 40]]);
  assert.ok(editor.handleKey(key('KeyC', { ctrlKey: true }), false));
  await settle();
  assert.ok(editor.handleKey(key('KeyV', { ctrlKey: true }), false));
  await settle();
  const pasted = editor.document!.layers[0];
  assert.equal(pasted.name, 'Pasted 1');
  assert.deepEqual([pasted.x, pasted.y, pasted.kind === 'raster' && pasted.width], [10, 10, 30]);
  assert.deepEqual(pixel(client, editor, pasted.id, 30, 30), [0, 0, 255, 255]);
  assert.deepEqual(pixel(client, editor, pasted.id, 15, 15), [0, 0, 0, 0], 'outside the layer: nothing was copied');
  assert.deepEqual(editor.selection, [pasted.id]);
});
