// The foreground's colour solved from the image: right colours from a wrong-coloured
// model answer, the shadow black at its alpha, opaque inside the mask, and the layers
// recompose the image.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unmixForeground } from './unmix-foreground.ts';

const W = 8;
const px = (img: { data: Uint8Array }, x: number, y: number) => [...img.data.subarray((y * W + x) * 4, (y * W + x) * 4 + 4)];

test('unmix: the object\'s colour from the image inside the mask (opaque), the shadow black where the model\'s background is evenly lighter, the picture elsewhere, exact recomposition', () => {
  const pink = [240, 120, 180];
  const image = { width: W, height: W, data: new Uint8Array(W * W * 4) };
  const bg = { width: W, height: W, data: new Uint8Array(W * W * 4) };
  const fg = { width: W, height: W, data: new Uint8Array(W * W * 4) };
  const mask = { width: W, height: W, data: new Uint8Array(W * W) };
  for (let p = 0; p < W * W; p++) {
    const x = p % W, y = Math.floor(p / W);
    bg.data.set([...pink, 255], p * 4);
    if (x < 4 && y < 4) { // the red object, marked; the model drew it orange and half transparent
      mask.data[p] = 1;
      image.data.set([200, 20, 30, 255], p * 4);
      fg.data.set([250, 160, 0, 128], p * 4);
    } else if (x === 4 && y < 4) { // its shadow: 40 % black over pink; the model's alpha 0.4, colour grey
      image.data.set([...pink.map((v) => Math.round(0.6 * v)), 255], p * 4);
      fg.data.set([90, 90, 90, 102], p * 4);
    } else if (x === 6 && y === 0) { // the model's background is blurred here (not evenly lighter): not a shadow
      image.data.set([...pink, 255], p * 4);
      bg.data.set([250, 110, 170, 255], p * 4);
    } else {
      image.data.set([...pink, 255], p * 4);
    }
  }
  const out = unmixForeground(image, mask, { background: bg, foreground: fg });
  assert.deepEqual(px(out.foreground, 1, 1), [200, 20, 30, 255], 'inside the mask: opaque, the image\'s own colour');
  const shadow = px(out.foreground, 4, 1);
  assert.equal(shadow[3], 102);
  assert.ok(shadow.slice(0, 3).every((v) => v <= 3), `the shadow is black: ${shadow}`);
  assert.deepEqual(px(out.foreground, 6, 6), [0, 0, 0, 0], 'nothing where the model put nothing');
  assert.deepEqual(px(out.foreground, 6, 0), [0, 0, 0, 0], 'a blur of the model\'s is not a shadow');
  assert.deepEqual(px(out.background, 6, 0), [...pink, 255], 'there the background is the picture');
  for (let p = 0; p < W * W; p++) {
    const a = out.foreground.data[p * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) {
      const rec = a * out.foreground.data[p * 4 + c] + (1 - a) * out.background.data[p * 4 + c];
      assert.ok(Math.abs(rec - image.data[p * 4 + c]) <= 2, `recomposes at pixel ${p}: ${rec} vs ${image.data[p * 4 + c]}`);
    }
  }
  assert.deepEqual(px(out.background, 4, 1), [...pink, 255], 'under the shadow: the model\'s lighter background');
});
