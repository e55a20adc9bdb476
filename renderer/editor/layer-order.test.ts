import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrangeOp, dropTarget, dropZone, layerRows } from './layer-order.ts';
import { applyOps, DocumentOp } from '../../common/document/document-ops.ts';
import type { Layer, LaminaDocument } from '../../common/document/document-schema.ts';

const base = { visible: true, opacity: 1, blendMode: 'normal' as const, locked: false, provenance: null };
const r = (id: string): Layer => ({ ...base, id, name: id, kind: 'raster', imageId: id, x: 0, y: 0, width: 1, height: 1 });
const doc: LaminaDocument = {
  formatVersion: 1, name: 'd', width: 10, height: 10,
  layers: [r('a'), r('b'), { ...base, id: 'g', name: 'g', kind: 'group', x: 0, y: 0, expanded: true, children: [r('c'), r('d')] }, r('e')],
};
const ids = (ls: readonly Layer[]): unknown[] => ls.map((l) => (l.kind === 'group' ? [l.id, ids(l.children)] : l.id));
const drop = (drag: string, ref: string, zone: 'before' | 'after' | 'inside') => {
  const t = dropTarget(doc.layers, drag, ref, zone);
  if (!t) return null;
  return ids(applyOps(doc, [DocumentOp.parse({ op: 'move', id: drag, ...t })]).layers);
};

test('rows list the tree top to bottom with depth', () => {
  assert.deepEqual(layerRows(doc.layers).map((x) => `${x.id}:${x.depth}`), ['a:0', 'b:0', 'g:0', 'c:1', 'd:1', 'e:0']);
});

test('dragging down past a sibling', () => {
  assert.deepEqual(drop('a', 'b', 'after'), ['b', 'a', ['g', ['c', 'd']], 'e']);
  assert.deepEqual(drop('a', 'e', 'after'), ['b', ['g', ['c', 'd']], 'e', 'a']);
});

test('dragging up', () => {
  assert.deepEqual(drop('e', 'a', 'before'), ['e', 'a', 'b', ['g', ['c', 'd']]]);
});

test('into and out of groups', () => {
  assert.deepEqual(drop('a', 'g', 'inside'), ['b', ['g', ['a', 'c', 'd']], 'e']);
  assert.deepEqual(drop('a', 'd', 'after'), ['b', ['g', ['c', 'd', 'a']], 'e']);
  assert.deepEqual(drop('c', 'a', 'before'), ['c', 'a', 'b', ['g', ['d']], 'e']);
});

test('no-op and impossible drops return null', () => {
  assert.equal(drop('a', 'a', 'before'), null);
  assert.equal(drop('a', 'b', 'before'), null);
  assert.equal(drop('g', 'c', 'after'), null);
  assert.equal(drop('a', 'b', 'inside'), null);
});

test('drop zones: groups take the middle as "inside"', () => {
  const rows = layerRows(doc.layers);
  assert.equal(dropZone(rows[0], 0.3), 'before');
  assert.equal(dropZone(rows[0], 0.7), 'after');
  assert.equal(dropZone(rows[2], 0.5), 'inside');
  assert.equal(dropZone(rows[2], 0.1), 'before');
});

test('arrange ops: forward, backward, front, back among siblings', () => {
  assert.deepEqual(arrangeOp(doc, 'b', 'forward'), { op: 'move', id: 'b', parentId: null, index: 0 });
  assert.deepEqual(arrangeOp(doc, 'b', 'back'), { op: 'move', id: 'b', parentId: null, index: 3 });
  assert.deepEqual(arrangeOp(doc, 'c', 'backward'), { op: 'move', id: 'c', parentId: 'g', index: 1 });
  assert.equal(arrangeOp(doc, 'a', 'front'), null);
  assert.equal(arrangeOp(doc, 'e', 'backward'), null);
});
