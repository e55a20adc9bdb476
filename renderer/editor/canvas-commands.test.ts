import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Editor } from './editor.ts';
import { MemoryClient } from './testing/memory-client.ts';
import type { RawImage } from '../../common/contract/raw-image.ts';
import { anchorOffset, quarterTurnRect, scaledRect } from './canvas-transform.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, provenance: null };

/** A memory client that keeps pixels (document.image / putImage) and a resampler counting its calls. */
async function setup() {
  const client = new MemoryClient();
  const images = new Map<string, RawImage>();
  let n = 0;
  client.overrides['document.putImage'] = (input) => {
    const { image } = input as { image: RawImage };
    const imageId = `img${++n}`;
    images.set(imageId, image);
    return { imageId, width: image.width, height: image.height };
  };
  client.overrides['document.image'] = (input) => images.get((input as { imageId: string }).imageId)!;
  const resampled: [string, number, number][] = [];
  const pixels = {
    resample: async (imageId: string, width: number, height: number) => {
      resampled.push([imageId, width, height]);
      return { width, height, rgba: new Uint8Array(width * height * 4) };
    },
  };
  const editor = new Editor({ client, pixels: pixels as never });
  await editor.newDocument(200, 100, 'T');
  // a 4x2 raster whose left column is red
  const rgba = new Uint8Array(4 * 2 * 4);
  for (const y of [0, 1]) rgba.set([255, 0, 0, 255], (y * 4) * 4);
  images.set('p', { width: 4, height: 2, rgba });
  await editor.mutate([
    { op: 'add', layer: { ...base, locked: false, id: 'pic', name: 'pic', kind: 'raster', imageId: 'p', x: 10, y: 20, width: 4, height: 2 } },
    { op: 'add', layer: { ...base, locked: true, id: 'bg', name: 'bg', kind: 'raster', imageId: 'p', x: 0, y: 0, width: 4, height: 2 }, index: 1 },
    { op: 'add', layer: { ...base, locked: false, id: 'r', name: 'r', kind: 'region', x: 50, y: 10, prompt: '', color: '#8f96a3', shape: { type: 'box', width: 40, height: 20 } } },
  ]);
  return { editor, images, resampled };
}
const layer = (e: Editor, id: string) => e.document!.layers.find((l) => l.id === id)! as unknown as { x: number; y: number; width: number; height: number; imageId: string; locked: boolean; shape: { width: number; height: number } };

test('canvas geometry: anchors, image scaling, quarter turns about the centre', () => {
  assert.deepEqual(anchorOffset({ width: 100, height: 50 }, { width: 200, height: 150 }, 'center'), { dx: 50, dy: 50 });
  assert.deepEqual(anchorOffset({ width: 100, height: 50 }, { width: 200, height: 150 }, 'top-left'), { dx: 0, dy: 0 });
  assert.deepEqual(anchorOffset({ width: 100, height: 50 }, { width: 60, height: 150 }, 'bottom-right'), { dx: -40, dy: 100 });
  assert.deepEqual(scaledRect({ x: 10, y: 20, width: 30, height: 40 }, { width: 100, height: 100 }, { width: 50, height: 200 }), { x: 5, y: 40, width: 15, height: 80 });
  // neighbours stay touching after rounding
  const a = scaledRect({ x: 0, y: 0, width: 33, height: 1 }, { width: 100, height: 1 }, { width: 50, height: 1 });
  const b = scaledRect({ x: 33, y: 0, width: 33, height: 1 }, { width: 100, height: 1 }, { width: 50, height: 1 });
  assert.equal(a.x + a.width, b.x);
  assert.deepEqual(quarterTurnRect({ x: 10, y: 20, width: 40, height: 20 }), { x: 20, y: 10, width: 20, height: 40 });
});

test('rotate and flip the selection: pixels turned about the centre, region boxes swap sides; one undo step each', async () => {
  const { editor, images } = await setup();
  editor.select(['pic', 'r']);
  await editor.canvas.rotateSelection(90);
  const pic = layer(editor, 'pic');
  assert.deepEqual([pic.x, pic.y, pic.width, pic.height], [11, 19, 2, 4]);
  const turned = images.get(pic.imageId)!;
  // the red left column is the top row after a clockwise turn
  assert.deepEqual(Array.from({ length: 2 }, (_, x) => turned.rgba[x * 4]), [255, 255]);
  assert.equal(turned.rgba[(1 * 2) * 4], 0);
  const r = layer(editor, 'r');
  assert.deepEqual([r.x, r.y, r.shape.width, r.shape.height], [60, 0, 20, 40]);
  assert.equal(editor.state.snapshot!.undoLabel, 'Rotate 90° Clockwise');
  await editor.undo();
  assert.equal(layer(editor, 'pic').width, 4);
  editor.select(['pic']);
  await editor.canvas.flipSelection('horizontal');
  const flipped = images.get(layer(editor, 'pic').imageId)!;
  assert.deepEqual([flipped.rgba[0], flipped.rgba[3 * 4]], [0, 255], 'the red column is now on the right');
});

test('crop, canvas size and image size: the canvas changes and every layer (locked ones too) follows, one undo step', async () => {
  const { editor, resampled } = await setup();
  editor.select(['r']);
  await editor.canvas.cropToSelection();
  assert.deepEqual([editor.document!.width, editor.document!.height], [40, 20]);
  assert.deepEqual([layer(editor, 'pic').x, layer(editor, 'pic').y], [-40, 10]);
  assert.deepEqual([layer(editor, 'bg').x, layer(editor, 'bg').y, layer(editor, 'bg').locked], [-50, -10, true]);
  assert.equal(editor.state.snapshot!.undoLabel, 'Crop');
  await editor.undo();
  assert.deepEqual([editor.document!.width, layer(editor, 'pic').x], [200, 10]);

  await editor.canvas.resizeCanvas(300, 200, 'center');
  assert.deepEqual([editor.document!.width, editor.document!.height, layer(editor, 'pic').x, layer(editor, 'pic').y], [300, 200, 60, 70]);
  await editor.undo();
  assert.equal(await editor.canvas.resizeCanvas(100000, 10, 'center'), false, 'past the canvas limit: refused with a message');
  assert.match(editor.state.toasts.at(-1)!.message, /past the maximum 16384/);

  await editor.canvas.resizeImage(100, 50);
  assert.deepEqual([editor.document!.width, editor.document!.height], [100, 50]);
  const pic = layer(editor, 'pic');
  assert.deepEqual([pic.x, pic.y, pic.width, pic.height], [5, 10, 2, 1]);
  const r = layer(editor, 'r');
  assert.deepEqual([r.x, r.y, r.shape.width, r.shape.height], [25, 5, 20, 10]);
  assert.ok(layer(editor, 'bg').locked, 'a locked layer is scaled and stays locked');
  assert.deepEqual(resampled.map(([, w, h]) => [w, h]), [[2, 1], [2, 1]]);
  assert.equal(editor.state.snapshot!.undoLabel, 'Image Size');
});
