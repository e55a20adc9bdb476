import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stampAlpha, stampRadius, type PaintStroke } from './brush.ts';
import { strokeCoverage, densifyStroke } from './stroke-coverage.ts';
import { clearSelected, compositeStroke, copySelected, placeInto, type PlacedPixels } from './composite-stroke.ts';
import { combineSelection } from './selection-mask.ts';
import { applyMask, filledMask, luminance, maskFromSelection } from './layer-mask.ts';
import { compositeSamples, fromHex, toHex } from './eyedropper.ts';

const solid = (w: number, h: number, rgba: [number, number, number, number], x = 0, y = 0): PlacedPixels => {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { rect: { x, y, width: w, height: h }, image: { width: w, height: h, rgba: data } };
};
const px = (p: PlacedPixels, x: number, y: number) => {
  const i = ((y - p.rect.y) * p.rect.width + (x - p.rect.x)) * 4;
  return [...p.image.rgba.subarray(i, i + 4)];
};
const dot = (x: number, y: number, brush: Partial<PaintStroke['brush']> = {}, erase = false): PaintStroke => ({
  points: [{ x, y }], erase, brush: { size: 20, hardness: 1, opacity: 1, color: [255, 0, 0], ...brush },
});

test('stamp: hard edge is one anti-aliased pixel, soft falls off from the centre', () => {
  assert.equal(stampAlpha(0, 10, 1), 1);
  assert.equal(stampAlpha(9, 10, 1), 1);
  assert.equal(stampAlpha(10, 10, 1), 0.5);
  assert.equal(stampAlpha(11, 10, 1), 0);
  assert.equal(stampAlpha(0, 10, 0), 1);
  assert.ok(stampAlpha(5, 10, 0) > 0.3 && stampAlpha(5, 10, 0) < 0.7);
  assert.ok(stampAlpha(9, 10, 0) < 0.05);
  assert.equal(stampAlpha(4, 10, 0.5), 1, 'inside the hard half');
  assert.equal(stampRadius({ size: 20, hardness: 1, opacity: 1, color: [0, 0, 0] }, 0.5), 5, 'pressure scales the size');
  assert.equal(stampRadius({ size: 20, hardness: 1, opacity: 1, color: [0, 0, 0] }, undefined), 10);
});

test('a stroke keeps the strongest stamp per pixel: opacity is a ceiling, not built up', () => {
  const stroke: PaintStroke = { points: [{ x: 10, y: 10 }, { x: 30, y: 10 }, { x: 10, y: 10 }], erase: false, brush: { size: 10, hardness: 1, opacity: 0.5, color: [0, 0, 0] } };
  const cov = strokeCoverage(stroke, { x: 0, y: 0, width: 64, height: 64 })!;
  const at = (x: number, y: number) => cov.data[(y - cov.rect.y) * cov.rect.width + (x - cov.rect.x)];
  assert.equal(at(20, 10), 0.5);
  assert.equal(Math.max(...cov.data), 0.5);
  assert.equal(strokeCoverage(stroke, { x: 100, y: 100, width: 5, height: 5 }), null, 'outside the clip');
  assert.ok(densifyStroke([{ x: 0, y: 0, pressure: 0 }, { x: 10, y: 0, pressure: 1 }], 1).some((p) => p.pressure === 0.5));
});

test('brush composites source-over with hardness and opacity; eraser takes alpha away', () => {
  const layer = solid(40, 40, [0, 0, 255, 255]);
  const cov = strokeCoverage(dot(20, 20, { opacity: 0.5 }), layer.rect)!;
  assert.ok(compositeStroke(layer, { coverage: cov, erase: false, color: [255, 0, 0], selection: null, lockAlpha: false }));
  assert.deepEqual(px(layer, 20, 20), [128, 0, 128, 255], 'half red over blue');
  assert.deepEqual(px(layer, 2, 2), [0, 0, 255, 255], 'outside the dab unchanged');
  // on transparency, a 50% dab is red at half alpha (straight alpha keeps the colour)
  const clear = solid(40, 40, [0, 0, 0, 0]);
  compositeStroke(clear, { coverage: cov, erase: false, color: [255, 0, 0], selection: null, lockAlpha: false });
  assert.deepEqual(px(clear, 20, 20), [255, 0, 0, 128]);
  // soft brush: the rim gets less than the centre
  const soft = solid(40, 40, [0, 0, 0, 0]);
  compositeStroke(soft, { coverage: strokeCoverage(dot(20, 20, { hardness: 0 }), soft.rect)!, erase: false, color: [255, 0, 0], selection: null, lockAlpha: false });
  assert.ok(px(soft, 20, 20)[3] > 240 && px(soft, 27, 20)[3] < 60 && px(soft, 27, 20)[3] > 0, `soft ${px(soft, 20, 20)} ${px(soft, 27, 20)}`);
  // eraser: full erase in the core, half at opacity 0.5
  const e = solid(40, 40, [0, 0, 255, 255]);
  compositeStroke(e, { coverage: strokeCoverage(dot(20, 20, {}, true), e.rect)!, erase: true, color: [0, 0, 0], selection: null, lockAlpha: false });
  assert.deepEqual(px(e, 20, 20), [0, 0, 255, 0]);
  compositeStroke(e, { coverage: strokeCoverage(dot(5, 5, { size: 4, opacity: 0.5 }, true), e.rect)!, erase: true, color: [0, 0, 0], selection: null, lockAlpha: false });
  assert.deepEqual(px(e, 5, 5), [0, 0, 255, 128]);
});

