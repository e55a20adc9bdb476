// Layer masks, duplicate, merge visible, clipping and lock transparency through the editor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RasterLayer } from '../../common/document/document-schema.ts';
import { drag, key, paintSetup, pixel, ptr, settle } from './testing/paint-fixture.ts';

const layer = (e: { document: { layers: unknown[] } | null }, i = 0) => e.document!.layers[i] as RasterLayer;

test('Ctrl+J duplicates the layer in front of itself (fresh id, same pixels); undo removes the copy', async () => {
  const { editor } = await paintSetup();
  assert.ok(editor.handleKey(key('KeyJ', { ctrlKey: true }), false));
  await settle();
  const [copy, orig] = editor.document!.layers as RasterLayer[];
  assert.equal(copy.name, 'blue copy');
  assert.notEqual(copy.id, orig.id);
  assert.equal(copy.imageId, orig.imageId);
  assert.deepEqual(editor.selection, [copy.id]);
  assert.equal(editor.state.snapshot!.undoLabel, 'Duplicate Layer');
  await editor.undo();
  assert.equal(editor.document!.layers.length, 1);
});

test('layer mask: add from the selection, paint on it, disable, apply', async () => {
  const { client, editor } = await paintSetup();
  editor.pixelSelection.apply({ type: 'rect', rect: { x: 20, y: 20, width: 30, height: 60 } }, 'replace');
  assert.ok(await editor.masks.add());
  const m = layer(editor).mask!;
  assert.deepEqual([m.x, m.y, m.width, m.height, m.enabled, m.defaultColor], [20, 20, 60, 60, true, 0]);
  assert.equal(editor.state.editMask, true, 'a new mask is the paint target');
  assert.equal(editor.state.pixelSelection, null, 'the selection became the mask');
  const grey = (x: number, y: number) => client.images.get(layer(editor).mask!.imageId)!.rgba[((y - 20) * 60 + (x - 20)) * 4];
  assert.equal(grey(30, 30), 255);
  assert.equal(grey(60, 30), 0);
  // the brush paints the mask white (reveals), the eraser black (hides), the pixels stay
  editor.setTool('brush');
  editor.store.set({ brush: { size: 10, hardness: 1, opacity: 1, color: [255, 255, 255] } });
  editor.pointer('onPointerDown', ptr(65, 50));
  editor.pointer('onPointerUp', ptr(65, 50));
  await settle();
  assert.equal(editor.state.snapshot!.undoLabel, 'Paint Layer Mask');
  assert.equal(grey(65, 50), 255);
  assert.deepEqual(pixel(client, editor, 'blue', 65, 50), [0, 0, 255, 255], 'the layer pixels are untouched');
  editor.setTool('eraser');
  editor.pointer('onPointerDown', ptr(30, 70));
  editor.pointer('onPointerUp', ptr(30, 70));
  await settle();
  assert.equal(grey(30, 70), 0);
  assert.ok(await editor.masks.setEnabled(false));
  assert.equal(layer(editor).mask!.enabled, false);
  assert.ok(await editor.masks.setEnabled(true));
  assert.ok(await editor.masks.apply());
  assert.equal(layer(editor).mask, null);
  assert.equal(pixel(client, editor, 'blue', 30, 30)[3], 255);
  assert.equal(pixel(client, editor, 'blue', 60, 30)[3], 0, 'hidden by the mask: now transparent');
  assert.equal(pixel(client, editor, 'blue', 65, 50)[3], 255, 'revealed by the brush');
  assert.equal(pixel(client, editor, 'blue', 30, 70)[3], 0, 'hidden by the eraser');
  await editor.undo();
  assert.ok(layer(editor).mask, 'undo brings the mask back');
});

test('merge visible composites masks and clipping; clip and lock transparency toggle', async () => {
  const { client, editor } = await paintSetup();
  // a red 20x20 layer at (0, 0) clipped to blue (20..80): only its overlap (20..20) shows
  const rgba = new Uint8Array(30 * 30 * 4);
  for (let i = 0; i < rgba.length; i += 4) rgba.set([255, 0, 0, 255], i);
  client.images.set('red', { width: 30, height: 30, rgba });
  const red: RasterLayer = { id: 'red', name: 'red', kind: 'raster', imageId: 'red', x: 0, y: 0, width: 30, height: 30, visible: true, opacity: 1, blendMode: 'normal', locked: false, provenance: null };
  await editor.mutate([{ op: 'add', layer: red, index: 0 }]);
  editor.select(['red']);
  await editor.stack.toggle('clip');
  assert.equal(layer(editor).clip, true);
  assert.equal(editor.state.snapshot!.undoLabel, 'Create Clipping Mask');
  await editor.stack.toggle('lockAlpha');
  assert.equal(layer(editor).lockAlpha, true);
  assert.ok(await editor.stack.mergeVisible());
  const merged = layer(editor);
  assert.equal(editor.document!.layers.length, 1);
  assert.equal(merged.name, 'Merged');
  assert.deepEqual([merged.x, merged.y, merged.width, merged.height], [0, 0, 80, 80]);
  assert.deepEqual(pixel(client, editor, merged.id, 25, 25), [255, 0, 0, 255], 'red over blue');
  assert.deepEqual(pixel(client, editor, merged.id, 10, 10), [0, 0, 0, 0], 'red outside its base is clipped away');
  assert.deepEqual(pixel(client, editor, merged.id, 50, 50), [0, 0, 255, 255]);
  await editor.undo();
  assert.equal(editor.document!.layers.length, 2);
});
