// "Decompose all": the object mask predicted from a foreground's alpha (a shadow alone is
// not an object, nor a speck, nor everything) and the peeling loop (front first, stops
// when nothing is found or at the cap, the layers back to front).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RgbaImage } from '../../imaging/rgba-image.ts';
import { OBJECT_ALPHA, peelAll, predictedMask, type Peel } from './decompose-all.ts';

const W = 32;
const blank = (): RgbaImage => ({ width: W, height: W, data: new Uint8Array(W * W * 4) });
function square(img: RgbaImage, x0: number, y0: number, size: number, rgba: number[]): RgbaImage {
  const out = { ...img, data: new Uint8Array(img.data) };
  for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) out.data.set(rgba, (y * W + x) * 4);
  return out;
}

test('predicted mask: opaque object pixels count, a 40 % shadow, a speck and a full frame do not', () => {
  let fg = square(blank(), 4, 4, 10, [255, 0, 0, 255]);
  fg = square(fg, 14, 14, 6, [0, 0, 0, 102]); // the world's shadow: 40 % black
  const m = predictedMask(fg)!;
  assert.ok(m);
  let on = 0;
  for (let p = 0; p < m.data.length; p++) on += m.data[p];
  assert.equal(on, 100, 'exactly the opaque square');
  assert.equal(m.data[15 * W + 15], 0, 'the shadow is not the object');
  assert.equal(predictedMask(square(blank(), 0, 0, 8, [0, 0, 0, 102])), null, 'a shadow alone: nothing found');
  assert.equal(predictedMask(square(blank(), 0, 0, 2, [9, 9, 9, 255])), null, 'a 4 px speck: nothing found');
  assert.equal(predictedMask(square(blank(), 0, 0, W, [9, 9, 9, OBJECT_ALPHA])), null, 'everything: not an object');
});

// a fake model: the scene knows its objects front first; each peel takes the front one
function fakePeel(objects: { x: number; y: number; colour: number[] }[]) {
  const calls: number[] = [];
  let left = [...objects];
  const peel = async (current: RgbaImage, k: number): Promise<Peel> => {
    calls.push(k);
    const top = left[0];
    if (!top) return { background: current, foreground: blank(), mask: null };
    left = left.slice(1);
    const fg = square(blank(), top.x, top.y, 6, [...top.colour, 255]);
    const bg = square(current, top.x, top.y, 6, [255, 255, 255, 255]);
    return { background: bg, foreground: fg, mask: predictedMask(fg) };
  };
  return { peel, calls };
}

test('peelAll: front first until nothing is found; the layers come back to front over what is left', async () => {
  const objs = [{ x: 2, y: 2, colour: [255, 0, 0] }, { x: 12, y: 12, colour: [0, 255, 0] }, { x: 20, y: 4, colour: [0, 0, 255] }];
  let image = square(blank(), 0, 0, W, [255, 255, 255, 255]);
  for (const o of [...objs].reverse()) image = square(image, o.x, o.y, 6, [...o.colour, 255]);
  const { peel, calls } = fakePeel(objs);
  const out = await peelAll(image, 8, peel);
  assert.equal(out.stopped, 'nothing-left');
  assert.deepEqual(calls, [0, 1, 2, 3], 'a fourth peel found nothing');
  assert.deepEqual(out.foregrounds.map((f) => [...f.data.subarray(((objs[0].y) * W + objs[0].x) * 4, ((objs[0].y) * W + objs[0].x) * 4 + 3)]), [[0, 0, 0], [0, 0, 0], [255, 0, 0]], 'the front object (peeled first) is last');
  assert.deepEqual([...out.foregrounds[0].data.subarray((4 * W + 20) * 4, (4 * W + 20) * 4 + 4)], [0, 0, 255, 255], 'the back object first');
  assert.ok(out.background.data.every((v) => v === 255), 'nothing is left but the white background');
  const capped = await peelAll(image, 2, fakePeel(objs).peel);
  assert.equal(capped.stopped, 'cap');
  assert.equal(capped.foregrounds.length, 2);
  assert.deepEqual([...capped.background.data.subarray((4 * W + 20) * 4, (4 * W + 20) * 4 + 4)], [0, 0, 255, 255], 'the object beyond the cap stays in the background');
  const none = await peelAll(image, 8, fakePeel([]).peel);
  assert.deepEqual([none.foregrounds.length, none.stopped], [0, 'nothing-left']);
  assert.equal(none.background, image);
});
