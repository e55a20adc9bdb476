import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampRectToCanvas, layerBounds, rectFromPoints, rectIntersection, roundRect } from './geometry.ts';
import { fitRect, nextZoomStep, screenToCanvas, canvasToScreen, zoomAt, wheelZoom, MAX_ZOOM } from './viewport.ts';
import type { Layer } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };

test('rectFromPoints normalizes any drag direction', () => {
  assert.deepEqual(rectFromPoints({ x: 10, y: 20 }, { x: 4, y: 5 }), { x: 4, y: 5, width: 6, height: 15 });
});

test('clampRectToCanvas clips and snaps outward to whole pixels', () => {
  assert.deepEqual(clampRectToCanvas({ x: -5.5, y: 2.2, width: 20, height: 3 }, 10, 10), { x: 0, y: 2, width: 10, height: 4 });
  assert.equal(clampRectToCanvas({ x: 20, y: 0, width: 5, height: 5 }, 10, 10), null);
});

test('rectIntersection', () => {
  assert.deepEqual(rectIntersection({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 }), { x: 5, y: 5, width: 5, height: 5 });
  assert.equal(rectIntersection({ x: 0, y: 0, width: 5, height: 5 }, { x: 5, y: 0, width: 5, height: 5 }), null);
});

test('roundRect keeps edges on integers and at least 1px', () => {
  assert.deepEqual(roundRect({ x: 1.4, y: 1.6, width: 0.2, height: 2.2 }), { x: 1, y: 2, width: 1, height: 2 });
});

test('layerBounds of a group is the union of its children', () => {
  const g: Layer = {
    ...base, id: 'g', name: 'g', kind: 'group', x: 0, y: 0, expanded: true, children: [
      { ...base, id: 'a', name: 'a', kind: 'raster', imageId: 'i', x: 10, y: 10, width: 10, height: 10 },
      { ...base, id: 'r', name: 'r', kind: 'region', x: 50, y: 0, prompt: '', color: '#ffffff', shape: { type: 'box', width: 5, height: 40 } },
    ],
  };
  assert.deepEqual(layerBounds(g), { x: 10, y: 0, width: 45, height: 40 });
});

test('screen <-> canvas round trip and zoom about an anchor', () => {
  const v = { zoom: 2, x: 100, y: 50 };
  const p = { x: 33, y: 44 };
  assert.deepEqual(screenToCanvas(v, canvasToScreen(v, p)), p);
  const z = zoomAt(v, 4, { x: 300, y: 300 });
  assert.deepEqual(screenToCanvas(z, { x: 300, y: 300 }), screenToCanvas(v, { x: 300, y: 300 }));
  assert.ok(wheelZoom(v, -100, p).zoom > 2);
  assert.equal(zoomAt(v, 1e9, p).zoom, MAX_ZOOM);
});

test('zoom steps go to the next preset', () => {
  assert.equal(nextZoomStep(1, 1), 1.5);
  assert.equal(nextZoomStep(1, -1), 2 / 3);
  assert.equal(nextZoomStep(0.7, -1), 2 / 3);
});

test('fitRect centres the canvas and never upscales past maxZoom', () => {
  const v = fitRect({ x: 0, y: 0, width: 1000, height: 500 }, { width: 600, height: 400 }, 50);
  assert.equal(v.zoom, 0.5);
  assert.deepEqual({ x: v.x, y: v.y }, { x: 50, y: 75 });
  assert.equal(fitRect({ x: 0, y: 0, width: 10, height: 10 }, { width: 600, height: 400 }, 0, 1).zoom, 1);
});
