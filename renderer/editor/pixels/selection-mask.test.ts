import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  combineSelection, emptySelection, invertSelection, isEmptySelection, modeFor, rasterPolygon, selectAll,
  selectedAt, selectionBounds,
} from './selection-mask.ts';

const count = (d: Uint8Array, v = 255) => d.reduce((n, x) => n + (x === v ? 1 : 0), 0);

test('rect marquee selects exactly its pixels; bounds find them', () => {
  const s = combineSelection(null, 20, 10, { type: 'rect', rect: { x: 2, y: 3, width: 5, height: 4 } }, 'replace');
  assert.equal(count(s.data), 20);
  assert.equal(selectedAt(s, 2, 3), 1);
  assert.equal(selectedAt(s, 7, 3), 0);
  assert.equal(selectedAt(s, 6, 6), 1);
  assert.deepEqual(selectionBounds(s), { x: 2, y: 3, width: 5, height: 4 });
});

test('ellipse marquee: centre in, corners out, edge anti-aliased', () => {
  const s = combineSelection(null, 40, 40, { type: 'ellipse', rect: { x: 0, y: 0, width: 40, height: 40 } }, 'replace');
  assert.equal(selectedAt(s, 20, 20), 1);
  assert.equal(selectedAt(s, 0, 0), 0);
  assert.equal(selectedAt(s, 39, 39), 0);
  const partial = [...s.data].filter((v) => v > 0 && v < 255).length;
  assert.ok(partial > 20, `an anti-aliased rim (${partial} partial pixels)`);
  // area close to pi r^2
  const area = s.data.reduce((n, v) => n + v / 255, 0);
  assert.ok(Math.abs(area - Math.PI * 400) < 15, `area ${area}`);
});

test('lasso rasterizes a polygon at pixel centres (triangle, and a concave L)', () => {
  const tri = rasterPolygon(10, 10, [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 10 }]);
  assert.equal(tri[0], 255);
  assert.equal(tri[9 * 10 + 9], 0);
  assert.equal(tri[4 * 10 + 4], 255); // (4.5, 4.5) is inside x + y < 10
  assert.equal(tri[5 * 10 + 5], 0); // (5.5, 5.5) is outside
  assert.equal(count(tri), 45);
  const L = rasterPolygon(10, 10, [{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 6 }, { x: 10, y: 6 }, { x: 10, y: 10 }, { x: 0, y: 10 }]);
  assert.equal(L[2 * 10 + 8], 0, 'the notch is not selected');
  assert.equal(L[2 * 10 + 2], 255);
  assert.equal(L[8 * 10 + 8], 255);
  assert.equal(count(L), 4 * 6 + 10 * 4);
});

test('add, subtract, intersect, invert, select all', () => {
  const a = combineSelection(null, 10, 1, { type: 'rect', rect: { x: 0, y: 0, width: 6, height: 1 } }, 'replace');
  const b = { type: 'rect' as const, rect: { x: 4, y: 0, width: 6, height: 1 } };
  assert.equal(count(combineSelection(a, 10, 1, b, 'add').data), 10);
  assert.deepEqual([...combineSelection(a, 10, 1, b, 'subtract').data].map((v) => v / 255), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...combineSelection(a, 10, 1, b, 'intersect').data].map((v) => v / 255), [0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
  const inv = invertSelection(a);
  assert.deepEqual([...inv.data].map((v) => v / 255), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.ok(isEmptySelection(invertSelection(selectAll(4, 4))));
  assert.ok(isEmptySelection(emptySelection(3, 3)));
  assert.equal(selectionBounds(emptySelection(3, 3)), null);
  assert.equal(modeFor({ shiftKey: true, altKey: false }), 'add');
  assert.equal(modeFor({ shiftKey: false, altKey: true }), 'subtract');
  assert.equal(modeFor({ shiftKey: true, altKey: true }), 'intersect');
  assert.equal(selectedAt(null, 3, 3), 1, 'no selection selects everything');
});

test('the outline of a rectangle is its four sides', async () => {
  const { selectionOutline } = await import('./selection-outline.ts');
  const s = combineSelection(null, 10, 10, { type: 'rect', rect: { x: 2, y: 3, width: 4, height: 5 } }, 'replace');
  const segs = selectionOutline(s);
  assert.equal(segs.length, 16);
  assert.deepEqual(segs.slice(0, 8), [2, 3, 6, 3, 2, 8, 6, 8]);
  assert.deepEqual(segs.slice(8), [2, 3, 2, 8, 6, 3, 6, 8]);
});
