// Free transform (Ctrl+T) and the crop tool (C) as state nodes, driven like the canvas
// drives them, with a memory client that keeps pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { MemoryClient } from './testing/memory-client.ts';
import type { RawImage } from '../../common/contract/raw-image.ts';
import type { ToolPointer } from './tools/state-node.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, provenance: null, locked: false };
const ptr = (x: number, y: number, mods: Partial<ToolPointer> = {}): ToolPointer => ({
  canvas: { x, y }, screen: { x, y }, button: 0, shiftKey: false, altKey: false, modKey: false, ...mods,
});
const key = (code: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean }> = {}) => ({ code, key: '', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(f(), 'condition never held');
};

function solid(w: number, h: number, c: [number, number, number, number]): RawImage {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set(c, i * 4);
  return { width: w, height: h, rgba };
}

async function setup() {
  const client = new MemoryClient();
  const images = client.images;
  const editor = new Editor({ client });
  editor.setScreen(1000, 800);
  await editor.newDocument(200, 100, 'T');
  editor.setViewport({ zoom: 1, x: 0, y: 0 });
  images.set('p', solid(40, 20, [200, 40, 40, 255]));
  images.set('m', solid(40, 20, [0, 0, 0, 255]));
  await editor.mutate([
    { op: 'add', layer: { ...base, id: 'pic', name: 'pic', kind: 'raster', imageId: 'p', x: 20, y: 30, width: 40, height: 20, mask: { imageId: 'm', x: 20, y: 30, width: 40, height: 20, enabled: true, defaultColor: 255 } } },
    { op: 'add', layer: { ...base, id: 'r', name: 'r', kind: 'region', x: 100, y: 10, prompt: '', color: '#8f96a3', shape: { type: 'box', width: 40, height: 20 } } },
  ]);
  return { editor, images };
}
const layerOf = (e: Editor, id: string) => e.document!.layers.find((l) => l.id === id)! as unknown as { x: number; y: number; width: number; height: number; imageId: string; mask: { imageId: string; x: number; y: number; width: number; height: number }; shape: { width: number; height: number } };

test('Ctrl+T: scale by a handle (Shift keeps the ratio), Enter resamples pixels and mask in one undo step', async () => {
  const { editor, images } = await setup();
  editor.select(['pic']);
  assert.ok(editor.handleKey(key('KeyT', { ctrlKey: true }), false));
  assert.equal(editor.state.toolPath, 'transform.idle');
  assert.deepEqual(editor.state.preview, { kind: 'free-transform', id: 'pic', transform: { from: { x: 20, y: 30, width: 40, height: 20 }, box: { x: 20, y: 30, width: 40, height: 20 }, angle: 0 } });
  // the se corner, without Shift: free aspect
  editor.pointer('onPointerDown', ptr(60, 50));
  assert.equal(editor.state.toolPath, 'transform.scaling');
  editor.pointer('onPointerMove', ptr(100, 60));
  editor.pointer('onPointerUp', ptr(100, 60));
  let p = editor.state.preview;
  assert.ok(p?.kind === 'free-transform');
  assert.deepEqual(p.transform.box, { x: 20, y: 30, width: 80, height: 30 });
  // with Shift: the ratio of the box at the press holds
  editor.pointer('onPointerDown', ptr(100, 60));
  editor.pointer('onPointerMove', ptr(180, 62, { shiftKey: true }));
  editor.pointer('onPointerUp', ptr(180, 62, { shiftKey: true }));
  p = editor.state.preview;
  assert.ok(p?.kind === 'free-transform');
  assert.deepEqual(p.transform.box, { x: 20, y: 30, width: 160, height: 60 });
  assert.equal(editor.document!.layers.find((l) => l.id === 'pic')!.x, 20, 'nothing is written before Enter');
  assert.ok(editor.handleKey(key('Enter'), false));
  await until(() => editor.state.snapshot!.undoLabel === 'Free Transform');
  assert.equal(editor.state.tool, 'move', 'back to the tool it came from');
  const pic = layerOf(editor, 'pic');
  assert.deepEqual([pic.x, pic.y, pic.width, pic.height], [20, 30, 160, 60]);
  const img = images.get(pic.imageId)!;
  assert.deepEqual([img.width, img.height], [160, 60]);
  assert.deepEqual([...img.rgba.subarray(0, 4)], [200, 40, 40, 255], 'the pixels are resampled, edges crisp');
  assert.deepEqual([pic.mask.x, pic.mask.y, pic.mask.width, pic.mask.height], [20, 30, 160, 60], 'the mask follows');
  assert.equal(images.get(pic.mask.imageId)!.width, 160);
  assert.equal(editor.state.preview, null);
  await editor.undo();
  assert.equal(layerOf(editor, 'pic').imageId, 'p');
  assert.equal(layerOf(editor, 'pic').mask.imageId, 'm');
});

test('free transform: drag outside turns (Shift snaps to 15°), inside moves; Esc puts it all back', async () => {
  const { editor, images } = await setup();
  editor.select(['pic']);
  const labelBefore = editor.state.snapshot!.undoLabel;
  editor.runCommand('transform.free');
  // centre (40, 40); from due east to due south is a quarter turn clockwise
  editor.pointer('onPointerDown', ptr(90, 40));
  assert.equal(editor.state.toolPath, 'transform.rotating');
  editor.pointer('onPointerMove', ptr(40 + 3, 90, { shiftKey: true }));
  editor.pointer('onPointerUp', ptr(43, 90));
  let p = editor.state.preview;
  assert.ok(p?.kind === 'free-transform');
  assert.ok(Math.abs(p.transform.angle - Math.PI / 2) < 1e-9, `snapped to 90°: ${p.transform.angle}`);
  editor.pointer('onPointerDown', ptr(40, 40));
  assert.equal(editor.state.toolPath, 'transform.moving');
  editor.pointer('onPointerMove', ptr(50, 45));
  editor.pointer('onPointerUp', ptr(50, 45));
  p = editor.state.preview;
  assert.ok(p?.kind === 'free-transform');
  assert.deepEqual(p.transform.box, { x: 30, y: 35, width: 40, height: 20 });
  // Esc: nothing written, the preview goes, back to the move tool
  editor.runCommand('cancel');
  assert.equal(editor.state.preview, null);
  assert.equal(editor.state.tool, 'move');
  assert.equal(editor.state.snapshot!.undoLabel, labelBefore, 'Esc writes nothing');
  assert.equal(layerOf(editor, 'pic').imageId, 'p');
  // again, and Enter: a quarter turn of 40 x 20 about (45, 40) is 20 x 40 at (35, 20)
  editor.runCommand('transform.free');
  editor.pointer('onPointerDown', ptr(90, 40));
  editor.pointer('onPointerMove', ptr(40, 90, { shiftKey: true }));
  editor.pointer('onPointerUp', ptr(40, 90));
  editor.pointer('onPointerDown', ptr(40, 40));
  editor.pointer('onPointerMove', ptr(45, 40));
  editor.pointer('onPointerUp', ptr(45, 40));
  editor.runCommand('commit');
  await until(() => editor.state.snapshot!.undoLabel === 'Free Transform');
  const pic = layerOf(editor, 'pic');
  assert.deepEqual([pic.x, pic.y, pic.width, pic.height], [35, 20, 20, 40]);
  const img = images.get(pic.imageId)!;
  assert.deepEqual([...img.rgba.subarray((20 * 20 + 10) * 4, (20 * 20 + 10) * 4 + 4)], [200, 40, 40, 255]);
});

test('the move tool: a press just outside a corner of the selected layer starts free transform, turning', async () => {
  const { editor } = await setup();
  editor.select(['pic']);
  editor.pointer('onPointerDown', ptr(68, 58)); // 8 px beyond the se corner (60, 50)
  assert.equal(editor.state.toolPath, 'transform.rotating');
  editor.pointer('onPointerMove', ptr(30, 70));
  editor.pointer('onPointerUp', ptr(30, 70));
  const p = editor.state.preview;
  assert.ok(p?.kind === 'free-transform' && p.transform.angle > 0.5);
  editor.runCommand('cancel');
  assert.equal(editor.state.tool, 'move');
});

test('free transform of a box region scales its box; a locked layer or none selected is refused', async () => {
  const { editor } = await setup();
  editor.select(['r']);
  editor.runCommand('transform.free');
  editor.pointer('onPointerDown', ptr(140, 20)); // e handle
  editor.pointer('onPointerMove', ptr(160, 20));
  editor.pointer('onPointerUp', ptr(160, 20));
  editor.runCommand('commit');
  await until(() => editor.state.snapshot!.undoLabel === 'Free Transform');
  const r = layerOf(editor, 'r');
  assert.deepEqual([r.x, r.y, r.shape.width, r.shape.height], [100, 10, 60, 20]);
  editor.select([]);
  editor.runCommand('transform.free');
  assert.equal(editor.state.tool, 'move');
  assert.match(editor.toastLog.at(-1)!.message, /select one layer/);
});

test('crop tool (C): the box starts as the canvas; a handle adjusts it, Enter crops (one undo step), Esc drops it', async () => {
  const { editor } = await setup();
  assert.ok(editor.handleKey(key('KeyC'), false));
  assert.equal(editor.state.tool, 'crop');
  assert.deepEqual(editor.state.preview, { kind: 'crop', rect: { x: 0, y: 0, width: 200, height: 100 } });
  editor.pointer('onPointerDown', ptr(0, 0)); // nw handle
  assert.equal(editor.state.toolPath, 'crop.adjusting');
  editor.pointer('onPointerMove', ptr(10.4, 20.2));
  editor.pointer('onPointerUp', ptr(10, 20));
  assert.deepEqual(editor.state.preview, { kind: 'crop', rect: { x: 10, y: 20, width: 190, height: 80 } });
  editor.runCommand('cancel');
  assert.equal(editor.state.preview, null);
  assert.equal(editor.handleKey(key('Enter'), false), false, 'with no box Enter is left to the page');
  // a new box dragged anywhere, then Enter
  editor.pointer('onPointerDown', ptr(15, 25));
  assert.equal(editor.state.toolPath, 'crop.drawing');
  editor.pointer('onPointerMove', ptr(115, 75));
  editor.pointer('onPointerUp', ptr(115, 75));
  assert.ok(editor.handleKey(key('Enter'), false));
  await until(() => editor.state.snapshot!.undoLabel === 'Crop');
  assert.deepEqual([editor.document!.width, editor.document!.height], [100, 50]);
  assert.deepEqual([layerOf(editor, 'pic').x, layerOf(editor, 'pic').y], [5, 5]);
  await until(() => editor.state.preview === null);
  await editor.undo();
  assert.deepEqual([editor.document!.width, editor.document!.height], [200, 100]);
  assert.deepEqual([layerOf(editor, 'pic').x, layerOf(editor, 'pic').y], [20, 30]);
});

test('the move tool\'s scale handles and Image Size take the layer mask along', async () => {
  const { editor } = await setup();
  const resampled: string[] = [];
  editor.pixels = { resample: async (id: string, w: number, h: number) => (resampled.push(`${id} ${w}x${h}`), solid(w, h, [9, 9, 9, 255])) } as never;
  await editor.commitTransform('pic', { x: 20, y: 30, width: 80, height: 40 });
  let pic = layerOf(editor, 'pic');
  assert.deepEqual(resampled, ['p 80x40', 'm 80x40']);
  assert.deepEqual([pic.mask.x, pic.mask.y, pic.mask.width, pic.mask.height], [20, 30, 80, 40]);
  await editor.canvas.resizeImage(100, 50);
  pic = layerOf(editor, 'pic');
  assert.deepEqual([pic.x, pic.y, pic.width, pic.height], [10, 15, 40, 20]);
  assert.deepEqual([pic.mask.x, pic.mask.y, pic.mask.width, pic.mask.height], [10, 15, 40, 20]);
});

test('Space-drag pans during free transform and the crop box without losing them', async () => {
  const { editor } = await setup();
  editor.select(['pic']);
  editor.runCommand('transform.free');
  editor.pointer('onPointerDown', ptr(40, 40));
  editor.pointer('onPointerMove', ptr(50, 40));
  editor.pointer('onPointerUp', ptr(50, 40));
  editor.setSpacePan(true);
  editor.pointer('onPointerDown', ptr(100, 100));
  assert.equal(editor.state.toolPath, 'hand.panning');
  editor.pointer('onPointerMove', ptr(120, 100));
  editor.pointer('onPointerUp', ptr(120, 100));
  editor.setSpacePan(false);
  assert.equal(editor.state.toolPath, 'transform.idle');
  const p = editor.state.preview;
  assert.ok(p?.kind === 'free-transform');
  assert.deepEqual(p.transform.box, { x: 30, y: 30, width: 40, height: 20 }, 'the moved box is still pending');
  editor.runCommand('commit');
  await until(() => editor.state.snapshot!.undoLabel === 'Free Transform');
  assert.equal(layerOf(editor, 'pic').x, 30);
  editor.setTool('crop');
  editor.pointer('onPointerDown', ptr(10, 10));
  editor.pointer('onPointerMove', ptr(60, 60));
  editor.pointer('onPointerUp', ptr(60, 60));
  editor.pointer('onPointerDown', ptr(100, 100, { button: 1 }));
  editor.pointer('onPointerUp', ptr(100, 100, { button: 1 }));
  assert.equal(editor.state.toolPath, 'crop.idle');
  assert.deepEqual(editor.state.preview, { kind: 'crop', rect: { x: 10, y: 10, width: 50, height: 50 } });
});
