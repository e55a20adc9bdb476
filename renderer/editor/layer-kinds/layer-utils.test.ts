import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LaminaDocument, type Layer } from '../../../common/document/document-schema.ts';
import { layerUtil } from './layer-utils.ts';
import type { Resample } from './layer-util.ts';

const layer = (l: Record<string, unknown>): Layer => LaminaDocument.shape.layers.element.parse(l);
const raster = layer({ id: 'r', name: 'r', kind: 'raster', imageId: 'img-r', width: 40, height: 30, x: 5, y: 6 });
const box = layer({ id: 'b', name: 'b', kind: 'region', prompt: '', color: '#ffffff', shape: { type: 'box', width: 10, height: 20 }, x: 1, y: 2 });
const mask = layer({ id: 'm', name: 'm', kind: 'region', prompt: '', color: '#ffffff', shape: { type: 'mask', width: 8, height: 8, maskImageId: 'img-m' } });
const text = layer({ id: 't', name: 't', kind: 'text', text: 'hi', imageId: 'img-t', width: 12, height: 6 });
const group = layer({ id: 'g', name: 'g', kind: 'group', x: 100, y: 100, children: [raster, box] });

test('each kind answers for its box, pixels, hits and compositing', () => {
  assert.deepEqual(layerUtil(raster).rect(raster), { x: 5, y: 6, width: 40, height: 30 });
  assert.deepEqual(layerUtil(box).rect(box), { x: 1, y: 2, width: 10, height: 20 });
  assert.deepEqual(layerUtil(group).rect(group), { x: 101, y: 102, width: 44, height: 34 }, 'a group is the union of its children, offset');
  assert.deepEqual([raster, box, mask, text, group].map((l) => layerUtil(l).imageId(l)), ['img-r', null, 'img-m', 'img-t', null]);
  assert.deepEqual([raster, box, text, group].map((l) => layerUtil(l).composited), [true, false, true, false]);
  assert.deepEqual([raster, box, mask, text].map((l) => layerUtil(l).alphaHits(l)), [true, false, true, false]);
  assert.equal(layerUtil(box).hittable(box, { regions: false }), false, 'hidden region overlays are not clickable');
  assert.deepEqual(layerUtil(group).children(group).map((l) => l.id), ['r', 'b']);
  assert.deepEqual([raster, box, text, group].map((l) => layerUtil(l).resizable(l)), [true, true, false, false]);
});

test('resize: pixels are resampled only when the size changes; a box region just takes the size', async () => {
  const calls: string[] = [];
  const resample: Resample = async (id, w, h) => (calls.push(`${id} ${w}x${h}`), { imageId: `${id}@${w}`, width: w, height: h });
  assert.deepEqual(await layerUtil(raster).resize(raster, { x: 9, y: 9, width: 40, height: 30 }, resample), { x: 9, y: 9 });
  assert.deepEqual(await layerUtil(raster).resize(raster, { x: 0, y: 0, width: 80, height: 60 }, resample), { x: 0, y: 0, imageId: 'img-r@80', width: 80, height: 60 });
  assert.deepEqual(await layerUtil(box).resize(box, { x: 0, y: 0, width: 30, height: 40 }, resample), { x: 0, y: 0, shape: { type: 'box', width: 30, height: 40 } });
  assert.deepEqual(await layerUtil(mask).resize(mask, { x: 0, y: 0, width: 16, height: 16 }, resample), { x: 0, y: 0, shape: { type: 'mask', width: 16, height: 16, maskImageId: 'img-m@16' } });
  assert.deepEqual(calls, ['img-r 80x60', 'img-m 16x16']);
});