test('a selection limits the stroke; lock transparency keeps alpha', () => {
  const layer = solid(40, 40, [0, 0, 255, 255]);
  const sel = combineSelection(null, 40, 40, { type: 'rect', rect: { x: 0, y: 0, width: 20, height: 40 } }, 'replace');
  compositeStroke(layer, { coverage: strokeCoverage(dot(20, 20), layer.rect)!, erase: false, color: [255, 0, 0], selection: sel, lockAlpha: false });
  assert.deepEqual(px(layer, 15, 20), [255, 0, 0, 255]);
  assert.deepEqual(px(layer, 25, 20), [0, 0, 255, 255], 'outside the selection unchanged');
  const half = solid(40, 40, [0, 0, 255, 100]);
  const hole = px(half, 0, 0);
  half.image.rgba.set([0, 0, 0, 0], (20 * 40 + 22) * 4);
  compositeStroke(half, { coverage: strokeCoverage(dot(20, 20), half.rect)!, erase: false, color: [255, 0, 0], selection: null, lockAlpha: true });
  assert.deepEqual(px(half, 20, 20), [255, 0, 0, 100], 'colour changes, alpha kept');
  assert.deepEqual(px(half, 22, 20), [0, 0, 0, 0], 'transparent pixels stay transparent');
  assert.deepEqual(hole, [0, 0, 255, 100]);
});

test('delete and copy with a selection; placeInto grows a layer', () => {
  const layer = solid(10, 10, [9, 9, 9, 255], 5, 5);
  const sel = combineSelection(null, 30, 30, { type: 'rect', rect: { x: 0, y: 0, width: 8, height: 30 } }, 'replace');
  const copy = copySelected(layer, sel, { x: 0, y: 0, width: 8, height: 30 })!;
  assert.deepEqual(px(copy, 6, 6), [9, 9, 9, 255]);
  assert.deepEqual(px(copy, 2, 2), [0, 0, 0, 0]);
  assert.ok(clearSelected(layer, sel));
  assert.deepEqual(px(layer, 7, 7), [9, 9, 9, 0]);
  assert.deepEqual(px(layer, 8, 7), [9, 9, 9, 255]);
  const grown = placeInto(layer, { x: 0, y: 0, width: 20, height: 20 });
  assert.deepEqual(px(grown, 10, 10), [9, 9, 9, 255]);
  assert.deepEqual(px(grown, 1, 1), [0, 0, 0, 0]);
});

test('layer masks: luminance, from a selection, apply multiplies alpha (default colour outside)', () => {
  assert.equal(luminance([255, 255, 255]), 255);
  assert.equal(luminance([0, 0, 0]), 0);
  const layer = solid(10, 10, [200, 0, 0, 255]);
  const mask = { rect: { x: 0, y: 0, width: 5, height: 10 }, image: filledMask({ x: 0, y: 0, width: 5, height: 10 }, 128) };
  const out = applyMask(layer, mask, 0);
  assert.equal(out.rgba[3], 128);
  assert.equal(out.rgba[(9 * 10 + 9) * 4 + 3], 0, 'outside the mask box: its default colour (black)');
  const sel = combineSelection(null, 10, 10, { type: 'rect', rect: { x: 0, y: 0, width: 3, height: 10 } }, 'replace');
  const m = maskFromSelection({ x: 0, y: 0, width: 10, height: 10 }, sel);
  assert.deepEqual([m.rgba[0], m.rgba[3], m.rgba[5 * 4]], [255, 255, 0]);
});

test('eyedropper composite and hex colours', () => {
  assert.deepEqual(compositeSamples([{ rgba: [255, 0, 0, 255], opacity: 0.5 }, { rgba: [0, 0, 255, 255], opacity: 1 }]), [128, 0, 128]);
  assert.deepEqual(compositeSamples([{ rgba: [255, 0, 0, 0], opacity: 1 }]), null);
  assert.equal(toHex([255, 128, 0]), '#ff8000');
  assert.deepEqual(fromHex('#ff8000'), [255, 128, 0]);
});
