import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hitTest } from './hit-test.ts';
import type { Layer } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
const layers: Layer[] = [
  { ...base, id: 'region', name: 'r', kind: 'region', x: 0, y: 0, prompt: 'p', color: '#ffffff', shape: { type: 'box', width: 10, height: 10 } },
  { ...base, id: 'hidden', name: 'h', kind: 'raster', imageId: 'i', x: 0, y: 0, width: 100, height: 100, visible: false },
  { ...base, id: 'g', name: 'g', kind: 'group', x: 0, y: 0, expanded: true, children: [
    { ...base, id: 'front', name: 'f', kind: 'raster', imageId: 'f', x: 20, y: 20, width: 30, height: 30 },
  ] },
  { ...base, id: 'back', name: 'b', kind: 'raster', imageId: 'b', x: 0, y: 0, width: 100, height: 100 },
];

test('the front-most visible layer under the point wins', () => {
  assert.equal(hitTest(layers, { x: 25, y: 25 }, { regions: true })?.layer.id, 'front');
  assert.deepEqual(hitTest(layers, { x: 25, y: 25 }, { regions: true })?.path, ['g']);
  assert.equal(hitTest(layers, { x: 5, y: 5 }, { regions: true })?.layer.id, 'region');
  assert.equal(hitTest(layers, { x: 60, y: 60 }, { regions: true })?.layer.id, 'back');
  assert.equal(hitTest(layers, { x: 150, y: 5 }, { regions: true }), null);
});

test('hidden regions (overlays off) are skipped', () => {
  assert.equal(hitTest(layers, { x: 5, y: 5 }, { regions: false })?.layer.id, 'back');
});

test('transparent pixels let the click through', () => {
  const alpha = (l: Layer) => (l.id === 'front' ? 0 : 255);
  assert.equal(hitTest(layers, { x: 25, y: 25 }, { regions: true, alpha })?.layer.id, 'back');
});
