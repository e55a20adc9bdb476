import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapAxis, snapMove, snapResize, snapTargets } from './snapping.ts';
import type { LaminaDocument } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
const doc: LaminaDocument = {
  formatVersion: 1, name: 'd', width: 200, height: 100,
  layers: [
    { ...base, id: 'a', name: 'a', kind: 'raster', imageId: 'i', x: 20, y: 30, width: 50, height: 40 },
    { ...base, id: 'h', name: 'h', kind: 'raster', imageId: 'i', x: 150, y: 0, width: 10, height: 10, visible: false },
  ],
};

test('targets are canvas edges and centre plus visible layers, minus the excluded', () => {
  const t = snapTargets(doc, new Set());
  assert.deepEqual(t.xs, [0, 20, 70, 100, 200]);
  assert.deepEqual(t.ys, [0, 30, 50, 70, 100]);
  assert.deepEqual(snapTargets(doc, new Set(['a'])).xs, [0, 100, 200]);
});

test('snapAxis picks the nearest target within the threshold', () => {
  assert.deepEqual(snapAxis([18, 40], [0, 20, 41], 3), { delta: 1, at: [41] });
  assert.equal(snapAxis([10], [0, 20], 3), null);
});

test('snapMove snaps a box to the canvas edge and reports guides', () => {
  const t = snapTargets(doc, new Set(['a']));
  const r = snapMove({ x: 3, y: 47, width: 30, height: 30 }, t, 5);
  assert.equal(r.dx, -3);
  assert.equal(r.dy, 3); // bottom 77 is far; top 47 -> 50 (centre line)
  assert.deepEqual(r.guidesX, [0]);
  assert.deepEqual(r.guidesY, [50]);
});

test('snapMove snaps to another layer edge', () => {
  const t = snapTargets(doc, new Set());
  const r = snapMove({ x: 72, y: 5, width: 10, height: 10 }, t, 4);
  assert.equal(r.dx, -2); // left edge onto a's right edge (70)
});

test('snapResize only moves the edges that were dragged', () => {
  const t = snapTargets(doc, new Set());
  const before = { x: 10, y: 10, width: 50, height: 20 };
  const r = snapResize(before, { x: 10, y: 10, width: 58, height: 20 }, t, 4);
  assert.deepEqual(r.box, { x: 10, y: 10, width: 60, height: 20 }); // right edge 68 -> 70
  assert.deepEqual(r.guidesX, [70]);
});
