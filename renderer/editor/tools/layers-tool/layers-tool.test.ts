// The Layers tool (A): anonymous boxes drawn, moved, resized, deleted on the canvas, as the
// tool's own undoable state (not document layers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from '../../editor.ts';
import { MemoryClient } from '../../testing/memory-client.ts';
import type { ToolPointer } from '../state-node.ts';
import { boxAt, movedBox, specBoxes } from '../../layer-boxes.ts';

const ptr = (x: number, y: number, mods: Partial<ToolPointer> = {}): ToolPointer => ({
  canvas: { x, y }, screen: { x, y }, button: 0, shiftKey: false, altKey: false, modKey: false, ...mods,
});
const key = (code: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean }> = {}) => ({ code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

async function setup() {
  const client = new MemoryClient();
  const editor = new Editor({ client });
  editor.setScreen(1000, 800);
  await editor.newDocument(200, 100, 'Boxes');
  assert.equal(editor.handleKey(key('KeyA'), false), true);
  assert.equal(editor.state.tool, 'layers');
  return { client, editor };
}

function drag(editor: Editor, from: [number, number], to: [number, number], mods: Partial<ToolPointer> = {}) {
  editor.pointer('onPointerDown', ptr(...from, mods));
  editor.pointer('onPointerMove', ptr((from[0] + to[0]) / 2, (from[1] + to[1]) / 2, mods));
  editor.pointer('onPointerMove', ptr(...to, mods));
  editor.pointer('onPointerUp', ptr(...to, mods));
}
const boxes = (e: Editor) => specBoxes(e.state.layerBoxes.boxes);

test('kernels: the front-most box under a point; a moved box stays whole inside the canvas', () => {
  const bs = [{ x: 0, y: 0, width: 50, height: 50 }, { x: 20, y: 20, width: 50, height: 50 }];
  assert.equal(boxAt(bs, { x: 30, y: 30 }), 1, 'the later box is in front');
  assert.equal(boxAt(bs, { x: 5, y: 5 }), 0);
  assert.equal(boxAt(bs, { x: 90, y: 90 }), null);
  assert.deepEqual(movedBox({ x: 10, y: 10, width: 40, height: 30 }, 500, -3.6, { width: 200, height: 100 }), { x: 160, y: 6, width: 40, height: 30 });
});

test('layers tool: drag draws boxes (clamped to the canvas), a click draws none; they are tool state, not layers', async () => {
  const { editor, client } = await setup();
  drag(editor, [10, 10], [60, 50]);
  assert.equal(editor.state.preview, null);
  drag(editor, [150, 40], [260, 130]); // past the canvas' corner
  editor.pointer('onPointerDown', ptr(100, 80));
  editor.pointer('onPointerUp', ptr(101, 81));
  assert.deepEqual(boxes(editor), [[10, 10, 50, 40], [150, 40, 50, 60]]);
  assert.equal(editor.state.layerBoxes.selected, null, 'a click on empty canvas drops the handles');
  assert.equal(editor.document!.layers.length, 0, 'no document layers');
  assert.equal(client.calls.filter((c) => c.method === 'document.mutate').length, 0, 'no document writes');
});

test('layers tool: drag a box to move it, its handle to resize it; Delete removes the selected box; each one undo step', async () => {
  const { editor } = await setup();
  drag(editor, [10, 10], [60, 50]);
  drag(editor, [100, 20], [140, 60]);
  // press inside box 1 and drag: it moves (and is selected)
  drag(editor, [20, 20], [45, 35]);
  assert.deepEqual(boxes(editor), [[35, 25, 50, 40], [100, 20, 40, 40]]);
  assert.equal(editor.state.layerBoxes.selected, 0);
  // while moving, the overlay follows a 'layer-box' preview
  editor.pointer('onPointerDown', ptr(40, 30));
  editor.pointer('onPointerMove', ptr(50, 30));
  assert.deepEqual(editor.state.preview, { kind: 'layer-box', index: 0, rect: { x: 45, y: 25, width: 50, height: 40 } });
  editor.runCommand('cancel');
  assert.equal(editor.state.preview, null);
  assert.deepEqual(boxes(editor)[0], [35, 25, 50, 40], 'Esc leaves the box where it was');
  editor.pointer('onPointerUp', ptr(50, 30));
  // the east handle of the selected box widens it
  drag(editor, [85, 45], [95, 45]);
  assert.deepEqual(boxes(editor)[0], [35, 25, 60, 40]);
  // Delete removes the selected box, not a layer
  editor.runCommand('layer.delete');
  assert.deepEqual(boxes(editor), [[100, 20, 40, 40]]);
  // undo, one gesture at a time: delete, resize, move, second box, first box
  const seen: number[][][] = [];
  while (editor.boxes.canUndo) {
    await editor.undo();
    seen.push(boxes(editor));
  }
  assert.deepEqual(seen, [
    [[35, 25, 60, 40], [100, 20, 40, 40]],
    [[35, 25, 50, 40], [100, 20, 40, 40]],
    [[10, 10, 50, 40], [100, 20, 40, 40]],
    [[10, 10, 50, 40]],
    [],
  ]);
  assert.equal(editor.canUndo, false);
  assert.equal(editor.canRedo, true);
  editor.handleKey(key('KeyZ', { ctrlKey: true, shiftKey: true }), false);
  editor.handleKey(key('KeyZ', { ctrlKey: true, shiftKey: true }), false);
  assert.deepEqual(boxes(editor), [[10, 10, 50, 40], [100, 20, 40, 40]], 'redo brings them back');
});

test('layers tool: Alt+drag draws a new box over an existing one; leaving the tool hides its handles and its undo steps', async () => {
  const { editor } = await setup();
  drag(editor, [10, 10], [90, 90]);
  drag(editor, [20, 20], [50, 50], { altKey: true });
  assert.deepEqual(boxes(editor), [[10, 10, 80, 80], [20, 20, 30, 30]]);
  assert.equal(editor.state.layerBoxes.selected, 1);
  editor.setTool('move');
  assert.equal(editor.state.layerBoxes.selected, null);
  assert.equal(editor.canUndo, false, 'other tools undo the document, not the boxes');
  editor.setTool('layers');
  assert.equal(editor.canUndo, true);
});

test('a new document starts with no boxes', async () => {
  const { editor } = await setup();
  drag(editor, [10, 10], [60, 50]);
  await editor.newDocument(64, 64, 'Other');
  assert.deepEqual(boxes(editor), []);
  assert.equal(editor.boxes.canUndo, false);
});
